// End-to-end tests of `pipetrace run`: real BPF, real processes, the dataset read back with
// DuckDB and cross-checked with hyparquet. No sleep is used to synchronise: every wait is a
// bounded wait for a condition (a file appearing, a process exiting).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cleanup,
  PIPETRACE,
  runPipetrace,
  spawnPipetrace,
  tempDir,
  tool,
  waitFor,
} from './lib/pipetrace.mjs';
import { num, processes, query, runRow, sqlPath } from './lib/readers.mjs';
import xterm from '@xterm/headless';

after(cleanup);

const { Terminal } = xterm;

const BASH = fs.realpathSync('/bin/bash');

function ok(r) {
  assert.equal(r.status, 0, `pipetrace exited ${r.status} (signal ${r.signal}): ${r.stderr}`);
}

/** The rows whose parent_exec_id is ID. */
function childrenOf(rows, id) {
  return rows.filter((r) => num(r.parent_exec_id) === num(id));
}

function onlyRow(rows, predicate, what) {
  const found = rows.filter(predicate);
  assert.equal(found.length, 1, `exactly one ${what} row in ${JSON.stringify(rows, null, 1)}`);
  return found[0];
}

/** The process tree's root: the execution pipetrace started (no parent, no previous image). */
function rootRow(rows) {
  return onlyRow(rows, (r) => r.parent_exec_id === null && r.prev_exec_id === null, 'root');
}

function relDiff(a, b) {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1);
}

// ---------------------------------------------------------------------------------------------
// Spawn loops

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

// ---------------------------------------------------------------------------------------------
// CPU

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

// ---------------------------------------------------------------------------------------------
// Exit codes and signals

for (const code of [0, 3, 255]) {
  test(`exit code: CMD exits ${code}`, async () => {
    const r = runPipetrace(['/bin/sh', '-c', `exit ${code}`], { options: ['-q'] });
    assert.equal(r.status, code, r.stderr);
    const run = await runRow(r.out);
    assert.equal(num(run.exit_code), code);
    assert.equal(run.signal, null);
    const rows = await processes(r.out);
    assert.equal(rows.length, 1);
    assert.equal(num(rows[0].exit_code), code);
    assert.equal(rows[0].signal, null);
    assert.equal(rows[0].end_reason, 'exit');
  });
}

for (const [name, n] of [
  ['KILL', 9],
  ['TERM', 15],
]) {
  test(`signal: CMD killed by SIG${name} -> pipetrace exits ${128 + n}`, async () => {
    const r = runPipetrace(['/bin/sh', '-c', `kill -${name} $$`], { options: ['-q'] });
    assert.equal(r.status, 128 + n, r.stderr);
    const run = await runRow(r.out);
    assert.equal(num(run.signal), n);
    assert.equal(run.exit_code, null);
    const rows = await processes(r.out);
    assert.equal(rows.length, 1);
    assert.equal(num(rows[0].signal), n);
    assert.equal(rows[0].exit_code, null);
    assert.equal(rows[0].core_dumped, false);
    assert.equal(rows[0].end_reason, 'exit');
  });
}

test('signal: a child killed by SIGSEGV without a core (RLIMIT_CORE 0)', async () => {
  const r = runPipetrace([tool('status'), '/bin/sh', '-c', 'ulimit -c 0; kill -SEGV $$'], {
    options: ['-q'],
  });
  ok(r);
  assert.equal(r.stdout.toString().trim(), 'signal 11 core 0');
  const rows = await processes(r.out);
  const sh = onlyRow(rows, (x) => x.filename === '/bin/sh', '/bin/sh');
  assert.equal(num(sh.signal), 11);
  assert.equal(sh.exit_code, null);
  assert.equal(sh.core_dumped, false);
});

test('signal: a child killed by SIGSEGV with a core dump', async () => {
  const r = runPipetrace([tool('status'), '/bin/sh', '-c', 'ulimit -c unlimited; kill -SEGV $$'], {
    options: ['-q'],
  });
  ok(r);
  // The parent's own view of how the child ended: the reference for core_dumped.
  const m = /^signal (\d+) core ([01])$/.exec(r.stdout.toString().trim());
  assert.ok(m, `status printed ${r.stdout}`);
  assert.equal(Number(m[1]), 11);
  const rows = await processes(r.out);
  const sh = onlyRow(rows, (x) => x.filename === '/bin/sh', '/bin/sh');
  assert.equal(num(sh.signal), 11);
  assert.equal(sh.exit_code, null);
  assert.equal(sh.core_dumped, m[2] === '1');
  if (fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim() === 'core')
    assert.equal(sh.core_dumped, true, 'core_pattern is "core" and the cwd is writable');
  assert.equal(sh.end_reason, 'exit');
  const run = await runRow(r.out);
  assert.equal(num(run.exit_code), 0);
});

test('exit code: a nested failing command has its own exit code', async () => {
  const r = runPipetrace(['bash', '-c', '/bin/sh -c "exit 7"; echo $? > status'], {
    options: ['-q'],
  });
  ok(r);
  assert.equal(fs.readFileSync(path.join(r.dir, 'status'), 'utf8').trim(), '7');
  const rows = await processes(r.out);
  const bash = rootRow(rows);
  const sh = onlyRow(rows, (x) => x.filename === '/bin/sh', '/bin/sh');
  assert.equal(num(sh.exit_code), 7);
  assert.equal(num(sh.parent_exec_id), num(bash.exec_id));
  assert.equal(num(bash.exit_code), 0);
});

test('a caller that ignores SIGCHLD: CMD is still waited for, and inherits the ignored SIGCHLD', async () => {
  // perl execs pipetrace with SIGCHLD ignored, which exec keeps: the kernel would reap CMD
  // itself if pipetrace left it so (pipetrace waited forever).
  const ignoring = ['perl', '-e', '$SIG{CHLD} = "IGNORE"; exec @ARGV'];
  const cmd = ['grep', '^SigIgn', '/proc/self/status'];
  const untraced = spawnSync(ignoring[0], [...ignoring.slice(1), ...cmd]);
  assert.match(untraced.stdout.toString(), /^SigIgn:\t[0-9a-f]*[13579bdf][0-9a-f]{4}\n$/, 'bit 16: SIGCHLD');
  const r = runPipetrace(cmd, { prefix: ignoring, options: ['-q'], timeout: 20000 });
  ok(r);
  assert.equal(r.stdout.toString(), untraced.stdout.toString());
  assert.equal(num(rootRow(await processes(r.out)).exit_code), 0);
  const failing = runPipetrace(['sh', '-c', 'exit 3'], { prefix: ignoring, options: ['-q'], timeout: 20000 });
  assert.equal(failing.status, 3, failing.stderr);
  assert.equal(num((await runRow(failing.out)).exit_code), 3);
});

