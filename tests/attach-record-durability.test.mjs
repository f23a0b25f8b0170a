// attach and record survive the death of their monitor as run does (docs/dataset.md
// "Durability"): kill -9 of attach, of record --comm and --cgroup, and during record --rotate's
// second period; recover (twice); report on a killed folder and on a live record run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, lines, PIPETRACE, smallDisk, tempDir, waitFor } from './lib/pipetrace.mjs';
import { num, processes, runRow } from './lib/readers.mjs';
import { checkStormRows, readLog } from './lib/storm-log.mjs';

const started = [];
// Whatever a failed test left running (a monitor, a storm) is stopped, so the file ends.
after(() => {
  for (const p of started) killGroup(p);
  cleanup();
});
const skip = process.getuid() !== 0 && 'needs root for BPF';
const JOURNAL = '.pipetrace-journal';

function pipetrace(args) {
  const r = spawnSync(PIPETRACE, args, { encoding: 'utf8', timeout: 120000 });
  if (r.error) throw r.error;
  return r;
}

function recover(dir) {
  const r = pipetrace(['recover', dir]);
  assert.equal(r.status, 0, r.stderr);
  return r;
}

/** A process in a group of its own; done resolves at its exit. */
function start(argv, env = {}) {
  const child = spawn(argv[0], argv.slice(1), {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const p = { child, stderr: '' };
  started.push(p);
  child.stderr.on('data', (b) => { p.stderr += b; });
  p.done = new Promise((resolve) => child.on('exit', (status, signal) => resolve({ status, signal })));
  return p;
}

function killGroup(p) {
  try {
    process.kill(-p.child.pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** pipetrace attach/record in the background, once its "probes attached" line is out. */
async function monitor(args, env = {}) {
  const p = start([PIPETRACE, ...args], env);
  await waitFor(() => /^pipetrace (attach: tracing|record: recording) /m.test(p.stderr) || p.child.exitCode !== null,
    60000, 'the line saying the probes are attached');
  assert.equal(p.child.exitCode, null, p.stderr);
  p.attachedAt = Date.now() / 1000;
  return p;
}

/**
 * A storm run by SHELL (bash, or a copy of it under another name for record --comm) that
 * already has a child (sleep) and logs each /bin/true it ran with the time it had ended
 * (bash's $EPOCHREALTIME): `true N` ended before line "N TIME" was written.
 */
function storm(dir, shell = 'bash', prelude = '') {
  const log = path.join(dir, 'log');
  const script = `${prelude}sleep 1000 & for ((i = 0; ; i++)); do /bin/true $i; printf '%s %s\\n' $i $EPOCHREALTIME >> ${log}; done`;
  return { proc: start([shell, '-c', script]), log };
}

/** A copy of bash in dir, named prefix and this process's pid: a comm for record --comm. */
function renamedBash(dir, prefix) {
  const name = `${prefix}${process.pid % 100000}`;
  const shell = path.join(dir, name);
  fs.copyFileSync('/bin/bash', shell);
  fs.chmodSync(shell, 0o755);
  return { name, shell };
}

/** The storm run by renamedBash(dir, prefix), once it has started. */
async function renamedStorm(dir, prefix) {
  const { name, shell } = renamedBash(dir, prefix);
  const s = storm(dir, shell);
  await waitFor(() => readLog(s.log).length >= 5, 20000, 'the storm to start');
  return { ...s, name, shell };
}

/** Waits until `count` executions ended after `since` and the last of them `age` s ago. */
async function stormAfter(log, since, count, age = 1.1) {
  let at;
  await waitFor(() => {
    const after = readLog(log).filter((e) => e.t > since);
    at = after.length >= count ? after[count - 1].t : null;
    return at !== null;
  }, 60000, `${count} executions after the probes were attached`);
  await waitFor(() => Date.now() / 1000 - at >= age, 60000, `${age} s after them`);
}

/** kill -9 of the monitor p: when it died (seconds). */
async function kill9(p) {
  p.child.kill('SIGKILL');
  const at = Date.now() / 1000;
  await p.done;
  return at;
}

/** The rows of the datasets in dirs, the storm's executions checked (checkStormRows). */
async function checkStorm(dirs, log, since, killedAt) {
  const rows = (await Promise.all(dirs.map((d) => processes(d)))).flat();
  return { rows, ended: checkStormRows(rows, log, killedAt, since) };
}

/**
 * The storm's shell and its sleep: there, once, attached (running before tracing began); the
 * sleep the shell's child when linked (record's filter may choose the shell at a fork after
 * /proc was read, when the sleep was adopted without a parent known: docs/dataset.md).
 */
function checkAttached(rows, shellPid, linked = true) {
  const shell = rows.filter((r) => num(r.pid) === shellPid && !r.filename?.endsWith('/true'));
  assert.equal(shell.length, 1, 'the storm\'s shell, once');
  assert.equal(shell[0].attached, true);
  assert.equal(shell[0].end_reason, 'running');
  const sleeps = rows.filter((r) => r.argv[0] === 'sleep' && r.argv[1] === '1000');
  assert.equal(sleeps.length, 1, 'its sleep, once');
  assert.equal(sleeps[0].attached, true);
  if (linked) assert.equal(num(sleeps[0].parent_exec_id), num(shell[0].exec_id));
}

/** A folder left by a killed monitor: its journal, no table yet; recovered, then again. */
async function recoverKilled(out) {
  assert.ok(fs.existsSync(path.join(out, JOURNAL)), 'the killed monitor left its journal');
  assert.ok(!fs.existsSync(path.join(out, 'processes.parquet')), 'no table before recovery');
  assert.match(recover(out).stdout, /status 'recovered'/);
  assert.deepEqual(fs.readdirSync(out).filter((f) => f.startsWith('.')), [], 'no journal or partial file left');
  assert.match(recover(out).stdout, /is a complete dataset; nothing to do/);
  return runRow(out);
}

test('kill -9 of attach --pid: recover gives every execution that had ended, once, the older ones attached', { skip }, async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const { proc, log } = storm(dir);
  await waitFor(() => readLog(log).length >= 5, 20000, 'the storm to start');
  try {
    const p = await monitor(['attach', '-q', '--pid', String(proc.child.pid), '-o', out]);
    await stormAfter(log, p.attachedAt, 50);
    const killedAt = await kill9(p);
    const run = await recoverKilled(out);
    assert.equal(run.status, 'recovered');
    assert.equal(run.command[0], 'bash');
    assert.deepEqual(run.probes, ['proc', 'cpu']);
    const { rows, ended } = await checkStorm([out], log, p.attachedAt, killedAt);
    assert.ok(ended >= 50, `${ended} ended executions checked`);
    checkAttached(rows, proc.child.pid);
    assert.equal(num(run.processes), rows.length);
  } finally {
    killGroup(proc);
  }
});

test('kill -9 of record --comm: recover gives every execution that had ended, once', { skip }, async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const { proc, log, name } = await renamedStorm(dir, 'ptdur');
  try {
    const p = await monitor(['record', '-q', '--comm', name, '-o', out]);
    await stormAfter(log, p.attachedAt, 50);
    const killedAt = await kill9(p);
    const run = await recoverKilled(out);
    assert.deepEqual(run.command, ['record', '-q', '--comm', name, '-o', out]);
    const { rows, ended } = await checkStorm([out], log, p.attachedAt, killedAt);
    assert.ok(ended >= 50, `${ended} ended executions checked`);
    checkAttached(rows, proc.child.pid, false);
  } finally {
    killGroup(proc);
  }
});

/** The cgroup v2 mount (/sys/fs/cgroup/unified on a hybrid layout), or null. */
function cgroupMount() {
  const line = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.includes(' - cgroup2 '));
  return line ? line.split(' ')[4] : null;
}

test('kill -9 of record --cgroup: recover gives every execution that had ended, once', { skip: skip || (!cgroupMount() && 'no cgroup v2') }, async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const cgroup = path.join(cgroupMount(), `pipetrace-durability-${process.pid}`);
  fs.mkdirSync(cgroup);
  // The shell moves itself into the cgroup before it starts anything.
  const { proc, log } = storm(dir, 'bash', `echo $$ > ${cgroup}/cgroup.procs; `);
  try {
    await waitFor(() => readLog(log).length >= 5, 20000, 'the storm to start');
    const p = await monitor(['record', '-q', '--cgroup', cgroup, '-o', out]);
    await stormAfter(log, p.attachedAt, 50);
    const killedAt = await kill9(p);
    await recoverKilled(out);
    const { rows, ended } = await checkStorm([out], log, p.attachedAt, killedAt);
    assert.ok(ended >= 50, `${ended} ended executions checked`);
    checkAttached(rows, proc.child.pid, false);
  } finally {
    killGroup(proc);
    await proc.done;
    await waitFor(() => {
      try {
        fs.rmdirSync(cgroup);
        return true;
      } catch {
        return false;
      }
    }, 20000, 'the cgroup to empty');
  }
});

test('kill -9 during record --rotate\'s second period: the first dataset whole, the second recovered, nothing twice', { skip }, async () => {
  const dir = tempDir();
  const root = path.join(dir, 'root');
  const { proc, log, name, shell } = await renamedStorm(dir, 'ptrot');
  try {
    const p = await monitor(['record', '-q', '--comm', name, '--rotate', '3s', '-o', root]);
    // One that spans the first boundary: it belongs to the dataset where it ends.
    const spanned = path.join(dir, 'spanned');
    const span = start([shell, '-c', `sleep 3.3; echo $EPOCHREALTIME > ${spanned}`]);
    const folders = () => (fs.existsSync(root) ? fs.readdirSync(root).sort() : []);
    await waitFor(() => folders().length >= 2, 60000, 'the second dataset');
    const secondAt = Date.now() / 1000;
    await waitFor(() => fs.existsSync(spanned) && fs.readFileSync(spanned, 'utf8').endsWith('\n'), 60000, 'sleep 3.3 to end');
    await stormAfter(log, Number(fs.readFileSync(spanned, 'utf8')), 20);
    await span.done;
    const killedAt = await kill9(p);
    const dirs = folders().map((f) => path.join(root, f));
    assert.ok(dirs.length >= 2, `${dirs.length} datasets`);
    const [first, ...rest] = dirs;
    assert.ok(!fs.existsSync(path.join(first, JOURNAL)), 'the first dataset was completed at the rotation');
    assert.equal((await runRow(first)).status, 'complete');
    assert.ok(!fs.existsSync(path.join(rest.at(-1), 'processes.parquet')), 'the last needs recovering');
    // report ROOT names the folder to recover rather than skipping it.
    const report = pipetrace(['report', root]);
    assert.equal(report.status, 1);
    assert.equal(lines(report.stderr).length, 1, report.stderr);
    assert.match(report.stderr, new RegExp(`run 'pipetrace recover ${rest.at(-1)}'`));
    // recover ROOT recovers every folder below it that needs it, and then finds nothing to do.
    const left = rest.filter((d) => fs.existsSync(path.join(d, JOURNAL)));
    const all = recover(root);
    for (const d of left) assert.match(all.stdout, new RegExp(`^pipetrace recover: ${d}: \\d+ executions, status 'recovered'$`, 'm'));
    assert.equal(lines(all.stdout).length, left.length, all.stdout);
    assert.match(recover(root).stdout, /holds complete datasets only; nothing to do/);
    for (const d of dirs) assert.deepEqual(fs.readdirSync(d).filter((f) => f.startsWith('.')), [], 'no journal or partial file left');
    const { rows, ended } = await checkStorm(dirs, log, p.attachedAt, killedAt);
    assert.ok(ended >= 20, `${ended} ended executions checked`);
    // The shell spans every boundary: it is in the last dataset alone, as in a clean run.
    checkAttached(rows, proc.child.pid, false);
    const sleeps = rows.filter((r) => r.argv.join(' ') === 'sleep 3.3');
    assert.equal(sleeps.length, 1, 'the execution spanning the boundary, once');
    assert.equal(sleeps[0].end_reason, 'exit');
    assert.ok(!(await processes(first)).some((r) => r.argv.join(' ') === 'sleep 3.3'), 'not in the first dataset');
    const last = await processes(rest.at(-1));
    assert.ok(last.some((r) => num(r.pid) === proc.child.pid && r.end_reason === 'running'));
    assert.equal(pipetrace(['report', root]).status, 0, 'report ROOT once recovered');
  } finally {
    killGroup(proc);
  }
});

test('report on a killed attach names pipetrace recover; on a live record run it shows what runs, undisturbed', { skip }, async () => {
  const dir = tempDir();
  const killed = path.join(dir, 'killed');
  const sleeper = start(['sleep', '1000']);
  let r, sh;
  try {
    const a = await monitor(['attach', '-q', '--pid', String(sleeper.child.pid), '-o', killed]);
    await waitFor(() => fs.existsSync(path.join(killed, JOURNAL)), 20000, 'the journal');
    await kill9(a);
    for (const args of [['report', killed], ['diff', killed, killed], ['merge', killed, '-o', path.join(dir, 'm')]]) {
      const r = pipetrace(args);
      assert.notEqual(r.status, 0, args[0]);
      assert.equal(lines(r.stderr).length, 1, `${args[0]}: one line, got ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`run 'pipetrace recover ${killed}'`));
    }

    const live = path.join(dir, 'live');
    const { name, shell } = renamedBash(dir, 'ptlive');
    r = await monitor(['record', '-q', '--comm', name, '--partition', '-o', live]);
    sh = start([shell, '-c', 'for i in 1 2 3; do /bin/true $i; done; exec sleep 999']);
    let report;
    await waitFor(() => {
      report = pipetrace(['report', live, '--format', 'json']);
      return report.status === 0 && JSON.parse(report.stdout).top_commands.some((c) => c.command === 'sleep 999');
    }, 60000, 'report to show the running sleep');
    assert.match(report.stderr, /a run still in progress/);
    const summary = JSON.parse(report.stdout);
    assert.equal(summary.status, 'running');
    assert.ok(summary.top_commands.some((c) => c.command.startsWith('/bin/true')), 'what has happened');
    r.child.kill('SIGINT');
    assert.equal((await r.done).status, 0, r.stderr);
    const [host] = fs.readdirSync(live);
    const [date] = fs.readdirSync(path.join(live, host));
    const [runDir] = fs.readdirSync(path.join(live, host, date));
    const out = path.join(live, host, date, runDir);
    assert.ok(!fs.existsSync(path.join(out, JOURNAL)), 'the journal goes at a clean end');
    assert.equal((await runRow(out)).status, 'complete');
    const rows = await processes(out);
    assert.equal(rows.filter((x) => x.filename === '/bin/true').length, 3);
    assert.ok(rows.some((x) => x.argv.join(' ') === 'sleep 999' && x.end_reason === 'running'));
  } finally {
    for (const p of [r, sh, sleeper]) if (p) killGroup(p);
  }
});

/** The lines of p's stderr that say why tracing stopped. */
const stopLines = (p) => lines(p.stderr).filter((l) => /tracing stopped|cannot write/.test(l));

test('a writer failure mid-record: record stops at once, exit 1, one line; the dataset rebuilt from the journal', { skip }, async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const { proc, log, name } = await renamedStorm(dir, 'ptfail');
  try {
    const p = await monitor(['record', '-q', '--comm', name, '-o', out], { PIPETRACE_TEST_FAIL_EVENT: '40' });
    const end = await p.done;
    assert.equal(end.status, 1, p.stderr);
    assert.equal(proc.child.exitCode, null, 'the storm goes on');
    const [line, ...more] = stopLines(p);
    assert.deepEqual(more, [], p.stderr);
    assert.match(line, /^pipetrace record: tracing stopped: events\.parquet: injected failure .*; .* holds what was recorded before \(status 'recovered'\)$/);
    assert.equal(lines(p.stderr).at(-1), 'pipetrace record: stopped after that failure; 0 datasets before it complete');
    assert.ok(!fs.existsSync(path.join(out, JOURNAL)));
    assert.equal((await runRow(out)).status, 'recovered');
    const { rows } = await checkStorm([out], log, p.attachedAt, 0);
    assert.ok(rows.some((r) => r.filename === '/bin/true'), 'what was recorded before the failure');
  } finally {
    killGroup(proc);
  }
});

test('a disk that fills mid-attach: exit 1, one line naming pipetrace recover; the journal recovers elsewhere', { skip }, async (t) => {
  const dir = tempDir();
  const small = smallDisk(t, dir, '96k');
  if (!small) return;
  const out = path.join(small, 'out');
  const copy = path.join(dir, 'copy');
  const { proc, log } = storm(dir);
  try {
    await waitFor(() => readLog(log).length >= 5, 20000, 'the storm to start');
    const p = await monitor(['attach', '-q', '--pid', String(proc.child.pid), '-o', out]);
    const end = await p.done;
    assert.equal(end.status, 1, p.stderr);
    assert.equal(proc.child.exitCode, null, 'the storm goes on');
    const [line, ...more] = stopLines(p);
    assert.deepEqual(more, [], p.stderr);
    assert.match(line, /^pipetrace attach: tracing stopped: .*No space left on device.*run 'pipetrace recover /);
    fs.cpSync(out, copy, { recursive: true });
  } finally {
    killGroup(proc);
    spawnSync('umount', [small]);
  }
  recover(copy);
  assert.equal((await runRow(copy)).status, 'recovered');
  const { rows } = await checkStorm([copy], log, Infinity, 0);
  checkAttached(rows, proc.child.pid);
});

test('killed during attach\'s final write: recover gives the dataset the clean end would have', { skip }, async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const { proc, log } = storm(dir);
  let p;
  try {
    await waitFor(() => readLog(log).length >= 5, 20000, 'the storm to start');
    p = await monitor(['attach', '-q', '--pid', String(proc.child.pid), '-o', out], { PIPETRACE_TEST_KILL_AFTER: 'runs' });
    await stormAfter(log, p.attachedAt, 20);
    p.child.kill('SIGINT');
    const endedAt = Date.now() / 1000;
    assert.equal((await p.done).signal, 'SIGKILL', 'killed once runs.parquet had its name');
    assert.ok(fs.existsSync(path.join(out, JOURNAL)), 'the journal is left');
    recover(out);
    const run = await runRow(out);
    const { rows, ended } = await checkStorm([out], log, p.attachedAt, endedAt);
    assert.deepEqual([run.status, ended >= 20, num(run.processes)], ['complete', true, rows.length],
      `the journal held the run to its end; ${ended} ended executions checked`);
    checkAttached(rows, proc.child.pid);
  } finally {
    if (p) killGroup(p);
    killGroup(proc);
  }
});

test('killed in the middle of a rotation: each folder recovers to its share, nothing twice', { skip }, async () => {
  const dir = tempDir();
  const root = path.join(dir, 'root');
  const { proc, log, name } = await renamedStorm(dir, 'ptmid');
  let p;
  try {
    // Killed at the first rotation, once the closing runs.parquet has its name, the closing
    // tables partial (dataset.c writes the runs row first).
    p = await monitor(['record', '-q', '--comm', name, '--rotate', '1s', '-o', root], { PIPETRACE_TEST_KILL_AFTER: 'runs' });
    await waitFor(() => p.child.exitCode !== null || p.child.signalCode !== null, 60000, 'the kill at the rotation');
    const end = await p.done;
    const killedAt = Date.now() / 1000;
    assert.equal(end.signal, 'SIGKILL', p.stderr);
    const dirs = fs.readdirSync(root).sort().map((f) => path.join(root, f));
    assert.equal(dirs.length, 2, 'the closing dataset and the next');
    for (const d of dirs) assert.ok(fs.existsSync(path.join(d, JOURNAL)), `${d} has its journal`);
    recover(root);
    const [first, second] = dirs;
    assert.equal((await runRow(first)).status, 'complete', 'the closing journal held its end');
    assert.ok(!(await processes(first)).some((r) => r.end_reason === 'running'), 'what was carried on is not in the closing dataset');
    assert.equal((await runRow(second)).status, 'recovered');
    const { rows } = await checkStorm(dirs, log, p.attachedAt, killedAt);
    checkAttached(rows, proc.child.pid, false);
    assert.ok((await processes(second)).some((r) => num(r.pid) === proc.child.pid), 'the shell, carried on');
  } finally {
    if (p) killGroup(p);
    killGroup(proc);
  }
});
