// End-to-end tests of `pipetrace run`: exec variants, exec chains, subshells, and what is read at exec.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, runPipetrace, tempDir, tool } from './lib/pipetrace.mjs';
import { num, processes, query, runRow, sqlPath } from './lib/readers.mjs';
import { BASH, ok, childrenOf, onlyRow, rootRow, relDiff } from './lib/run-helpers.mjs';

after(cleanup);

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