// ---------------------------------------------------------------------------------------------
// Signals forwarded to CMD

for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT']) {
  test(`${sig} sent to pipetrace reaches CMD, whose trap exits 42`, async () => {
    const dir = tempDir();
    const ready = path.join(dir, 'ready');
    const never = path.join(dir, 'never');
    const marker = path.join(dir, 'marker');
    const name = sig.slice(3);
    const p = spawnPipetrace(
      [
        'bash',
        '-c',
        `trap 'echo trapped > "${marker}"; exit 42' ${name}; touch "${ready}";` +
          ` "${tool('waitfile')}" "${never}" 60 </dev/null >/dev/null 2>&1 & wait $!; exit 1`,
      ],
      { dir, options: ['-q'] },
    );
    try {
      await waitFor(() => fs.existsSync(ready), 20000, 'the trap to be set');
      p.child.kill(sig);
      const r = await p.done;
      assert.equal(r.status, 42, `status ${r.status}, signal ${r.signal}: ${r.stderr}`);
      assert.equal(fs.readFileSync(marker, 'utf8'), 'trapped\n');
      const run = await runRow(p.out);
      assert.equal(num(run.exit_code), 42);
      const rows = await processes(p.out);
      assert.equal(num(rootRow(rows).exit_code), 42);
    } finally {
      fs.writeFileSync(never, '');
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await p.done;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Orphans and daemons

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
  const small = path.join(dir, 'small');
  fs.mkdirSync(small);
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', small], { encoding: 'utf8' });
  if (mount.status !== 0) {
    t.skip(`cannot mount a small tmpfs here: ${mount.stderr.trim()}`);
    return;
  }
  try {
    const out = path.join(small, 'out');
    const r = runPipetrace(['bash', '-c', 'for ((i = 0; i < 1000; i++)); do /bin/true $i; done; exit 4'], {
      dir,
      out,
      options: ['-q'],
    });
    assert.equal(r.status, 4, 'CMD status, whatever happened to the dataset');
    assert.match(r.stderr, /No space left on device/);
    // docs/cli.md: a failure to finish the dataset is reported in runs.parquet (status 'incomplete').
    let run = null;
    try {
      run = (await query(`SELECT status FROM ${sqlPath(path.join(out, 'runs.parquet'))}`))[0];
    } catch {
      run = null; // runs.parquet itself could not be written: stderr said so
    }
    if (run) assert.notEqual(run.status, 'complete', 'the dataset is not complete');
  } finally {
    spawnSync('umount', [small]);
  }
});

// ---------------------------------------------------------------------------------------------
// Exec variants

// One process, two images: the first ended by the exec, the second linked to it by
// prev_exec_id with the same pid. Returns [first, second].
async function twoImages(r, status) {
  assert.equal(r.status, status, r.stderr);
  const rows = await processes(r.out);
  assert.equal(rows.length, 2);
  const [first, second] = rows;
  assert.equal(first.end_reason, 'exec');
  assert.equal(num(second.prev_exec_id), num(first.exec_id));
  assert.equal(second.pid, first.pid);
  return [first, second];
}

test('thread exec: a non-leader thread execs; one row for the new image, pid = tgid', async () => {
  const r = runPipetrace([tool('thread_exec'), '/bin/sh', '-c', 'echo $$; exit 4'], {
    options: ['-q'],
  });
  const shPid = Number(r.stdout.toString().trim());
  const [first, second] = await twoImages(r, 4);
  assert.equal(first.filename, tool('thread_exec'));
  assert.equal(first.exit_code, null);
  assert.equal(second.filename, '/bin/sh');
  assert.deepEqual(second.argv, ['/bin/sh', '-c', 'echo $$; exit 4']);
  assert.equal(second.parent_exec_id, first.parent_exec_id);
  assert.equal(second.pid, shPid, "the process's tgid");
  assert.equal(num(second.exit_code), 4);
  assert.equal(second.end_reason, 'exit');
});

test('thread exec after the leader thread has exited: one row, pid = tgid', async () => {
  const r = runPipetrace([tool('thread_exec'), '--leader-exits', '/bin/sh', '-c', 'echo $$; exit 4'], {
    options: ['-q'],
  });
  const [first, second] = await twoImages(r, 4);
  assert.equal(second.pid, Number(r.stdout.toString().trim()));
  assert.equal(second.filename, '/bin/sh');
  assert.equal(num(second.exit_code), 4);
});

test('exit code of a process whose leader thread exited first is what wait(2) reports', async () => {
  const r = runPipetrace([tool('status'), tool('thread_exit'), '7', '3'], { options: ['-q'] });
  ok(r);
  const m = /^exit (\d+)$/.exec(r.stdout.toString().trim());
  assert.ok(m, `status printed ${r.stdout}`);
  const rows = await processes(r.out);
  const x = onlyRow(rows, (y) => y.filename === tool('thread_exit'), 'thread_exit');
  assert.equal(num(x.exit_code), Number(m[1]));
  assert.equal(x.signal, null);
  assert.equal(x.end_reason, 'exit');
});

test('a long exec chain: 51 images of one pid, each linked to the one before', async () => {
  const script = 'if [ "$1" -lt 50 ]; then exec /bin/bash -c "$0" "$0" "$(($1 + 1))"; fi; exit 9';
  const r = runPipetrace(['/bin/bash', '-c', script, script, '0'], { options: ['-q'] });
  assert.equal(r.status, 9, r.stderr);
  const rows = await processes(r.out);
  assert.equal(rows.length, 51);
  rows.forEach((x, i) => {
    assert.equal(x.pid, rows[0].pid);
    assert.equal(x.argv.at(-1), String(i));
    assert.equal(num(x.prev_exec_id), i ? num(rows[i - 1].exec_id) : null);
    assert.equal(x.end_reason, i < 50 ? 'exec' : 'exit');
    assert.equal(num(x.exit_code), i < 50 ? null : 9);
  });
  assert.equal(num((await runRow(r.out)).processes), 51);
});

test("max_rss_kb of CMD is its own peak, not pipetrace's", async () => {
  const cmd = ['bash', '-c', '/bin/true; exec /bin/true'];
  // GNU time's view of the same command, untraced: the reference (same getrusage unit).
  const timed = spawnSync('/usr/bin/time', ['-f', '%M', ...cmd], { encoding: 'utf8' });
  assert.equal(timed.status, 0, timed.stderr);
  const reference = Number(timed.stderr.trim().split('\n').at(-1));
  assert.ok(reference > 0 && reference < 65536, `GNU time: ${reference} KiB`);
  const r = runPipetrace(cmd, { options: ['-q'] });
  ok(r);
  const rows = await processes(r.out);
  assert.equal(rows.length, 3);
  const [bash, forked, replaced] = rows;
  const near = (kb) => Number(kb) <= 2 * reference + 4096;
  assert.ok(near(forked.max_rss_kb), `/bin/true forked by bash: ${forked.max_rss_kb} KiB`);
  assert.ok(near(bash.max_rss_kb), `bash (CMD): ${bash.max_rss_kb} KiB, GNU time ${reference} KiB`);
  assert.ok(near(replaced.max_rss_kb), `bash exec /bin/true: ${replaced.max_rss_kb} KiB`);
});

test('CPU across exec: each image gets only its own CPU', async () => {
  const spin = tool('spin');
  const r = runPipetrace(
    [tool('rusage'), '/bin/sh', '-c', `"${spin}" 100; exec "${spin}" 250`],
    { options: ['-q'] },
  );
  ok(r);
  const measured = Number(r.stdout.toString().trim());
  const rows = await processes(r.out);
  assert.equal(rows.length, 4);
  const sh = onlyRow(rows, (x) => x.filename === '/bin/sh', '/bin/sh');
  const child = onlyRow(rows, (x) => x.argv[1] === '100', 'spin 100');
  const replaced = onlyRow(rows, (x) => x.argv[1] === '250', 'spin 250');
  assert.equal(sh.end_reason, 'exec');
  assert.equal(num(replaced.prev_exec_id), num(sh.exec_id));
  assert.equal(num(child.parent_exec_id), num(sh.exec_id));
  assert.ok(Number(sh.cpu_ns) < 50e6, `the shell's own image: ${sh.cpu_ns} ns`);
  assert.ok(Number(child.cpu_ns) >= 100e6 && Number(child.cpu_ns) < 150e6, `spin 100: ${child.cpu_ns}`);
  // spin counts its thread's CPU clock, which an exec does not reset: the shell's part counts.
  const both = Number(sh.cpu_ns) + Number(replaced.cpu_ns);
  assert.ok(both >= 250e6 && both < 300e6, `sh + spin 250: ${sh.cpu_ns} + ${replaced.cpu_ns}`);
  assert.ok(Number(replaced.cpu_ns) >= 200e6, `spin 250: ${replaced.cpu_ns}`);
  const sum = Number(sh.cpu_ns) + Number(child.cpu_ns) + Number(replaced.cpu_ns);
  assert.ok(relDiff(sum, measured) <= 0.02, `sum ${sum} vs getrusage ${measured}`);
});

test('ns_pid in a new pid namespace is the pid inside it', async () => {
  const r = runPipetrace(['unshare', '--pid', '--fork', '/bin/sh', '-c', 'echo $$; /bin/sh -c "echo \\$\\$"'], {
    options: ['-q'],
  });
  ok(r);
  assert.deepEqual(r.stdout.toString().trim().split('\n'), ['1', '2']);
  const rows = await processes(r.out);
  const shells = rows.filter((x) => x.filename === '/bin/sh');
  assert.equal(shells.length, 2);
  assert.deepEqual(shells.map((x) => x.ns_pid), [1, 2]);
  for (const x of shells) assert.ok(x.pid > 2, 'pid is the pid in the initial namespace');
  assert.equal(num(shells[1].parent_exec_id), num(shells[0].exec_id));
});

test('cwd is the working directory at exec, even for a process gone at once', async () => {
  const dir = fs.realpathSync(tempDir()); // the kernel names the resolved path
  const deep = path.join(dir, 'a b', 'c');
  fs.mkdirSync(deep, { recursive: true });
  const r = runPipetrace(
    ['bash', '-c', `cd "${deep}" && /bin/true; cd / && /bin/true; cd "${deep}" && exec /bin/true`],
    { dir, options: ['-q'] },
  );
  ok(r);
  const rows = await processes(r.out);
  assert.equal(rows.length, 4);
  const [bash, first, second, replaced] = rows;
  assert.equal(bash.cwd, dir, 'where pipetrace started CMD');
  assert.equal(first.cwd, deep);
  assert.equal(second.cwd, '/');
  assert.equal(replaced.cwd, deep);
  assert.equal(num(replaced.prev_exec_id), num(bash.exec_id));
});

test('cwd 120 directories deep (745 bytes): the real path, never a different one', async () => {
  const dir = fs.realpathSync(tempDir());
  let deep = dir;
  for (let i = 1; i <= 120; i++) deep = path.join(deep, `dir${i}`);
  fs.mkdirSync(deep, { recursive: true });
  const r = runPipetrace(['bash', '-c', `cd "${deep}" && /bin/true`], { dir, options: ['-q'] });
  ok(r);
  const rows = await processes(r.out);
  const t = onlyRow(rows, (x) => x.filename === '/bin/true', '/bin/true');
  assert.ok(t.cwd === null || t.cwd === deep, `cwd ${t.cwd?.length} bytes: ${t.cwd?.slice(0, 40)}...`);
  assert.equal(t.cwd, deep, 'the path fits PATH_MAX: it is known');
});

test('uid and gid are those at exec: setpriv inside the tree', async () => {
  const r = runPipetrace(
    ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '/bin/sh', '-c', 'id -u'],
    { options: ['-q'] },
  );
  ok(r);
  assert.equal(r.stdout.toString().trim(), '65534');
  const rows = await processes(r.out);
  const root = rootRow(rows);
  assert.equal(num(root.uid), 0);
  const sh = onlyRow(rows, (x) => x.filename === '/bin/sh', '/bin/sh');
  assert.equal(num(sh.uid), 65534);
  assert.equal(num(sh.gid), 65534);
  assert.equal(num(sh.prev_exec_id), num(root.exec_id));
});

