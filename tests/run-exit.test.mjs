// End-to-end tests of `pipetrace run`: exit codes and signals, CMD's and its children's.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, runPipetrace, tool } from './lib/pipetrace.mjs';
import { num, processes, runRow } from './lib/readers.mjs';
import { ok, onlyRow, rootRow } from './lib/run-helpers.mjs';

after(cleanup);

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
