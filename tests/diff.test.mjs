// pipetrace diff on two recorded runs of one pipeline (real `pipetrace run`), where one step
// was made slower, one command was dropped and one added (docs/report.md, "Comparing two runs").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PIPETRACE, tool, tempDir, cleanup } from './lib/pipetrace.mjs';

// The same script (so the same root command line) in both runs; the environment changes it.
const SCRIPT = `
ls / > /dev/null
sleep "$DELAY"
if [ -n "$NEW" ]; then uname > /dev/null; else cat /etc/hostname > /dev/null; fi
sh -c 'sleep 0.05'
`;

let work, base, slower;

function record(name, env) {
  const out = path.join(work, name);
  const r = spawnSync(PIPETRACE, ['run', '-q', '-o', out, '--', 'sh', path.join(work, 'pipeline.sh')], {
    encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60000,
  });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

function diff(...args) {
  return spawnSync(PIPETRACE, ['diff', ...args], { encoding: 'utf8' });
}

function diffJson(...args) {
  const r = diff(...args, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').length, 1, 'one line');
  return JSON.parse(r.stdout);
}

before(() => {
  work = tempDir('pipetrace-diff-');
  fs.writeFileSync(path.join(work, 'pipeline.sh'), SCRIPT);
  base = record('base', { DELAY: '0.1' });
  slower = record('slower', { DELAY: '0.5', NEW: '1' });
});

after(cleanup);

test('--key normalized: the step made slower comes first; new and vanished commands are listed', () => {
  const d = diffJson(base, slower, '--key', 'normalized', '--top', '100');
  assert.equal(d.key, 'normalized');
  const [first] = d.changes;
  assert.equal(first.key, 'sleep #');
  assert.equal(first.change, 'slower');
  assert.deepEqual([first.before.executions, first.after.executions], [2, 2]);
  assert.ok(Math.abs(first.wall_delta_ns - 0.4e9) < 0.15e9, `delta ${first.wall_delta_ns}`);
  assert.equal(first.self_delta_ns, first.wall_delta_ns); // sleep has no children
  const change = (key) => d.changes.find((c) => c.key === key)?.change;
  assert.equal(change('uname'), 'new');
  assert.equal(change('cat /etc/hostname'), 'vanished');
  assert.deepEqual([d.new_count, d.vanished_count], [1, 1]);
  // the root (same command line) grew by as much, but not by itself
  const root = d.changes.find((c) => c.key.startsWith('sh ') && c.key.endsWith('pipeline.sh'));
  assert.ok(root.wall_delta_ns > 0.25e9 && Math.abs(root.self_delta_ns) < 0.1e9, JSON.stringify(root));
  assert.ok(d.new_total.wall_ns - d.base_total.wall_ns > 0.25e9);
  assert.equal(d.wall_delta_ns, d.new_total.wall_ns - d.base_total.wall_ns);
  assert.equal(d.new_total.executions, d.base_total.executions);
});

test('--key cmdline: the changed command line is new, the old one vanished; --key binary', () => {
  const d = diffJson(base, slower, '--top', '100');
  assert.equal(d.key, 'cmdline');
  assert.deepEqual([d.changes[0].key, d.changes[0].change], ['sleep 0.5', 'new']);
  assert.equal(d.changes.find((c) => c.key === 'sleep 0.1').change, 'vanished');
  assert.equal(d.changes.find((c) => c.key === "sh -c 'sleep 0.05'").before.executions, 1);
  const b = diffJson(base, slower, '--key', 'binary');
  assert.match(b.changes[0].key, /\/sleep$/);
  assert.equal(b.changes[0].change, 'slower');
});

test('--top limits the rows; a run compared with itself has no change', () => {
  assert.equal(diffJson(base, slower, '--top', '2').changes.length, 2);
  const same = diffJson(base, base, '--top', '100');
  assert.ok(same.changes.every((c) => c.change === 'same' && c.wall_delta_ns === 0));
  assert.equal(same.same_count, same.changes.length);
});

test('--fail-if-slower: exit 3 when the total wall time grew by more than PCT, else 0', () => {
  let r = diff(base, slower, '--fail-if-slower', '10');
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /^pipetrace diff: the wall time grew by [\d.]+ %, more than --fail-if-slower 10 allows\n$/);
  assert.match(r.stdout, /sleep/); // the comparison is printed all the same
  r = diff(slower, base, '--fail-if-slower', '10');
  assert.equal(r.status, 0, r.stderr);
  r = diff(base, slower, '--fail-if-slower', '100000');
  assert.equal(r.status, 0, r.stderr);
  r = diff(base, base, '--fail-if-slower', '0');
  assert.equal(r.status, 0, r.stderr);
});

test('text names the slower step first, fitted to the width', () => {
  const r = spawnSync(PIPETRACE, ['diff', base, slower, '--key', 'normalized'],
    { encoding: 'utf8', env: { ...process.env, COLUMNS: '100' } });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const header = lines.findIndex((l) => /^ +change +wall before +wall after +Δ wall +Δ self +Δ CPU +normalized command$/.test(l));
  assert.ok(header > 0, r.stdout);
  assert.match(lines[header + 1], /^ +slower +[\d.]+ [µm]?s +[\d.]+ [µm]?s +\+[\d.]+ ms +\+[\d.]+ ms +[-+]?[\d.]+ [nµm]?s {2}sleep #$/);
  assert.match(r.stdout, /^ {2}wall time +[\d.]+ m?s → [\d.]+ m?s, \+[\d.]+ m?s \(\+[\d.]+ %\)$/m);
  assert.match(r.stdout, /^ {2}keys +\d+ slower, \d+ faster, 1 new, 1 vanished, \d+ same$/m);
  for (const line of lines) assert.ok([...line].length <= 100, line);
});

test('markdown renders: a table header line and its separator, code spans', () => {
  const r = diff(base, slower, '--key', 'normalized', '--format', 'markdown');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const header = lines.indexOf('| change | count | wall before | wall after | Δ wall | Δ self | ' +
    'CPU before | CPU after | Δ CPU | normalized command |');
  assert.ok(header > 0, r.stdout);
  assert.match(lines[header + 1], /^(\|--:){9}\|:--\|$/);
  assert.match(lines[header + 2], /^\| slower \| 2 → 2 \| .* \| `sleep #` \|$/);
  assert.match(r.stdout, /^\| new \| 0 → 1 \| - \| .* \| `uname` \|$/m);
  assert.match(r.stdout, /^- \*\*wall time:\*\* /m);
});

test('a missing folder or a corrupt file: one line, exit 1; usage errors: exit 2', () => {
  let r = diff(base, path.join(work, 'nowhere'));
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^pipetrace diff: .*nowhere: No such file or directory; [^\n]+\n$/);
  const broken = path.join(work, 'broken');
  fs.cpSync(base, broken, { recursive: true });
  fs.writeFileSync(path.join(broken, 'processes.parquet'), 'PAR1 not parquet at all PAR1');
  r = diff(broken, base);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^pipetrace diff: .*broken\/processes\.parquet: [^\n]+\n$/);
  for (const args of [[], [base], [base, slower, base], [base, slower, '--key', 'user'],
    [base, slower, '--format', 'csv'], [base, slower, '--top', '0'],
    [base, slower, '--fail-if-slower', '-1'], [base, slower, '--fail-if-slower', 'x'],
    [base, slower, '--bogus'], [base, slower, '--top']]) {
    r = diff(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^pipetrace diff: [^\n]+; try 'pipetrace diff --help'\n$/);
  }
  const help = diff('--help');
  assert.equal(help.status, 0);
  for (const word of ['--key', 'normalized', '--format', '--top', '--fail-if-slower', 'Exit status'])
    assert.ok(help.stdout.includes(word), word);
});

