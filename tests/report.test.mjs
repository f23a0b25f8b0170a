// The summary report (pipetrace report, and the end of pipetrace run) against DuckDB's answers
// on the same datasets. Datasets come from tests/tools/report_fixture.c (no BPF needed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const BUILD = process.env.PIPETRACE_BUILD;
const PIPETRACE = path.join(BUILD, 'pipetrace');
const FIXTURE = path.join(BUILD, 'tools', 'report_fixture');

let work, fanout, db, connection;

function pipetrace(args, env = {}) {
  return spawnSync(PIPETRACE, args, {
    encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...env },
  });
}

function fixture(name, ...args) {
  const dir = path.join(work, `${name}${args.join('-')}`);
  const r = spawnSync(FIXTURE, [dir, name, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

function reportJson(dir, ...options) {
  const r = pipetrace(['report', dir, '--format', 'json', ...options]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Rows as plain objects, BIGINTs as Numbers (every figure compared here is below 2^53).
async function query(sql) {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

const processes = (dir) => `read_parquet('${dir}/processes.parquet')`;
const runs = (dir) => `read_parquet('${dir}/runs.parquet')`;

// DuckDB's answer to every figure of the report (top lists whole).
async function expectedFigures(dir) {
  const [totals] = await query(`SELECT count(*) AS executions, sum(cpu_ns) AS total_cpu_ns,
    count(*) FILTER (WHERE exit_code <> 0 OR signal IS NOT NULL) AS failed_count
    FROM ${processes(dir)}`);
  const [run] = await query(`SELECT (epoch_us(end_time) - epoch_us(start_time)) * 1000 AS wall_ns,
    lost_events FROM ${runs(dir)}`);
  const commands = await query(`SELECT cmdline AS command, count(*) AS executions,
    sum(duration_ns) AS wall_ns, sum(cpu_ns) AS cpu_ns, max(max_rss_kb) AS max_rss_kb
    FROM ${processes(dir)} GROUP BY cmdline ORDER BY wall_ns DESC, cmdline`);
  const binaries = await query(`SELECT filename AS binary, count(*) AS executions,
    sum(duration_ns) AS wall_ns, sum(cpu_ns) AS cpu_ns, max(max_rss_kb) AS max_rss_kb
    FROM ${processes(dir)} GROUP BY filename ORDER BY cpu_ns DESC, filename NULLS FIRST`);
  // Executions run over [start, end); at one instant ends come before starts.
  const [peak] = await query(`WITH edges AS (
      SELECT epoch_us(start_time) AS t, 1 AS d FROM ${processes(dir)}
      UNION ALL
      SELECT greatest(epoch_us(end_time), epoch_us(start_time) + 1), -1 FROM ${processes(dir)})
    SELECT coalesce(max(running), 0) AS peak_parallelism FROM (
      SELECT sum(d) OVER (ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS running FROM edges)`);
  return {
    executions: totals.executions, total_cpu_ns: totals.total_cpu_ns ?? 0,
    failed_count: totals.failed_count, wall_ns: run.wall_ns, lost_events: run.lost_events,
    peak_parallelism: peak.peak_parallelism, commands, binaries,
  };
}

function assertFiguresEqual(report, expected, top) {
  for (const key of ['executions', 'total_cpu_ns', 'failed_count', 'wall_ns', 'lost_events',
    'peak_parallelism']) assert.equal(report[key], expected[key], key);
  assert.deepEqual(report.top_commands, expected.commands.slice(0, top));
  assert.deepEqual(report.top_binaries, expected.binaries.slice(0, top));
  assert.ok(Math.abs(report.average_utilisation - expected.total_cpu_ns / expected.wall_ns) < 1e-5);
}

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'pipetrace-report-'));
  fanout = fixture('fanout');
  db = await DuckDBInstance.create(':memory:');
  connection = await db.connect();
});

after(() => {
  connection?.closeSync();
  db?.closeSync();
  rmSync(work, { recursive: true, force: true });
});

test('the fan-out report equals DuckDB: totals, top commands, top binaries, peak', async () => {
  const report = reportJson(fanout, '--top', '100');
  assertFiguresEqual(report, await expectedFigures(fanout), 100);
  assert.equal(report.top_commands[0].command, 'sh pipeline.sh'); // the root and its subshell
  assert.equal(report.top_commands[0].executions, 2);
  assert.equal(report.peak_parallelism, 7);
  assert.deepEqual(report.failed.map((f) => [f.command, f.exit_code, f.signal]),
    [['make -C c', 2, null], ['sleep 100', null, 9]]);
});

test('--top limits every list; --by keeps one grouping', () => {
  const report = reportJson(fanout, '--top', '2');
  assert.equal(report.top_commands.length, 2);
  assert.equal(report.top_binaries.length, 2);
  assert.equal(report.failed.length, 2);
  const byBinary = reportJson(fanout, '--by', 'binary');
  assert.equal(byBinary.top_commands, undefined);
  assert.equal(byBinary.top_binaries[0].binary, '/usr/bin/make');
});

test('the critical path of the fan-out is the longest branch with the steps around it', () => {
  const { critical_path: path_, wall_ns: wall } = reportJson(fanout);
  assert.deepEqual(path_.map((s) => [s.command.split(' ').slice(0, 3).join(' '), s.depth]), [
    ['sh pipeline.sh', 0], ['./prepare --fetch', 1], ['python3 -c print("a|b`c")', 2],
    ['make -C b', 1], ['cc -O2 b.c', 2], ['sh package.sh', 1],
    ['gzip -9 part', 2], ['gzip -9 part', 2], ['gzip -9 part', 2]]);
  const chain = path_[4]; // sh -c 'exec cc ...' then cc: one step
  assert.deepEqual([chain.exec_id, chain.last_exec_id, chain.duration_ns], [6, 7, 5500e6]);
  assert.deepEqual(path_.map((s) => s.start_offset_ns),
    [50e6, 100e6, 500e6, 1200e6, 1500e6, 7300e6, 7400e6, 8000e6, 8800e6]);
  const root = path_[0];
  assert.equal(root.self_ns, 400e6); // 9.9 s minus prepare, make -C b and packaging
  assert.equal(root.duration_ns, 9900e6);
  assert.ok(Math.abs(root.share - 9900e6 / wall) < 1e-6);
  // Every step's time is its own time plus that of its children on the path.
  const total = path_.reduce((sum, s) => sum + s.self_ns, 0);
  assert.equal(total, root.duration_ns);
});

test('the critical path survives duplicate ids, link cycles, unknown parents, odd times', async () => {
  const links = fixture('links');
  const report = reportJson(links, '--top', '100');
  assertFiguresEqual(report, await expectedFigures(links), 100);
  assert.deepEqual(report.critical_path.map((s) => [s.exec_id, s.last_exec_id, s.command, s.depth]), [
    [1, 1, 'root', 0], [5, 6, 'exec cycle b', 1], [9, 9, 'instant', 1], [11, 11, 'last child', 1]]);
  assert.equal(report.critical_path[0].self_ns, 450e6);
});

test('text lists the longest critical-path steps in time order, parents included', () => {
  const r = pipetrace(['report', fanout, '--top', '2']);
  assert.equal(r.status, 0, r.stderr);
  const section = r.stdout.slice(r.stdout.indexOf('Critical path (9 steps)')).split('\n');
  assert.deepEqual(section.slice(2, 6).map((line) => line.slice(line.lastIndexOf('  ') + 2)),
    ['sh pipeline.sh', 'make -C b', 'cc -O2 b.c', 'sh package.sh']);
  assert.match(section[6], /^ {2}… and 5 more shorter steps/);
});

test('the text report fits the terminal, warns of lost events, shortens in the middle', () => {
  for (const columns of [60, 80, 132]) {
    const r = pipetrace(['report', fanout], { COLUMNS: String(columns) });
    assert.equal(r.status, 0, r.stderr);
    for (const line of r.stdout.split('\n'))
      assert.ok([...line].length <= columns, `wider than ${columns}: ${line}`);
    assert.match(r.stdout, /^ {2}warning: 3 events were lost/m);
    assert.match(r.stdout, /^ .* python3.*….*csv$/m);
    assert.match(r.stdout, /^ {2}wall time +10\.0 s$/m);
    assert.match(r.stdout, /^ {2}total CPU +14\.3 s, average 1\.43 cores \(143 %\)$/m);
    assert.match(r.stdout, /^ {2}peak +7 executions at once$/m);
    assert.match(r.stdout, /^ +1 +2 +10\.0 s +25\.0 ms {2}sh pipeline\.sh$/m);
    assert.match(r.stdout, /^ +SIGKILL +2\.00 s +2\.00 s {2}sleep 100$/m);
    assert.match(r.stdout, /^ +1 +3 +5\.60 s +1\.3 MiB {2}\/usr\/bin\/make$/m);
    assert.match(r.stdout, /^ +1\.50 s +5\.50 s +55 % +5\.50 s {6}cc -O2 b\.c$/m);
  }
});

test('--format markdown gives tables for a CI job summary', () => {
  const r = pipetrace(['report', fanout, '--format', 'markdown']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^### Top commands by wall time$/m);
  assert.match(r.stdout, /^\| # \| count \| wall \| CPU \| command \|$/m);
  assert.match(r.stdout, /^\|--:\|--:\|--:\|--:\|:--\|$/m);
  assert.match(r.stdout, /^\| 1 \| 2 \| 10\.0 s \| 25\.0 ms \| `sh pipeline\.sh` \|$/m);
  assert.match(r.stdout, /``python3 -c print\("a\\\|b`c/); // "|" escaped, fence around "`"
  assert.match(r.stdout, /^> \*\*Warning:\*\* 3 events were lost/m);
});

test('--format csv gives the grouping table with raw numbers', async () => {
  const r = pipetrace(['report', fanout, '--format', 'csv', '--by', 'binary', '--top', '3']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'dataset,run_id,rank,binary,executions,wall_ns,cpu_ns,max_rss_kb');
  const expected = (await expectedFigures(fanout)).binaries.slice(0, 3);
  assert.deepEqual(lines.slice(1), expected.map((b, i) => `"${fanout}","fixture",${i + 1},` +
    `"${b.binary}",${b.executions},${b.wall_ns},${b.cpu_ns},${b.max_rss_kb}`));
});

test('--by normalized: temporary names, UUIDs, hex ids and numbers masked; JSON, text, CSV', () => {
  const dir = fixture('normalize');
  const report = reportJson(dir, '--by', 'normalized', '--top', '100');
  assert.equal(report.top_commands, undefined);
  assert.equal(report.top_binaries, undefined);
  assert.deepEqual(report.top_normalized.map((g) => [g.normalized, g.executions]), [
    ['sh pipeline.sh', 1], ['sleep #', 3], ['cc1 -quiet /tmp/*.s -o /tmp/*.o', 2],
    ['docker rm #', 2], ['tar -C /var/tmp/*/build -xf x.tar', 2], ['worker --shard=# --id #', 2],
    ['cafe beef', 1], ['python2 -O3 x86_#.py', 1], ['python3 -O2 x86_#.py', 1]]);
  assert.equal(report.top_normalized[1].wall_ns, 300e6);
  const text = pipetrace(['report', dir, '--by', 'normalized']);
  assert.match(text.stdout, /^Top normalized commands by wall time$/m);
  assert.match(text.stdout, /^ +2 +3 +300 ms +30\.0 ms {2}sleep #$/m);
  assert.doesNotMatch(text.stdout, /Top binaries/);
  const csv = pipetrace(['report', dir, '--by', 'normalized', '--format', 'csv', '--top', '2']);
  assert.deepEqual(csv.stdout.trimEnd().split('\n'), [
    'dataset,run_id,rank,normalized,executions,wall_ns,cpu_ns,max_rss_kb',
    `"${dir}","fixture",1,"sh pipeline.sh",1,9000000000,10000000,1088`,
    `"${dir}","fixture",2,"sleep #",3,300000000,30000000,1408`]);
});

test('slowest executions: the longest first, in every format, as DuckDB orders them', async () => {
  const report = reportJson(fanout, '--top', '4');
  const expected = await query(`SELECT exec_id, cmdline AS command, filename AS binary, duration_ns,
    cpu_ns FROM ${processes(fanout)} ORDER BY duration_ns DESC, start_time, exec_id LIMIT 4`);
  assert.deepEqual(report.slowest.map(({ exec_id, command, binary, duration_ns, cpu_ns }) =>
    ({ exec_id, command, binary, duration_ns, cpu_ns })), expected);
  assert.deepEqual(Object.keys(report.slowest[0]), ['exec_id', 'command', 'binary',
    'start_offset_ns', 'duration_ns', 'cpu_ns', 'max_rss_kb', 'exit_code', 'signal']);
  const text = pipetrace(['report', fanout, '--top', '2']);
  const section = text.stdout.slice(text.stdout.indexOf('Slowest executions')).split('\n');
  assert.match(section[1], /^ +start +duration +CPU {2}command$/);
  assert.match(section[2], /^ +50\.0 ms +9\.90 s +20\.0 ms {2}sh pipeline\.sh$/);
  assert.match(section[3], /^ +1\.20 s +6\.00 s +300 ms {2}make -C b$/);
  assert.match(section[4], /^ {2}… and 13 more executions$/);
  const md = pipetrace(['report', fanout, '--format', 'markdown']);
  assert.match(md.stdout, /^### Slowest executions\n\n\| start \| duration \| CPU \| command \|\n\|--:\|--:\|--:\|:--\|$/m);
});

test('every top-level JSON key is there, in the documented order', () => {
  assert.deepEqual(Object.keys(reportJson(fanout)), ['dataset', 'run_id', 'command', 'status',
    'exit_code', 'signal', 'start_time_ns', 'end_time_ns', 'wall_ns', 'executions',
    'total_cpu_ns', 'average_utilisation', 'peak_parallelism', 'lost_events', 'lost', 'top_commands',
    'top_binaries', 'failed_count', 'failed', 'slowest', 'critical_path', 'redaction']);
});

test('--step-summary appends the Markdown report to $GITHUB_STEP_SUMMARY', () => {
  const file = path.join(work, 'step-summary.md');
  writeFileSync(file, 'earlier step\n');
  const r = pipetrace(['report', fanout, '--step-summary'], { GITHUB_STEP_SUMMARY: file });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Top commands by wall time$/m); // stdout keeps its format
  const markdown = pipetrace(['report', fanout, '--format', 'markdown']).stdout;
  assert.equal(readFileSync(file, 'utf8'), `earlier step\n${markdown}`);
  pipetrace(['report', fanout, '--format', 'json', '--step-summary'], { GITHUB_STEP_SUMMARY: file });
  assert.equal(readFileSync(file, 'utf8'), `earlier step\n${markdown}${markdown}`);
  for (const value of [undefined, '']) {
    const env = { ...process.env };
    if (value === undefined) delete env.GITHUB_STEP_SUMMARY; else env.GITHUB_STEP_SUMMARY = value;
    const unset = spawnSync(PIPETRACE, ['report', fanout, '--step-summary'], { encoding: 'utf8', env });
    assert.equal(unset.status, 1);
    assert.equal(unset.stdout, '');
    assert.match(unset.stderr, /^pipetrace report: --step-summary needs \$GITHUB_STEP_SUMMARY[^\n]*; it is not set\n$/);
  }
  const bad = pipetrace(['report', fanout, '--step-summary'], { GITHUB_STEP_SUMMARY: path.join(work, 'no', 'dir.md') });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^pipetrace report: .*no\/dir\.md \(\$GITHUB_STEP_SUMMARY\): No such file or directory; [^\n]+\n$/);
});

test('the text report uses no colour: NO_COLOR changes nothing, no escape sequences', () => {
  const plain = pipetrace(['report', fanout]);
  const noColor = pipetrace(['report', fanout], { NO_COLOR: '1' });
  assert.equal(noColor.stdout, plain.stdout);
  assert.doesNotMatch(plain.stdout, /\x1b/);
});

test('several datasets: one JSON object per line', () => {
  const empty = fixture('empty');
  const r = pipetrace(['report', fanout, empty, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const reports = r.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(reports.map((x) => [x.dataset, x.executions]), [[fanout, 15], [empty, 0]]);
  assert.deepEqual(reports[1].critical_path, []);
  assert.equal(reports[1].peak_parallelism, 0);
});

test('a merged folder: one report per run, executions of unknown runs left out', () => {
  const merged = fixture('merged');
  const r = pipetrace(['report', merged, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, `pipetrace: warning: ${merged}/processes.parquet: 1 executions name ` +
    'no run of runs.parquet; they are left out of the report\n');
  const [a, b] = r.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
  const alone = reportJson(fanout);
  assert.deepEqual([a.run_id, a.executions, a.total_cpu_ns, a.critical_path],
    ['fixture-a', 15, alone.total_cpu_ns, alone.critical_path]);
  assert.deepEqual([b.run_id, b.executions, b.critical_path.map((s) => s.command)],
    ['fixture-b', 11, ['root', 'exec cycle b', 'instant', 'last child']]);
  const text = pipetrace(['report', merged]);
  assert.match(text.stdout, /^pipetrace summary: .*merged, run fixture-b \(2 of 2\)$/m);
});

// The critical path by its definition (docs/report.md), for datasets without exec chains:
// [exec_id, depth] of each step, in time order.
async function referenceCriticalPath(dir) {
  const rows = await query(`SELECT exec_id AS id, parent_exec_id AS parent,
    epoch_us(start_time) AS start, epoch_us(end_time) AS "end" FROM ${processes(dir)}`);
  const children = new Map();
  for (const row of rows) {
    if (row.parent === null) continue;
    if (!children.has(row.parent)) children.set(row.parent, []);
    children.get(row.parent).push(row);
  }
  const root = rows.filter((row) => row.parent === null)
    .sort((a, b) => b.end - a.end || a.start - b.start)[0];
  const path_ = [];
  const stack = [[root, 0]];
  while (stack.length) {
    const [step, depth] = stack.pop();
    path_.push([step.id, depth]);
    const latestFirst = (children.get(step.id) ?? [])
      .sort((a, b) => b.end - a.end || a.start - b.start || a.id - b.id);
    let t = step.end;
    for (const child of latestFirst) {
      if (t <= step.start || child.end <= step.start) break;
      if (child.end > t) continue;
      stack.push([child, depth + 1]);
      t = child.start;
    }
  }
  return path_;
}

test('a 100 000-execution tree: the report equals DuckDB and the definition, in bounded time', async () => {
  const tree = fixture('tree', '100000');
  const started = Date.now();
  const report = reportJson(tree, '--top', '20');
  assert.ok(Date.now() - started < 20000, 'report too slow');
  assertFiguresEqual(report, await expectedFigures(tree), 20);
  const path_ = report.critical_path.map((s) => [s.exec_id, s.depth]);
  assert.ok(path_.length > 10);
  assert.deepEqual(path_, await referenceCriticalPath(tree));
});

test('a chain of 100 000 nested executions: the whole chain is the path, no recursion', () => {
  const chain = fixture('chain', '100000');
  const { critical_path: path_ } = reportJson(chain);
  assert.equal(path_.length, 100000);
  assert.equal(path_.at(-1).depth, 99999);
  const text = pipetrace(['report', chain]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /… and 99980 more shorter steps/);
  assert.match(text.stdout, /^ {2}wall time +33 m 20 s$/m);
});

test('a missing folder: one line naming it on stderr, exit 1', () => {
  const missing = path.join(work, 'no-such-run');
  const r = pipetrace(['report', missing]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^pipetrace report: ${missing}: No such file or directory; .+\\n$`));
});

test('a corrupt or missing file: one line naming the file, exit 1', () => {
  const broken = path.join(work, 'broken');
  cpSync(fanout, broken, { recursive: true });
  writeFileSync(path.join(broken, 'processes.parquet'), 'PAR1 this is not parquet PAR1');
  let r = pipetrace(['report', broken]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^pipetrace report: .*broken\/processes\.parquet: [^\n]+; [^\n]+\n$/);
  rmSync(path.join(broken, 'runs.parquet'));
  r = pipetrace(['report', broken, '--format', 'json']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^pipetrace report: .*broken\/runs\.parquet: No such file or directory; [^\n]+\n$/);
});

test('usage errors exit 2 with one line; --help documents every option', () => {
  for (const args of [[], [fanout, '--top', '0'], [fanout, '--top', 'x'], [fanout, '--format', 'xml'],
    [fanout, '--by', 'user'], [fanout, '--bogus'], [fanout, '--top'], [fanout, '--top', '1.5']]) {
    const r = pipetrace(['report', ...args]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^pipetrace report: [^\n]+; try 'pipetrace report --help'\n$/);
  }
  const help = pipetrace(['report', '--help']);
  assert.equal(help.status, 0);
  for (const option of ['--top', '--by', 'normalized', '--format', 'markdown', 'json', 'csv',
    '--step-summary', 'GITHUB_STEP_SUMMARY', 'NO_COLOR', 'Exit status'])
    assert.ok(help.stdout.includes(option), option);
});

test('pipetrace run ends with the summary of its own dataset', { skip: process.getuid() !== 0 && 'needs root for BPF' }, async () => {
  const out = path.join(work, 'live');
  const r = pipetrace(['run', '-o', out, '--', 'sh', '-c', 'sleep 0.4 & sleep 0.1; wait']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^Critical path \(\d+ steps\)$/m);
  assert.match(r.stderr, /^ +[\d.]+ [µm]?s +[\d.]+ ms +\d+ % +[\d.]+ [nµm]?s {4}sleep 0\.4$/m);
  const report = reportJson(out, '--top', '100');
  const expected = await expectedFigures(out);
  for (const key of ['executions', 'total_cpu_ns', 'failed_count', 'lost_events'])
    assert.equal(report[key], expected[key], key);
  assert.deepEqual(report.critical_path.map((s) => s.command).slice(1), ['sleep 0.4']);
});
