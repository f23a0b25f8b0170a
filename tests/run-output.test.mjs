// End-to-end tests of `pipetrace run`: the output folder, runs side by side or nested, bursts, a full disk.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, PIPETRACE, runPipetrace, smallDisk, spawnPipetrace, tempDir, tool } from './lib/pipetrace.mjs';
import { num, processes, query, runRow, sqlPath } from './lib/readers.mjs';
import { ok, onlyRow, rootRow } from './lib/run-helpers.mjs';

after(cleanup);

test('-o creates missing parent folders', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'a', 'b', 'c');
  const r = runPipetrace(['/bin/true'], { dir, out, options: ['-q'] });
  ok(r);
  assert.equal((await processes(out)).length, 1);
});

test('two pipetrace runs at once: each dataset holds only its own tree', async () => {
  const dir = tempDir();
  const ready = (n) => path.join(dir, `${n}.ready`);
  const script = (me, other) =>
    `touch "${ready(me)}"; "${tool('waitfile')}" "${ready(other)}" 30 || exit 9;` +
    ` for i in $(seq 1 30); do /bin/echo ${me} > /dev/null; done; exit 0`;
  const a = spawnPipetrace(['bash', '-c', script('A', 'B')], { dir, out: path.join(dir, 'a'), options: ['-q'] });
  const b = spawnPipetrace(['bash', '-c', script('B', 'A')], { dir, out: path.join(dir, 'b'), options: ['-q'] });
  const [ra, rb] = await Promise.all([a.done, b.done]);
  assert.equal(ra.status, 0, ra.stderr);
  assert.equal(rb.status, 0, rb.stderr);
  for (const [p, me, other] of [[a, 'A', 'B'], [b, 'B', 'A']]) {
    const rows = await processes(p.out);
    const echoes = rows.filter((x) => x.filename === '/bin/echo');
    assert.equal(echoes.length, 30, `${me}: its own 30 echoes`);
    for (const x of echoes) assert.deepEqual(x.argv, ['/bin/echo', me]);
    assert.ok(!rows.some((x) => x.argv.includes(other)), `${me}: nothing of ${other}`);
    assert.equal(rows.length, 1 + 1 + 1 + 30 + 1); // bash, touch, waitfile, echoes, seq
  }
});

test('pipetrace inside pipetrace: both datasets complete, the status passed through', async () => {
  const dir = tempDir();
  const inner = path.join(dir, 'inner');
  const r = runPipetrace(
    [PIPETRACE, 'run', '-q', '-o', inner, '--', '/bin/sh', '-c', '/bin/true; exit 3'],
    { dir, options: ['-q'] },
  );
  assert.equal(r.status, 3, r.stderr);
  const innerRows = await processes(inner);
  assert.deepEqual(innerRows.map((x) => x.filename), ['/bin/sh', '/bin/true']);
  const outerRows = await processes(r.out);
  const sh = onlyRow(outerRows, (x) => x.filename === '/bin/sh', 'outer /bin/sh');
  const root = rootRow(outerRows);
  assert.equal(num(sh.parent_exec_id), num(root.exec_id), 'the inner CMD is a child of the inner pipetrace');
  assert.equal(num(sh.exit_code), 3);
  assert.equal((await runRow(inner)).status, 'complete');
  assert.equal((await runRow(r.out)).status, 'complete');
});

test('a burst of execs with 60 KB argv: nothing is missed silently', async () => {
  const arg = 'z'.repeat(60 * 1024);
  const r = runPipetrace(
    ['/bin/sh', '-c', `seq 1 1500 | xargs -P 4 -I{} /bin/true {} "$0"; exit 0`, arg],
    { options: ['-q'] },
  );
  ok(r);
  const rows = await processes(r.out);
  const run = await runRow(r.out);
  const trues = rows.filter((x) => x.filename === '/bin/true' && x.argv.at(-1) === arg);
  if (trues.length === 1500) {
    assert.equal(num(run.lost_events), 0);
    assert.equal(run.status, 'complete');
  } else {
    assert.ok(num(run.lost_events) > 0, `only ${trues.length} of 1500 execs seen, lost_events 0`);
    assert.equal(run.status, 'lost_events');
  }
  assert.equal(num(run.processes), rows.length);
});

test('a second run into the same -o folder: no table of the first run is left behind', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'same');
  const first = runPipetrace(['/bin/sh', '-c', 'cat /etc/hostname > /dev/null'], {
    dir,
    out,
    options: ['-q', '--probes', 'files', '--run-id', 'first'],
  });
  ok(first);
  assert.ok(fs.existsSync(path.join(out, 'files.parquet')));
  const second = runPipetrace(['/bin/true'], { dir, out, options: ['-q', '--run-id', 'second'] });
  if (second.status === 125) {
    // Refusing is fine, if the first dataset is left whole.
    assert.equal((await runRow(out)).run_id, 'first');
    return;
  }
  ok(second);
  assert.equal((await runRow(out)).run_id, 'second');
  for (const f of fs.readdirSync(out).filter((n) => n.endsWith('.parquet'))) {
    const ids = await query(`SELECT DISTINCT run_id FROM ${sqlPath(path.join(out, f))}`);
    assert.ok(
      ids.every((x) => x.run_id === 'second'),
      `${f} holds rows of run ${ids.map((x) => x.run_id).join(', ')} in the dataset of run 'second'`,
    );
  }
});

test('output disk full: CMD status kept, reported on stderr, the run not marked complete', async (t) => {
  const dir = tempDir();
  const small = smallDisk(t, dir, '16k');
  if (!small) return;
  try {
    const out = path.join(small, 'out');
    const r = runPipetrace(['bash', '-c', 'for ((i = 0; i < 1000; i++)); do /bin/true $i; done; exit 4'], {
      dir,
      out,
      options: ['-q'],
    });
    assert.equal(r.status, 4, 'CMD status, whatever happened to the dataset');
    // docs/cli.md: tracing stops (or the tables cannot be finished), CMD runs on, one line names
    // the cause and 'pipetrace recover', and the journal keeps what was recorded.
    const l = r.stderr.split('\n').filter((x) => x);
    assert.equal(l.length, 1, `one line: ${r.stderr}`);
    assert.match(l[0], /(tracing stopped|cannot write the dataset to .*): .*No space left on device/);
    assert.match(l[0], new RegExp(`pipetrace recover ${out}`));
    assert.ok(fs.existsSync(path.join(out, '.pipetrace-journal')), 'the journal is kept');
    // On disk, no table passes for whole unless it is: a table is written under a hidden
    // name and gets its own only once closed whole (docs/dataset.md "Durability").
    for (const name of fs.readdirSync(out).filter((f) => f.endsWith('.parquet'))) {
      await query(`SELECT count(*) FROM ${sqlPath(path.join(out, name))}`);
      if (name === 'runs.parquet') {
        const [run] = await query(`SELECT status FROM ${sqlPath(path.join(out, name))}`);
        assert.equal(run.status, 'incomplete');
      }
    }
  } finally {
    spawnSync('umount', [small]);
  }
});