test('crafted datasets: damaged links, merged runs, 100 000 executions; self times add up', () => {
  const fixture = (name, ...args) => {
    const dir = path.join(work, `fixture-${name}${args.join('-')}`);
    const r = spawnSync(tool('report_fixture'), [dir, name, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return dir;
  };
  const fanout = fixture('fanout'), links = fixture('links'), merged = fixture('merged');
  const d = diffJson(fanout, links, '--top', '1000');
  assert.equal(d.new_count + d.vanished_count, d.changes.length); // no command in common
  // fan-out: 'sh pipeline.sh' (root, 9.9 s) minus the union of its children's spans
  const root = d.changes.find((c) => c.key === 'sh pipeline.sh');
  assert.deepEqual([root.before.executions, root.before.wall_ns], [2, 10000e6]);
  // the root's gaps before and between its children (the daemon covers its end), and the
  // subshell's 100 ms (no children)
  assert.equal(root.before.self_ns, 50e6 + 100e6 + 100e6);
  const m = spawnSync(PIPETRACE, ['diff', fanout, merged, '--format', 'json'], { encoding: 'utf8' });
  assert.equal(m.status, 0, m.stderr);
  assert.match(m.stderr, /^pipetrace: warning: .*merged\/processes\.parquet: 1 executions name no run of runs\.parquet; they are left out of the comparison\n$/);
  const withMerged = JSON.parse(m.stdout);
  assert.equal(withMerged.new_total.executions, 15 + 11);
  assert.equal(withMerged.new_total.wall_ns, 2 * 10000e6);
  const tree = fixture('tree', '100000');
  const started = Date.now();
  const same = diffJson(tree, tree);
  assert.ok(Date.now() - started < 20000, 'diff too slow');
  assert.equal(same.base_total.executions, 100000);
  assert.equal(same.changes.length, 10);
  assert.ok(same.changes.every((c) => c.change === 'same'));
  // 'job-N --step M' is one normalized command
  const normalized = diffJson(tree, tree, '--key', 'normalized');
  assert.deepEqual(normalized.changes.map((c) => [c.key, c.before.executions]),
    [['job-# --step #', 100000]]);
});
