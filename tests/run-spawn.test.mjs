// End-to-end tests of `pipetrace run`: spawn loops: one row per process, its parent, its exit code, its events.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { cleanup, runPipetrace } from './lib/pipetrace.mjs';
import { num, processes, query, runRow, sqlPath } from './lib/readers.mjs';
import { BASH, ok, rootRow } from './lib/run-helpers.mjs';

after(cleanup);

test('spawn loop: exactly one row per /bin/true, parented to bash, with exit codes', async () => {
  const r = runPipetrace(
    [
      'bash',
      '-c',
      'for ((i = 0; i < 200; i++)); do /bin/true; done;' +
        ' for ((i = 0; i < 49; i++)); do /bin/sh -c "exit $((i % 7))"; done; exit 0',
    ],
    { options: ['-q'] },
  );
  ok(r);
  const rows = await processes(r.out);
  assert.equal(rows.length, 1 + 200 + 49);
  const bash = rootRow(rows);
  assert.equal(bash.filename, BASH);
  assert.deepEqual(bash.argv.slice(0, 2), ['bash', '-c']);
  assert.equal(bash.end_reason, 'exit');
  assert.equal(num(bash.exit_code), 0);

  const trues = rows.filter((x) => x.filename === '/bin/true');
  assert.equal(trues.length, 200);
  for (const t of trues) {
    assert.equal(num(t.parent_exec_id), num(bash.exec_id));
    assert.equal(t.prev_exec_id, null);
    assert.equal(t.ppid, bash.pid);
    assert.deepEqual(t.argv, ['/bin/true']);
    assert.equal(t.cmdline, '/bin/true');
    assert.equal(num(t.exit_code), 0);
    assert.equal(t.signal, null);
    assert.equal(t.end_reason, 'exit');
    assert.notEqual(t.exec_time, null);
  }
  const shells = rows.filter((x) => x.filename === '/bin/sh');
  assert.equal(shells.length, 49);
  const codes = shells.map((s) => num(s.exit_code)).sort((a, b) => a - b);
  const expected = Array.from({ length: 49 }, (_, i) => i % 7).sort((a, b) => a - b);
  assert.deepEqual(codes, expected);
  for (const s of shells) assert.equal(num(s.parent_exec_id), num(bash.exec_id));

  assert.equal(new Set(rows.map((x) => x.exec_id)).size, rows.length, 'exec_id unique');
  assert.equal(new Set(rows.map((x) => x.pid)).size, rows.length, 'one pid per process');

  const run = await runRow(r.out);
  assert.equal(num(run.processes), rows.length);
  assert.equal(num(run.lost_events), 0);
  assert.equal(run.status, 'complete');
  assert.equal(num(run.exit_code), 0);
  assert.equal(run.signal, null);
  assert.deepEqual(run.command, r.cmd);
  assert.equal(run.cwd, r.dir);
  assert.equal(run.host, os.hostname());
  assert.equal(run.kernel, os.release());
  assert.ok(run.probes.includes('proc'));
  assert.ok(run.start_time < run.end_time);
  for (const x of rows) assert.equal(x.run_id, run.run_id);
  // events.parquet: one fork per forked process, one exec per image, one exit per process.
  const ev = sqlPath(path.join(r.out, 'events.parquet'));
  const pr = sqlPath(path.join(r.out, 'processes.parquet'));
  const counts = Object.fromEntries(
    (await query(`SELECT type, count(*)::INT AS n FROM ${ev} GROUP BY type`)).map((e) => [e.type, e.n]),
  );
  assert.equal(counts.fork, 249);
  assert.equal(counts.exec, 250);
  assert.equal(counts.exit, 250);
  const unmatched = await query(
    `SELECT p.exec_id FROM ${pr} p LEFT JOIN ${ev} e ON e.exec_id = p.exec_id AND e.type = 'exec'
     WHERE e.exec_id IS NULL OR e.ts <> p.exec_time OR e.pid <> p.pid`,
  );
  assert.deepEqual(unmatched, [], 'every image has its exec event, at its exec_time');
  const dangling = await query(
    `SELECT e.exec_id FROM ${ev} e ANTI JOIN ${pr} p ON e.exec_id = p.exec_id`,
  );
  assert.deepEqual(dangling, [], 'every event names an execution of processes.parquet');
  // DuckDB agrees with itself through SQL too.
  const [agg] = await query(
    `SELECT count(*)::INT AS n, count(*) FILTER (WHERE filename = '/bin/true')::INT AS trues
     FROM ${sqlPath(path.join(r.out, 'processes.parquet'))}`,
  );
  assert.deepEqual(agg, { n: 250, trues: 200 });
});
