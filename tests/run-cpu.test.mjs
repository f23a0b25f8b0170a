// End-to-end tests of `pipetrace run`: CPU time against getrusage, and the I/O charged to each process.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cleanup, runPipetrace, tool } from './lib/pipetrace.mjs';
import { num, processes, query, sqlPath } from './lib/readers.mjs';
import { ok, onlyRow, rootRow, relDiff } from './lib/run-helpers.mjs';

after(cleanup);

async function cpuAgainstRusage(cmd) {
  const r = runPipetrace([tool('rusage'), ...cmd], { options: ['-q'] });
  ok(r);
  const measured = Number(r.stdout.toString().trim());
  assert.ok(measured > 0, `rusage printed ${r.stdout}`);
  const rows = await processes(r.out);
  const root = rootRow(rows);
  assert.equal(root.filename, tool('rusage'));
  const traced = rows.filter((x) => x.exec_id !== root.exec_id);
  const sum = traced.reduce((s, x) => s + Number(x.cpu_ns), 0);
  assert.ok(
    relDiff(sum, measured) <= 0.02,
    `sum(cpu_ns) ${sum} vs RUSAGE_CHILDREN ${measured}: ${(relDiff(sum, measured) * 100).toFixed(2)} %`,
  );
  for (const x of rows) {
    assert.equal(
      BigInt(x.cpu_user_ns) + BigInt(x.cpu_sys_ns),
      BigInt(x.cpu_ns),
      `cpu_user_ns + cpu_sys_ns = cpu_ns for exec ${x.exec_id}`,
    );
  }
  const [bad] = await query(
    `SELECT count(*)::INT AS n FROM ${sqlPath(path.join(r.out, 'processes.parquet'))}
     WHERE cpu_user_ns + cpu_sys_ns <> cpu_ns OR cpu_ns < 0`,
  );
  assert.equal(bad.n, 0);
  return { rows, root, measured };
}

test('CPU: sum(cpu_ns) of 2000 /bin/true and their bash within 2 % of getrusage', async () => {
  const { rows } = await cpuAgainstRusage([
    'bash',
    '-c',
    'for ((i = 0; i < 2000; i++)); do /bin/true; done',
  ]);
  assert.equal(rows.length, 1 + 1 + 2000);
  assert.equal(rows.filter((x) => x.filename === '/bin/true').length, 2000);
});

// The last of these ends in a thread other than the leader, which exited first: its final
// accounting is read at that thread's last context switch, after the leader's.
test('CPU: busy processes (2 threads; a leader that exits first) within 2 % of getrusage', async () => {
  const spin = tool('spin');
  const { rows } = await cpuAgainstRusage([
    'bash',
    '-c',
    `"${spin}" 300 & "${spin}" 300 2 & "${spin}" 300 & "${tool('thread_exit')}" 0 0 300 & wait`,
  ]);
  const late = onlyRow(rows, (x) => x.filename === tool('thread_exit'), 'thread_exit');
  assert.ok(Number(late.cpu_ns) >= 300e6, `thread_exit: cpu_ns ${late.cpu_ns} < 300 ms`);
  const spins = rows.filter((x) => x.filename === spin);
  assert.equal(spins.length, 3);
  const threads = spins.map((x) => (x.argv[2] === '2' ? 2 : 1));
  spins.forEach((x, i) =>
    assert.ok(
      Number(x.cpu_ns) >= threads[i] * 300e6,
      `spin ${x.argv.slice(1).join(' ')}: cpu_ns ${x.cpu_ns} < ${threads[i] * 300} ms`,
    ),
  );
});

// CMD's final accounting is read at its last thread's last context switch, before pipetrace
// reaps it, not at sched_process_free: both threads' CPU must be in it, and only once.
test('CPU: CMD itself, a 2-thread spinner, accounted at its reap with both threads', async () => {
  const spin = tool('spin');
  const r = runPipetrace([spin, '200', '2'], { options: ['-q'] });
  ok(r);
  const [root] = await processes(r.out);
  assert.equal(root.filename, spin);
  const cpu = Number(root.cpu_ns);
  assert.ok(cpu >= 400e6 && cpu < 440e6, `cpu_ns ${cpu}: 2 threads x 200 ms`);
  assert.equal(BigInt(root.cpu_user_ns) + BigInt(root.cpu_sys_ns), BigInt(root.cpu_ns));
  assert.ok(Number(root.max_rss_kb) > 0 && Number(root.minor_faults) > 0, JSON.stringify(root));
  const [last] = await query(
    `SELECT max(cpu_ns)::BIGINT AS cpu FROM ${sqlPath(path.join(r.out, 'cpu_samples.parquet'))}`,
  );
  assert.equal(num(last.cpu), cpu, 'the final cpu sample states the same figure');
  const reaps = await query(
    `SELECT count(*)::INT AS n FROM ${sqlPath(path.join(r.out, 'events.parquet'))} WHERE type = 'free'`,
  );
  assert.equal(reaps[0].n, 1, 'one reap record for CMD');
});

test('CPU: the user/system split follows the work (a spinner vs one-byte syscalls)', async () => {
  const r = runPipetrace(
    ['bash', '-c', `"${tool('spin')}" 300; dd if=/dev/zero of=/dev/null bs=1 count=1000000 2>/dev/null`],
    { options: ['-q'] },
  );
  ok(r);
  const rows = await processes(r.out);
  const spin = onlyRow(rows, (x) => x.filename === tool('spin'), 'spin');
  const dd = onlyRow(rows, (x) => x.filename.endsWith('/dd'), 'dd');
  assert.ok(Number(spin.cpu_user_ns) >= 0.8 * Number(spin.cpu_ns), `spin: ${spin.cpu_user_ns} user of ${spin.cpu_ns}`);
  assert.ok(Number(dd.cpu_sys_ns) >= 0.3 * Number(dd.cpu_ns), `dd: ${dd.cpu_sys_ns} sys of ${dd.cpu_ns}`);
});

test("I/O: a parent's row does not include the I/O of the children it reaped", async () => {
  const r = runPipetrace(
    ['bash', '-c', 'dd if=/dev/zero of=data bs=1M count=8 conv=fsync 2>/dev/null; rm data'],
    { options: ['-q'] },
  );
  ok(r);
  const rows = await processes(r.out);
  const bash = rootRow(rows);
  const dd = onlyRow(rows, (x) => x.filename.endsWith('/dd'), 'dd');
  const total = rows.reduce((sum, x) => sum + Number(x.write_bytes), 0);
  // On a disk-backed folder dd's 8 MiB are counted once, for dd (tmpfs counts none).
  assert.ok(Number(bash.write_bytes) < 1 << 20, `bash wrote nothing itself: write_bytes ${bash.write_bytes}`);
  assert.ok(total <= Number(dd.write_bytes) + (1 << 20), `sum(write_bytes) ${total}, dd ${dd.write_bytes}`);
});
