// End-to-end tests of `pipetrace run`: orphans, daemons, and executions still running when the run ends.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, runPipetrace, spawnPipetrace, tempDir, tool, waitFor } from './lib/pipetrace.mjs';
import { num, processes, query, runRow, sqlPath } from './lib/readers.mjs';
import { ok, childrenOf, onlyRow, rootRow } from './lib/run-helpers.mjs';

after(cleanup);

test('orphan: a grandchild re-parented away from its parent is still traced', async () => {
  const r = runPipetrace(['bash', '-c', `"${tool('orphan')}" /bin/sh -c 'exit 5'; exit 0`], {
    options: ['-q', '--wait-all'],
  });
  ok(r);
  const orphanPid = Number(r.stdout.toString().trim());
  const rows = await processes(r.out);
  const bash = rootRow(rows);
  const forker = onlyRow(rows, (x) => x.filename === tool('orphan'), 'orphan tool');
  assert.equal(num(forker.parent_exec_id), num(bash.exec_id));
  const orphan = onlyRow(rows, (x) => x.pid === orphanPid, 'orphan');
  assert.equal(num(orphan.parent_exec_id), num(forker.exec_id), 'forked by the orphan tool');
  assert.equal(orphan.filename, '/bin/sh');
  assert.deepEqual(orphan.argv, ['/bin/sh', '-c', 'exit 5']);
  assert.notEqual(orphan.ppid, forker.pid, 'it exec-ed after being re-parented');
  assert.equal(orphan.end_reason, 'exit');
  assert.equal(num(orphan.exit_code), 5);
  assert.equal(rows.length, 3);
  assert.equal(num((await runRow(r.out)).processes), 3);
});

test('daemon: a double-forked daemon outliving CMD is "running" by default', async () => {
  const dir = tempDir();
  const release = path.join(dir, 'release');
  try {
    const r = runPipetrace([tool('daemon'), tool('waitfile'), release, '60'], {
      dir,
      options: ['-q'],
    });
    ok(r);
    const rows = await processes(r.out);
    assert.equal(rows.length, 3);
    const root = rootRow(rows);
    assert.equal(root.filename, tool('daemon'));
    assert.equal(num(root.exit_code), 0);
    const [child] = childrenOf(rows, root.exec_id);
    assert.equal(child.filename, tool('daemon'), 'the middle child never execs');
    assert.equal(child.exec_time, null);
    assert.equal(num(child.exit_code), 0);
    const [daemon] = childrenOf(rows, child.exec_id);
    assert.equal(daemon.filename, tool('waitfile'));
    assert.equal(daemon.end_reason, 'running');
    assert.equal(daemon.exit_code, null);
    assert.equal(daemon.signal, null);
    const run = await runRow(r.out);
    assert.equal(num(run.processes), 3);
  } finally {
    fs.writeFileSync(release, '');
  }
});

test('daemon: --wait-all waits for the daemon, which then ends with "exit"', async () => {
  const dir = tempDir();
  const release = path.join(dir, 'release');
  const cmdDone = path.join(dir, 'cmd-done');
  const p = spawnPipetrace(
    ['/bin/sh', '-c', `"${tool('daemon')}" "${tool('waitfile')}" "${release}" 60; touch "${cmdDone}"`],
    { dir, options: ['-q', '--wait-all'] },
  );
  try {
    await waitFor(() => fs.existsSync(cmdDone), 20000, 'CMD to finish');
    assert.equal(p.child.exitCode, null, 'pipetrace still waits for the daemon');
    fs.writeFileSync(release, '');
    const r = await p.done;
    assert.equal(r.status, 0, r.stderr);
    const rows = await processes(p.out);
    const daemon = onlyRow(rows, (x) => x.filename === tool('waitfile'), 'daemon');
    assert.equal(daemon.end_reason, 'exit');
    assert.equal(num(daemon.exit_code), 0);
    for (const x of rows) assert.equal(x.end_reason, 'exit', `exec ${x.exec_id}`);
    const [late] = await query(
      `SELECT (r.end_time >= max(p.end_time)) AS ok
       FROM ${sqlPath(path.join(p.out, 'runs.parquet'))} r,
            ${sqlPath(path.join(p.out, 'processes.parquet'))} p GROUP BY r.end_time`,
    );
    assert.equal(late.ok, true, 'the run ends after the daemon');
  } finally {
    fs.writeFileSync(release, '');
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await p.done;
  }
});

test('running at the end: figures so far from /proc, end_time = the end of the run', async () => {
  const dir = tempDir();
  const release = path.join(dir, 'release');
  try {
    const r = runPipetrace(
      ['/bin/sh', '-c', `"${tool('daemon')}" "${tool('spin')}" 300 1 "${release}"; "${tool('waitfile')}" "${release}.spun" 60`],
      { dir, options: ['-q'] },
    );
    ok(r);
    const rows = await processes(r.out);
    const spin = onlyRow(rows, (x) => x.filename === tool('spin'), 'spin');
    assert.equal(spin.end_reason, 'running');
    assert.equal(spin.exit_code, null);
    assert.equal(spin.signal, null);
    // CPU read from /proc is to the clock tick: allow one tick (at most 10 ms at 100 Hz).
    assert.ok(Number(spin.cpu_ns) >= 290e6 && Number(spin.cpu_ns) < 400e6, `cpu_ns ${spin.cpu_ns}`);
    assert.equal(BigInt(spin.cpu_user_ns) + BigInt(spin.cpu_sys_ns), BigInt(spin.cpu_ns));
    assert.ok(Number(spin.max_rss_kb) > 0, 'max_rss_kb so far');
    const run = await runRow(r.out);
    assert.equal(spin.end_time, run.end_time, 'a running execution ends with the run');
    for (const x of rows.filter((y) => y.end_reason !== 'running'))
      assert.ok(x.end_time <= run.end_time);
  } finally {
    fs.writeFileSync(release, '');
  }
});

test('--wait-all: a signal to pipetrace once CMD has exited stops the wait', async () => {
  const dir = tempDir();
  const release = path.join(dir, 'release');
  const cmdDone = path.join(dir, 'cmd-done');
  const p = spawnPipetrace(
    ['/bin/sh', '-c', `"${tool('daemon')}" "${tool('waitfile')}" "${release}" 60; echo $$ > "${cmdDone}"; exit 5`],
    { dir, options: ['-q', '--wait-all'] },
  );
  try {
    await waitFor(() => fs.existsSync(cmdDone) && fs.readFileSync(cmdDone, 'utf8').endsWith('\n'), 20000, 'CMD to finish');
    // CMD is over once pipetrace has reaped it: its /proc entry (kept while a zombie) is gone.
    const cmdPid = Number(fs.readFileSync(cmdDone, 'utf8'));
    await waitFor(() => !fs.existsSync(`/proc/${cmdPid}`), 20000, 'CMD to be reaped');
    p.child.kill('SIGTERM');
    const r = await p.done;
    assert.equal(r.status, 5, `CMD's status: ${r.status} ${r.signal} ${r.stderr}`);
    const rows = await processes(p.out);
    const daemon = onlyRow(rows, (x) => x.filename === tool('waitfile'), 'daemon');
    assert.equal(daemon.end_reason, 'running');
    assert.equal(num((await runRow(p.out)).exit_code), 5);
  } finally {
    fs.writeFileSync(release, '');
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.done;
  }
});