test('a parallel fan-out: 400 processes 8 at a time, every one counted, none lost', async () => {
  const r = runPipetrace(
    ['/bin/sh', '-c', 'seq 1 400 | xargs -P 8 -n 1 /bin/sh -c \'exit $(($1 % 3))\' sh; exit 0'],
    { options: ['-q'] },
  );
  ok(r);
  const rows = await processes(r.out);
  const workers = rows.filter((x) => x.argv[0] === '/bin/sh' && x.argv[3] === 'sh');
  assert.equal(workers.length, 400);
  const xargs = onlyRow(rows, (x) => x.filename.endsWith('/xargs'), 'xargs');
  for (const w of workers) {
    assert.equal(num(w.parent_exec_id), num(xargs.exec_id));
    assert.equal(num(w.exit_code), Number(w.argv[4]) % 3);
  }
  assert.equal(rows.length, 1 + 1 + 1 + 400); // sh, seq, xargs, workers
  const run = await runRow(r.out);
  assert.equal(num(run.processes), rows.length);
  assert.equal(num(run.lost_events), 0);
  assert.equal(run.status, 'complete');
});

test('times are consistent: start <= exec <= end, duration_ns, within the run', async () => {
  const r = runPipetrace(
    ['bash', '-c', '( /bin/true ); /bin/sh -c "exec /bin/true"; for i in 1 2 3; do /bin/true; done'],
    { options: ['-q'] },
  );
  ok(r);
  const p = sqlPath(path.join(r.out, 'processes.parquet'));
  const runs = sqlPath(path.join(r.out, 'runs.parquet'));
  const bad = await query(
    `SELECT p.exec_id, p.filename FROM ${p} AS p, ${runs} AS run
     WHERE p.start_time > p.end_time
        OR (p.exec_time IS NOT NULL AND (p.exec_time < p.start_time OR p.exec_time > p.end_time))
        OR abs(p.duration_ns - (epoch_us(p.end_time) - epoch_us(p.start_time)) * 1000) > 1000
        OR p.start_time < run.start_time OR p.end_time > run.end_time`,
  );
  assert.deepEqual(bad, []);
  const orphaned = await query(
    `SELECT c.exec_id FROM ${p} c LEFT JOIN ${p} par ON c.parent_exec_id = par.exec_id
     WHERE c.parent_exec_id IS NOT NULL AND (par.exec_id IS NULL OR c.start_time < par.start_time)`,
  );
  assert.deepEqual(orphaned, [], 'every parent exists and started first');
});

test('a child forked by a non-main thread: parented to the process, ppid = its tgid', async () => {
  const r = runPipetrace([tool('thread_fork'), '/bin/sh', '-c', 'echo $PPID; exit 6'], { options: ['-q'] });
  assert.equal(r.status, 6, r.stderr);
  const rows = await processes(r.out);
  assert.equal(rows.length, 2);
  const [parent, child] = rows;
  assert.equal(parent.filename, tool('thread_fork'));
  assert.equal(num(child.parent_exec_id), num(parent.exec_id));
  assert.equal(child.ppid, parent.pid);
  assert.equal(child.ppid, Number(r.stdout.toString().trim()));
  assert.equal(child.filename, '/bin/sh');
  assert.equal(num(child.exit_code), 6);
  assert.equal(num(parent.exit_code), 6);
});

test('execveat with an fd and AT_EMPTY_PATH', async () => {
  const r = runPipetrace([tool('execveat'), 'fd', '/bin/sh', '-c', 'exit 6'], {
    options: ['-q'],
  });
  const [first, second] = await twoImages(r, 6);
  assert.deepEqual(second.argv, ['/bin/sh', '-c', 'exit 6']);
  // docs/dataset.md: the path as passed to execve, /dev/fd/N forms for execveat on an fd.
  assert.match(second.filename, /^\/dev\/fd\/\d+$/);
  assert.notEqual(second.exec_time, null);
  assert.equal(num(second.exit_code), 6);
});

test('execveat with a dirfd and a relative path', async () => {
  const r = runPipetrace([tool('execveat'), 'dirfd', '/bin', 'sh', '-c', 'exit 7'], {
    options: ['-q'],
  });
  const [first, second] = await twoImages(r, 7);
  assert.deepEqual(second.argv, ['sh', '-c', 'exit 7']);
  assert.match(second.filename, /^\/dev\/fd\/\d+\/sh$/);
  assert.equal(num(second.exit_code), 7);
});

test('exec chain: rows linked by prev_exec_id, same pid, "exec" for all but the last', async () => {
  const r = runPipetrace(
    ['bash', '-c', `/bin/sh -c 'exec /bin/sh -c "exec /bin/true"'; exit 0`],
    { options: ['-q'] },
  );
  ok(r);
  const rows = await processes(r.out);
  assert.equal(rows.length, 4);
  const bash = rootRow(rows);
  const chain = rows.filter((x) => x.exec_id !== bash.exec_id);
  assert.deepEqual(
    chain.map((x) => x.filename),
    ['/bin/sh', '/bin/sh', '/bin/true'],
  );
  assert.deepEqual(
    chain.map((x) => x.end_reason),
    ['exec', 'exec', 'exit'],
  );
  assert.equal(chain[0].prev_exec_id, null);
  assert.equal(num(chain[1].prev_exec_id), num(chain[0].exec_id));
  assert.equal(num(chain[2].prev_exec_id), num(chain[1].exec_id));
  for (const x of chain) {
    assert.equal(x.pid, chain[0].pid);
    assert.equal(num(x.parent_exec_id), num(bash.exec_id), 'every image has the same parent');
    assert.notEqual(x.exec_time, null);
  }
  assert.deepEqual(chain[1].argv, ['/bin/sh', '-c', 'exec /bin/true']);
  assert.equal(chain[0].exit_code, null);
  assert.equal(chain[1].exit_code, null);
  assert.equal(num(chain[2].exit_code), 0);
  // Each image starts when the previous one ends.
  const [gaps] = await query(
    `SELECT count(*)::INT AS n FROM ${sqlPath(path.join(r.out, 'processes.parquet'))} a
     JOIN ${sqlPath(path.join(r.out, 'processes.parquet'))} b ON b.prev_exec_id = a.exec_id
     WHERE a.end_time <> b.start_time OR b.exec_time <> b.start_time`,
  );
  assert.equal(gaps.n, 0);
});

test('subshell: a child that never execs is one row with the parent image, no exec_time', async () => {
  const script = '( /bin/true; exit 3 ); exit 0';
  const r = runPipetrace(['bash', '-c', script], { options: ['-q'] });
  ok(r);
  const rows = await processes(r.out);
  assert.equal(rows.length, 3);
  const bash = rootRow(rows);
  const [sub] = childrenOf(rows, bash.exec_id);
  assert.equal(sub.filename, BASH);
  assert.deepEqual(sub.argv, ['bash', '-c', script]);
  assert.equal(sub.comm, 'bash');
  assert.equal(sub.exec_time, null);
  assert.equal(sub.prev_exec_id, null);
  assert.equal(num(sub.exit_code), 3);
  assert.equal(sub.end_reason, 'exit');
  assert.equal(sub.ppid, bash.pid);
  const [t] = childrenOf(rows, sub.exec_id);
  assert.equal(t.filename, '/bin/true');
  assert.equal(t.ppid, sub.pid);
});

test('ns_pid is the pid in its own namespace: equal to pid here, subshells included', async () => {
  // pipetrace runs in the initial pid namespace in this suite (one NSpid entry).
  const nspid = fs
    .readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('NSpid:'));
  assert.equal(nspid.trim().split(/\s+/).length, 2, 'the suite runs in the initial pid namespace');
  const r = runPipetrace(['bash', '-c', '( /bin/true; exit 0 ); /bin/true; exit 0'], {
    options: ['-q'],
  });
  ok(r);
  const rows = await processes(r.out);
  assert.equal(rows.length, 4);
  for (const x of rows)
    assert.equal(x.ns_pid, x.pid, `exec ${x.exec_id} (${x.filename}, exec_time ${x.exec_time})`);
});

// ---------------------------------------------------------------------------------------------
// argv

/** Deterministic bytes (xorshift32). */
function pseudoRandom(n, seed = 12345) {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The documented decoding: every \xHH becomes its byte; everything else is literal. */
function unescapeArg(s) {
  const b = Buffer.from(s, 'utf8');
  const out = [];
  const hex = (c) => /[0-9A-Fa-f]/.test(String.fromCharCode(c));
  for (let i = 0; i < b.length; ) {
    if (b[i] === 0x5c && b[i + 1] === 0x78 && i + 3 < b.length && hex(b[i + 2]) && hex(b[i + 3])) {
      out.push(parseInt(String.fromCharCode(b[i + 2], b[i + 3]), 16));
      i += 4;
    } else {
      out.push(b[i++]);
    }
  }
  return Buffer.from(out);
}

/** The argv bytes pipetrace must have seen, joined with NULs (no trailing NUL). */
function joined(args) {
  return Buffer.concat(args.flatMap((a, i) => (i ? [Buffer.from([0]), Buffer.from(a)] : [Buffer.from(a)])));
}

test('argv: one argument of 50 KB round-trips exactly', async () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const big = Array.from(pseudoRandom(50 * 1024), (b) => alphabet[b % alphabet.length]).join('');
  const r = runPipetrace(['/bin/true', big], { options: ['-q'] });
  ok(r);
  const [row] = await processes(r.out);
  assert.equal(row.argv.length, 2);
  assert.equal(row.argv[1].length, big.length);
  assert.equal(row.argv[1], big);
  assert.equal(row.argv_truncated, false);
  assert.equal(row.cmdline, `/bin/true ${big}`);
});

test('argv: 5000 arguments, count and values', async () => {
  const args = Array.from({ length: 5000 }, (_, i) => `arg-${i}`);
  const r = runPipetrace(['/bin/true', ...args], { options: ['-q'] });
  ok(r);
  const [row] = await processes(r.out);
  assert.equal(row.argv.length, 5001);
  assert.deepEqual(row.argv, ['/bin/true', ...args]);
  assert.equal(row.argv_truncated, false);
  const [n] = await query(
    `SELECT len(argv)::INT AS n, argv[5001] AS last FROM ${sqlPath(path.join(r.out, 'processes.parquet'))}`,
  );
  assert.deepEqual(n, { n: 5001, last: 'arg-4999' });
});

test('argv: bytes that are not UTF-8 are escaped as documented and decode back', async () => {
  const fixed = [
    [Buffer.from([0xff]), '\\xFF'],
    [Buffer.from([0x61, 0xc3, 0x28]), 'a\\xC3('], // invalid continuation
    [Buffer.from('\\x41'), '\\x5Cx41'], // a backslash that would read as an escape
    [Buffer.from('\\xZZ'), '\\xZZ'], // one that would not
    [Buffer.from('end\\'), 'end\\'],
    [Buffer.from('€ ok'), '€ ok'],
    [Buffer.from([0xed, 0xa0, 0x80]), '\\xED\\xA0\\x80'], // a UTF-16 surrogate
    [Buffer.from([0xc0, 0xaf]), '\\xC0\\xAF'], // overlong
    [Buffer.alloc(0), ''],
  ];
  // Random bytes dense in backslashes, 'x' and hex digits, the hard cases for the escape.
  const pool = Buffer.from('\\\\\\xxxaF09\xff\xc3\xa9\x80 \'"');
  const random = Array.from({ length: 40 }, (_, k) => {
    const raw = pseudoRandom(1 + (k % 23), 1000 + k);
    return Buffer.from(Array.from(raw, (b) => (b % 3 === 0 ? (b | 0x80) : pool[b % pool.length] || 0x41)));
  });
  const args = [...fixed.map(([b]) => b), ...random];
  const r = runPipetrace([tool('argv_bytes'), '/bin/true', ...args.map((b) => b.toString('hex'))], {
    options: ['-q'],
  });
  ok(r);
  const rows = await processes(r.out);
  const row = onlyRow(rows, (x) => x.filename === '/bin/true', '/bin/true');
  assert.equal(row.argv.length, 1 + args.length);
  fixed.forEach(([, escaped], i) => assert.equal(row.argv[1 + i], escaped, `argument ${i + 1}`));
  args.forEach((bytes, i) =>
    assert.deepEqual(unescapeArg(row.argv[1 + i]), bytes, `argument ${i + 1} decodes back`),
  );
  for (const a of row.argv) assert.ok(!a.includes('\uFFFD'), 'valid UTF-8, no replacement character');
});

test('argv: cmdline is the shell-quoted join of argv (a shell reads it back as argv)', async () => {
  const args = ['a b', "it's", '', 'plain', '$HOME', 'x"y', 'tab\there', '*'];
  const r = runPipetrace(['/bin/true', ...args], { options: ['-q'] });
  ok(r);
  const [row] = await processes(r.out);
  assert.deepEqual(row.argv, ['/bin/true', ...args]);
  assert.ok(row.cmdline.startsWith("/bin/true 'a b' 'it'\\''s' '' plain "), row.cmdline);
  const back = spawnSync('bash', ['-c', `printf '%s\\0' ${row.cmdline}`], { encoding: 'utf8' });
  assert.equal(back.status, 0, back.stderr);
  assert.deepEqual(back.stdout.split('\0').slice(0, -1), row.argv);
});

test('argv: an empty argv (execve with NULL and with {NULL}) gives a row, no crash', async () => {
  for (const mode of ['null', 'empty']) {
    const r = runPipetrace([tool('empty_argv'), mode, '/bin/true'], { options: ['-q'] });
    ok(r);
    const rows = await processes(r.out);
    assert.equal(rows.length, 2, mode);
    const row = rows[1];
    assert.equal(row.filename, '/bin/true');
    assert.ok(
      row.argv.length === 0 || (row.argv.length === 1 && row.argv[0] === ''),
      `${mode}: argv ${JSON.stringify(row.argv)}`,
    );
    assert.equal(row.argv_truncated, false);
    assert.equal(num(row.exit_code), 0);
    assert.equal(num(row.prev_exec_id), num(rows[0].exec_id));
  }
});

async function truncation(options, total, expectTruncated, limit) {
  // Arguments of 999 bytes + NUL: the argv bytes are 10 (/bin/true) + 1000 per argument.
  const count = Math.ceil(total / 1000);
  const args = Array.from({ length: count }, (_, i) =>
    `${String(i).padStart(6, '0')}${'abcdefghij'.repeat(100)}`.slice(0, 999),
  );
  const r = runPipetrace(['/bin/true', ...args], { options: ['-q', ...options] });
  ok(r);
  const [row] = await processes(r.out);
  assert.equal(row.argv_truncated, expectTruncated);
  const full = joined(['/bin/true', ...args]);
  if (!expectTruncated) {
    assert.deepEqual(row.argv, ['/bin/true', ...args]);
    return;
  }
  const kept = joined(row.argv);
  assert.ok(full.subarray(0, kept.length).equals(kept), 'the kept argv is a prefix');
  // limit bytes kept: the last one either a NUL (dropped) or inside a word cut short.
  assert.ok(kept.length === limit || kept.length === limit - 1, `kept ${kept.length} of ${limit}`);
  const opts = JSON.parse((await runRow(r.out)).options);
  assert.equal(opts.max_args, limit);
}

test('argv: --max-args 4K with a 10K argv is truncated, the kept prefix exact', async () => {
  await truncation(['--max-args', '4K'], 10 * 1024, true, 4096);
});

test('argv: truncation inside a multi-byte character keeps an exact, decodable prefix', async () => {
  const args = Array.from({ length: 20 }, (_, i) => `${i}:${'é€'.repeat(60)}`);
  const r = runPipetrace(['/bin/true', ...args], { options: ['-q', '--max-args', '4K'] });
  ok(r);
  const [row] = await processes(r.out);
  assert.equal(row.argv_truncated, true);
  const full = joined(['/bin/true', ...args]);
  const kept = joined(row.argv.map(unescapeArg));
  assert.ok(kept.length === 4096 || kept.length === 4095, `kept ${kept.length}`);
  assert.ok(full.subarray(0, kept.length).equals(kept), 'the decoded kept argv is a prefix');
  assert.ok(/\\x[89A-F][0-9A-F]$/.test(row.argv.at(-1)) || kept.length === 4095, 'cut inside é or €');
  for (const a of row.argv) assert.ok(!a.includes('\uFFFD'));
});

test('argv: the default limit (64K) truncates a 100K argv', async () => {
  await truncation([], 100 * 1024, true, 65536);
});

test('argv: --max-args 1M truncates a 1.5M argv at 1M', async () => {
  await truncation(['--max-args', '1M'], 1536 * 1024, true, 1 << 20);
});

test('argv: --max-args 1M keeps a 500K argv whole', async () => {
  await truncation(['--max-args', '1M'], 500 * 1024, false, 1 << 20);
});

// ---------------------------------------------------------------------------------------------
// Every string column is valid UTF-8, whatever the bytes: escaped as argv is (src/model/argv.h)

/** Reads the dataset fully with both readers and checks the run is complete. */
async function completeDataset(out) {
  const rows = await processes(out);
  const run = await runRow(out);
  assert.equal(run.status, 'complete');
  return { rows, run };
}

test('strings: a program name that is not UTF-8 (filename and comm escaped)', async () => {
  const dir = tempDir();
  const name = Buffer.concat([Buffer.from('link'), Buffer.from([0xff])]);
  fs.symlinkSync('/bin/true', Buffer.concat([Buffer.from(`${dir}/`), name]));
  const r = runPipetrace(['/bin/sh', '-c', 'exec ./link*'], { dir, options: ['-q'] });
  ok(r);
  assert.equal(r.stderr, '', 'no error writing the dataset');
  const { rows } = await completeDataset(r.out);
  const x = rows.at(-1);
  assert.equal(x.filename, './link\\xFF');
  assert.deepEqual(unescapeArg(x.comm), name);
});

test('strings: a long non-ASCII program name, its comm cut inside a character', async () => {
  const dir = tempDir();
  const name = 'ééééééééé'; // 18 bytes: the kernel keeps 15 of them in comm
  fs.symlinkSync('/bin/true', path.join(dir, name));
  const r = runPipetrace(['/bin/sh', '-c', `exec ./${name}`], { dir, options: ['-q'] });
  ok(r);
  assert.equal(r.stderr, '', 'no error writing the dataset');
  const { rows } = await completeDataset(r.out);
  const x = rows.at(-1);
  assert.equal(x.filename, `./${name}`);
  assert.deepEqual(unescapeArg(x.comm), Buffer.from(name).subarray(0, 15));
});

test('strings: a working directory that is not UTF-8 (processes.cwd and runs.cwd escaped)', async () => {
  const dir = tempDir();
  const bad = Buffer.concat([Buffer.from(`${dir}/bad`), Buffer.from([0xff]), Buffer.from('dir')]);
  fs.mkdirSync(bad);
  const r = runPipetrace(['/bin/true'], {
    dir,
    options: ['-q'],
    prefix: ['/bin/sh', '-c', 'cd "$(printf "%s/bad\\377dir" "$0")" && exec "$@"', dir],
  });
  ok(r);
  assert.equal(r.stderr, '', 'no error writing the dataset');
  const { rows, run } = await completeDataset(r.out);
  assert.deepEqual(unescapeArg(run.cwd), bad);
  assert.deepEqual(unescapeArg(rows[0].cwd), bad);
});

test('strings: a CMD argument that is not UTF-8 (runs.command escaped like argv)', async () => {
  const r = runPipetrace(['/bin/true', 'a'], {
    options: ['-q'],
    prefix: ['/bin/sh', '-c', 'exec "$@" "$(printf "\\377")"', 'sh'],
  });
  ok(r);
  assert.equal(r.stderr, '', 'no error writing the dataset');
  const { rows, run } = await completeDataset(r.out);
  assert.deepEqual(rows[0].argv, ['/bin/true', 'a', '\\xFF']);
  assert.deepEqual(run.command, ['/bin/true', 'a', '\\xFF']);
});

// ---------------------------------------------------------------------------------------------
// Monitoring never changes the pipeline's result

test('stdout is byte-identical with and without pipetrace', async () => {
  const cmd = [
    '/bin/sh',
    '-c',
    'seq 1 300000 | gzip -n -1 | cat; printf "\\000\\377\\200tail"; seq 1 1000 | od -c',
  ];
  const direct = spawnSync(cmd[0], cmd.slice(1), { maxBuffer: 256 << 20 });
  assert.equal(direct.status, 0);
  const r = runPipetrace(cmd);
  ok(r);
  const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
  assert.ok(direct.stdout.length > 100000);
  assert.equal(r.stdout.length, direct.stdout.length);
  assert.equal(sha(r.stdout), sha(direct.stdout));
  const rows = await processes(r.out);
  assert.ok(rows.some((x) => x.filename.endsWith('/gzip')));
});

test('stderr a pipe nobody reads any more: pipetrace still exits with CMD\'s status', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  // The reader closes its end first; only then does CMD exit and pipetrace write its summary.
  const script =
    `{ "${PIPETRACE}" run -o "${out}" -- /bin/sh -c '"${tool('waitfile')}" "${dir}/gone" 30; exit 3';` +
    ` echo $? > "${dir}/status"; } 2>&1 | { exec 0<&-; touch "${dir}/gone"; }`;
  const r = spawnSync('/bin/sh', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(dir, 'status'), 'utf8').trim(), '3', 'not 141 (SIGPIPE)');
  assert.equal(num((await runRow(out)).exit_code), 3);
});

test('CMD inherits the signals its caller ignores (nohup-style), as without pipetrace', async () => {
  const ignoring = ['/bin/sh', '-c', 'trap "" HUP INT QUIT TERM PIPE; exec "$@"', 'sh'];
  const probe = ['grep', '^SigIgn', '/proc/self/status'];
  const direct = spawnSync(ignoring[0], [...ignoring.slice(1), ...probe], { encoding: 'utf8' });
  assert.equal(direct.status, 0, direct.stderr);
  // HUP INT QUIT PIPE TERM are ignored (the caller may ignore more, e.g. a real-time signal).
  const ignored = BigInt('0x' + direct.stdout.match(/^SigIgn:\s+([0-9a-f]+)$/m)[1]);
  assert.equal(ignored & 0x5007n, 0x5007n, direct.stdout);
  const r = runPipetrace(probe, { options: ['-q'], prefix: ignoring });
  ok(r);
  assert.equal(r.stdout.toString(), direct.stdout);
});

test('CMD gets the same process attributes: umask, signal mask, capabilities, limits, fds', async () => {
  // Each program reports its own attributes (/proc/self): a shell blocks signals around fork.
  const script =
    'grep -E "^(Umask|SigBlk|SigIgn|Cap|NoNewPrivs|Seccomp)" /proc/self/status;' +
    ' cat /proc/self/limits /proc/self/oom_score_adj; cut -d" " -f19 /proc/self/stat;' +
    ' ls /proc/self/fd';
  const direct = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(direct.status, 0, direct.stderr);
  const r = runPipetrace(['/bin/sh', '-c', script], { options: ['-q'] });
  ok(r);
  assert.equal(r.stdout.toString(), direct.stdout, 'no leaked fd, no changed attribute');
});

test('CMD gets the same environment as without pipetrace', async () => {
  const direct = spawnSync('env', [], { encoding: 'utf8' });
  const r = runPipetrace(['env'], { options: ['-q'] });
  ok(r);
  const vars = (text) => text.split('\n').filter((l) => l && !l.startsWith('_=')).sort();
  assert.deepEqual(vars(r.stdout.toString()), vars(direct.stdout));
});

test('stdin is passed through: pipetrace run -- cat', async () => {
  const input = pseudoRandom(1 << 20, 777);
  const r = runPipetrace(['cat'], { input, options: ['-q'] });
  ok(r);
  assert.ok(r.stdout.equals(input), 'cat echoed its stdin');
  const rows = await processes(r.out);
  assert.equal(rows.length, 1);
  assert.ok(Number(rows[0].read_bytes) >= 0);
});

// The live status line, seen on a terminal: script(1) gives pipetrace a pseudo-terminal of 24
// rows and records what was written to it; @xterm/headless replays that as a terminal would.
// CMD waits (bounded) until the status line has been drawn, so no timing is assumed.
test('on a terminal, the status line keeps to the bottom row; CMD\'s output scrolls above it', async () => {
  const dir = tempDir();
  const typescript = path.join(dir, 'typescript');
  const cmd = path.join(dir, 'cmd.sh');
  fs.writeFileSync(
    cmd,
    `printf 'before\\npartial'\n` +
      `i=0; until grep -q finished ${typescript} || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done\n` +
      `echo after; seq -f 'line %g' 30\n`,
  );
  const r = spawnSync(
    'script',
    ['-qfec', `stty rows 24 cols 80; ${PIPETRACE} run -o ${dir}/out -- sh ${cmd}`, typescript],
    { env: { ...process.env, TERM: 'xterm' }, encoding: 'buffer', timeout: 120000 },
  );
  assert.equal(r.status, 0, r.stderr.toString());
  const written = fs.readFileSync(typescript);
  const start = written.toString('latin1', 0, 15) === 'Script started ' ? written.indexOf('\n') + 1 : 0;
  const end = written.lastIndexOf('\x1b[r'); // the bottom row given back
  assert.ok(end > start, 'the scroll region was set and reset');
  const screen = async (bytes) => {
    const term = new Terminal({ rows: 24, cols: 80, scrollback: 1000, allowProposedApi: true });
    await new Promise((done) => term.write(bytes, done));
    const b = term.buffer.active;
    const all = [];
    for (let i = 0; i < b.length; i++) all.push(b.getLine(i).translateToString(true));
    return { all, view: all.slice(b.viewportY, b.viewportY + 24) };
  };
  const running = await screen(written.subarray(start, end));
  assert.match(running.view[23], /^pipetrace: .+, \d+ running, \d+ finished, CPU \d+ %$/);
  assert.equal(running.all.filter((l) => l.startsWith('pipetrace:')).length, 1, 'one status line');
  assert.equal(running.view.slice(0, 23).filter(Boolean).pop(), 'line 30', 'CMD\'s last line above it');
  assert.ok(running.all.includes('before') && running.all.includes('partialafter'), running.all.join('\n'));
  for (let n = 1; n <= 30; n++) assert.ok(running.all.includes(`line ${n}`), `line ${n} intact`);
  const finished = await screen(written.subarray(start));
  assert.ok(!finished.all.some((l) => l.startsWith('pipetrace:')), 'the status line is erased');
  assert.ok(finished.all.includes(`pipetrace summary: ${dir}/out`), finished.all.join('\n'));
});

// ---------------------------------------------------------------------------------------------
// Under sudo

test('under sudo: the default folder and folders -o had to create belong to the user too', async () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  const env = { SUDO_UID: '65534', SUDO_GID: '65534', SUDO_USER: 'nobody' };
  const byDefault = runPipetrace(['/bin/true'], { dir, env, output: false, options: ['-q'] });
  ok(byDefault);
  const [folder] = fs.readdirSync(dir).filter((n) => n.startsWith('pipetrace-'));
  assert.ok(folder, 'the default folder pipetrace-RUN_ID');
  assert.equal(fs.statSync(path.join(dir, folder)).uid, 65534, folder);
  const out = path.join(dir, 'x', 'y', 'out');
  const nested = runPipetrace(['/bin/true'], { dir, env, out, options: ['-q'] });
  ok(nested);
  for (const p of [out, path.join(dir, 'x', 'y'), path.join(dir, 'x')])
    assert.equal(fs.statSync(p).uid, 65534, `${path.relative(dir, p)} was created for the user`);
});

test('--user: CMD runs as that user, who owns the output', async () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  const r = runPipetrace(['/bin/sh', '-c', 'id -u'], { dir, options: ['-q', '--user', 'nobody'] });
  ok(r);
  assert.equal(r.stdout.toString().trim(), '65534');
  const rows = await processes(r.out);
  for (const x of rows) assert.equal(num(x.uid), 65534, `exec ${x.exec_id}`);
  assert.equal(fs.statSync(r.out).uid, 65534);
  for (const f of fs.readdirSync(r.out))
    assert.equal(fs.statSync(path.join(r.out, f)).uid, 65534, `${f} belongs to the user`);
});

test('under sudo (SUDO_UID/SUDO_GID/SUDO_USER): CMD runs as that user, who owns the output', async () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim();
  const nogroup = spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).stdout.trim();
  const r = runPipetrace(['/bin/sh', '-c', 'id -u; id -g; touch created'], {
    dir,
    options: ['-q'],
    env: { SUDO_UID: nobody, SUDO_GID: nogroup, SUDO_USER: 'nobody', SUDO_COMMAND: 'pipetrace' },
  });
  ok(r);
  assert.deepEqual(r.stdout.toString().trim().split('\n'), [nobody, nogroup]);
  assert.equal(fs.statSync(path.join(dir, 'created')).uid, Number(nobody));
  const rows = await processes(r.out);
  assert.ok(rows.length >= 3);
  for (const x of rows) {
    assert.equal(num(x.uid), Number(nobody), `uid of exec ${x.exec_id} (${x.filename})`);
    assert.equal(num(x.gid), Number(nogroup), `gid of exec ${x.exec_id} (${x.filename})`);
  }
  const st = fs.statSync(r.out);
  assert.equal(st.uid, Number(nobody), 'the dataset folder belongs to the user');
  const files = fs.readdirSync(r.out);
  assert.ok(files.includes('processes.parquet') && files.includes('runs.parquet'), files.join());
  for (const f of files)
    assert.equal(fs.statSync(path.join(r.out, f)).uid, Number(nobody), `${f} belongs to the user`);
  const opts = JSON.parse((await runRow(r.out)).options);
  assert.equal(opts.user, 'nobody');
});
