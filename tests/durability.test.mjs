// A run survives the death of its monitor (docs/dataset.md "Durability"): kill -9 at many
// points of a storm, a torn journal, the CI-cancel pattern, a full disk and a writer failure
// mid-run, recover twice, report on a live run and on a killed one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, lines, PIPETRACE, smallDisk, tempDir, tool, waitFor } from './lib/pipetrace.mjs';
import { num, processes, runRow } from './lib/readers.mjs';
import { checkStormRows, readLog } from './lib/storm-log.mjs';

after(cleanup);

const JOURNAL = '.pipetrace-journal';

/** pipetrace ARGS (no `run` added), synchronously. */
function pipetrace(args, opts = {}) {
  const r = spawnSync(PIPETRACE, args, { encoding: 'utf8', timeout: 120000, ...opts });
  if (r.error) throw r.error;
  return r;
}

// A storm that logs each /bin/true it ran, with the time it had ended (bash's
// $EPOCHREALTIME, seconds): `true N` ended before line "N TIME" was written. COUNT < 0: no end.
function storm(log, count = -1, trapTerm = false) {
  return [
    'bash',
    '-c',
    `${trapTerm ? `trap 'echo term > ${log}.term' TERM; ` : ''}` +
      `for ((i = 0; i != ${count}; i++)); do /bin/true $i; printf '%s %s\\n' $i $EPOCHREALTIME >> ${log}; done`,
  ];
}

/** pipetrace run -o OUT -q -- CMD in a process group of its own (CMD in it too). */
function startRun(out, cmd, env = {}) {
  const child = spawn(PIPETRACE, ['run', '-q', '-o', out, '--', ...cmd], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const stderr = [];
  child.stderr.on('data', (b) => stderr.push(b));
  // Resolved at pipetrace's exit: a killed pipetrace's CMD may hold stderr open.
  const done = new Promise((resolve) =>
    child.on('exit', (status, signal) => resolve({ status, signal })),
  );
  // Resolved once stderr is closed too (by CMD as well): the whole of pipetrace's stderr.
  const closed = new Promise((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stderr: Buffer.concat(stderr).toString() })),
  );
  return { child, done, closed };
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

/** The recovered rows of the storm's `/bin/true N` executions in out (checkStormRows). */
async function checkStorm(out, log, killedAt) {
  return checkStormRows(await processes(out), log, killedAt);
}

/** A storm in DIR/out killed with SIGKILL after `executions` of it (and CMD's group after). */
async function killedStorm(dir, executions, name = 'out', age = 0) {
  const out = path.join(dir, name);
  const log = path.join(dir, `${name}.log`);
  const { child, done } = startRun(out, storm(log));
  await waitFor(() => readLog(log).length >= executions, 60000, `${executions} executions`);
  // With an age, the first `executions` have ended at least `age` seconds before the kill
  // (an idle machine runs hundreds of them within a second).
  const endOfLast = readLog(log)[executions - 1].t;
  await waitFor(() => Date.now() / 1000 - endOfLast >= age, 60000, `${age} s after them`);
  child.kill('SIGKILL');
  const killedAt = Date.now() / 1000;
  await done;
  killGroup(child);
  return { out, log, killedAt };
}

/** Size of a file, 0 while it does not exist. */
function sizeOf(file) {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

/** A storm killed once `executions` of it ran and the journal has since grown by `frames`
 * frames: the executions logged so far are then in a frame before the last one. */
async function killedAfterFrames(dir, executions, frames) {
  const out = path.join(dir, 'out');
  const log = path.join(dir, 'out.log');
  const journal = path.join(out, JOURNAL);
  const { child, done } = startRun(out, storm(log));
  await waitFor(() => readLog(log).length >= executions, 60000, `${executions} executions`);
  for (let k = 0; k < frames; k++) {
    const size = sizeOf(journal);
    await waitFor(() => sizeOf(journal) > size, 20000, 'another journal frame');
  }
  child.kill('SIGKILL');
  await done;
  killGroup(child);
  return { out };
}

/** A storm whose CMD traps SIGTERM, sent to pipetrace once `executions` of it ran. */
async function termedStorm(dir, executions) {
  const out = path.join(dir, 'out');
  const log = path.join(dir, 'log');
  const { child, done } = startRun(out, storm(log, -1, true));
  await waitFor(() => readLog(log).length >= executions, 60000, `${executions} executions`);
  child.kill('SIGTERM');
  const termAt = Date.now() / 1000;
  await waitFor(() => fs.existsSync(`${log}.term`), 20000, 'CMD to get the SIGTERM');
  return { out, log, child, done, termAt };
}

function recover(out) {
  const r = pipetrace(['recover', out]);
  assert.equal(r.status, 0, r.stderr);
  return r;
}

test('kill -9 at 20 points of a storm: recover gives every execution that had ended, once', async () => {
  const dir = tempDir();
  let checked = 0;
  for (let k = 0; k < 20; k++) {
    // A different point each time: after 1 to ~300 executions.
    const executions = 1 + ((k * 61) % 300);
    const { out, log, killedAt } = await killedStorm(dir, executions, `out${k}`, 1.1);
    assert.ok(fs.existsSync(path.join(out, JOURNAL)), 'the killed run left its journal');
    assert.ok(!fs.existsSync(path.join(out, 'processes.parquet')), 'no table before recovery');
    const r = recover(out);
    assert.match(r.stdout, /status 'recovered'/);
    assert.ok(!fs.existsSync(path.join(out, JOURNAL)), 'recover removes the journal');
    assert.deepEqual(fs.readdirSync(out).filter((f) => f.startsWith('.')), [], 'no partial file left');
    const run = await runRow(out);
    assert.equal(run.status, 'recovered');
    const ended = await checkStorm(out, log, killedAt);
    assert.ok(ended >= executions, `${ended} ended executions checked, at least ${executions}`);
    checked += ended;
  }
  assert.ok(checked > 100, `${checked} ended executions checked`);
});

test('kill -9 during the final write: recover gives the whole run, once', async () => {
  const dir = tempDir();
  // Each a point of the end (PIPETRACE_TEST_KILL_AFTER, docs/dataset.md "Durability"): the
  // first table renamed, every table but runs.parquet renamed, runs.parquet renamed (the
  // journal not removed yet).
  for (const [k, table] of ['processes', 'cpu_samples', 'runs'].entries()) {
    const out = path.join(dir, `out${k}`);
    const log = path.join(dir, `log${k}`);
    const { child, done } = startRun(out, storm(log, 40), { PIPETRACE_TEST_KILL_AFTER: table });
    const end = await done;
    killGroup(child);
    assert.equal(end.signal, 'SIGKILL', `killed after ${table}.parquet`);
    assert.ok(fs.existsSync(path.join(out, JOURNAL)), `killed after ${table}: the journal is left`);
    recover(out);
    assert.deepEqual(fs.readdirSync(out).filter((f) => f.startsWith('.')), [], 'no partial file left');
    await checkStorm(out, log, Date.now() / 1000 + 1);
    const trues = (await processes(out)).filter((r) => r.filename === '/bin/true');
    assert.equal(trues.length, 40, 'every execution of the finished storm');
    assert.equal((await runRow(out)).status, 'complete', 'the journal held the run to its end');
  }
});

test('a torn journal tail is ignored and counted; recover twice changes nothing', async () => {
  const dir = tempDir();
  const { out } = await killedAfterFrames(dir, 50, 2);
  const whole = path.join(dir, 'whole');
  fs.cpSync(out, whole, { recursive: true });
  const journal = path.join(out, JOURNAL);
  fs.truncateSync(journal, fs.statSync(journal).size - 7);
  const torn = recover(out);
  assert.match(torn.stdout, /ignored a torn last frame of \d+ bytes/);
  recover(whole);
  const tornIds = new Set((await processes(out)).filter((r) => r.end_reason !== 'running').map((r) => num(r.exec_id)));
  const wholeRows = await processes(whole);
  assert.ok(tornIds.size > 0 && tornIds.size <= wholeRows.length);
  for (const r of wholeRows.filter((x) => tornIds.has(num(x.exec_id))))
    assert.ok(tornIds.has(num(r.exec_id)));

  const before = fs.readdirSync(out).map((f) => [f, fs.statSync(path.join(out, f)).mtimeMs]);
  const again = recover(out);
  assert.match(again.stdout, /is a complete dataset; nothing to do/);
  assert.deepEqual(fs.readdirSync(out).map((f) => [f, fs.statSync(path.join(out, f)).mtimeMs]), before);
});

test('recover on a journal of an earlier build (zstd frames) or on a file that is none: one line each', () => {
  const out = tempDir();
  const journal = path.join(out, JOURNAL);
  for (const [content, message] of [['PTJRNL1\n', /was written by an earlier pipetrace \(zstd frames\): recover it with that build$/],
    ['garbage!', /is not a pipetrace journal$/]]) {
    fs.writeFileSync(journal, content);
    const r = pipetrace(['recover', out]);
    assert.equal(r.status, 1);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(lines(r.stderr)[0], message);
    assert.ok(fs.existsSync(journal), 'the journal is kept');
  }
});

test('report, diff and merge on a killed run: one line naming pipetrace recover', async () => {
  const dir = tempDir();
  const { out } = await killedStorm(dir, 5);
  for (const args of [['report', out], ['diff', out, out], ['merge', out, '-o', path.join(dir, 'm')]]) {
    const r = pipetrace(args);
    assert.notEqual(r.status, 0, args[0]);
    const l = lines(r.stderr);
    assert.equal(l.length, 1, `${args[0]}: one line, got ${r.stderr}`);
    assert.match(l[0], new RegExp(`run 'pipetrace recover ${out}'`));
  }
});

test('CI cancel: SIGTERM to pipetrace, CMD traps it, SIGKILL to the group later: nothing that ended is lost', async () => {
  const { out, log, child, done, termAt } = await termedStorm(tempDir(), 20);
  // The runner's grace period: CMD runs on a while (at least 1.2 s of the log) after it.
  await waitFor(() => readLog(log).some((e) => e.t > termAt + 1.2), 60000, 'CMD to run on');
  killGroup(child);
  const killedAt = Date.now() / 1000;
  await done;
  recover(out);
  const ended = await checkStorm(out, log, killedAt);
  assert.ok(ended >= 20, `${ended} executions that ended before the kill`);
  assert.ok(readLog(log).filter((e) => e.t < termAt).length <= ended, 'all that ended before SIGTERM');
});

test('a second SIGTERM ends the run at once, CMD still running: exit 143, status interrupted', async () => {
  const { out, log, child, done } = await termedStorm(tempDir(), 10);
  child.kill('SIGTERM');
  const end = await done;
  const endedAt = Date.now() / 1000;
  const seen = readLog(log).length;
  await waitFor(() => readLog(log).length > seen + 5, 20000, 'CMD to run on after pipetrace');
  killGroup(child);
  assert.equal(end.status, 143, end.stderr);
  assert.ok(!fs.existsSync(path.join(out, JOURNAL)), 'the dataset was finished');
  assert.equal((await runRow(out)).status, 'interrupted');
  const rows = await processes(out);
  assert.ok(rows.some((r) => r.end_reason === 'running'), 'CMD itself still running');
  await checkStorm(out, log, endedAt);
});

test('a disk that fills mid-run: CMD runs to its end, its status comes back, the journal is recoverable', async (t) => {
  const dir = tempDir();
  const small = smallDisk(t, dir, '96k');
  if (!small) return;
  const out = path.join(small, 'out');
  const copy = path.join(dir, 'copy');
  const log = path.join(dir, 'log');
  try {
    const { closed } = startRun(out, [...storm(log, 3000).slice(0, 2), `${storm(log, 3000)[2]}; exit 5`]);
    const end = await closed;
    assert.equal(end.status, 5, end.stderr);
    assert.equal(readLog(log).length, 3000, 'CMD ran to its end');
    const l = lines(end.stderr);
    assert.equal(l.length, 1, `one line: ${end.stderr}`);
    assert.match(l[0], /tracing stopped: .*No space left on device/);
    assert.match(l[0], /pipetrace recover/);
    fs.cpSync(out, copy, { recursive: true });
  } finally {
    spawnSync('umount', [small]);
  }
  recover(copy);
  assert.equal((await runRow(copy)).status, 'recovered');
  const trues = (await processes(copy)).filter((r) => r.filename === '/bin/true' && r.end_reason === 'exit');
  assert.ok(trues.length > 10, `${trues.length} executions recorded before the disk filled`);
  assert.equal(new Set(trues.map((r) => r.argv[1])).size, trues.length, 'each once');
});

test('a writer failure mid-run: pipetrace waits for CMD, exits with its status, keeps what was written', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const cmd = ['sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10 11 12; do /bin/true $i; done; ${tool('waitfile')} ${dir}/go; exit 3`];
  const started = Date.now();
  const { done, closed } = startRun(out, cmd, { PIPETRACE_TEST_FAIL_EVENT: '20' });
  // CMD is held until the file appears: pipetrace must still be waiting for it then.
  let exited = false;
  done.then(() => (exited = true));
  await waitFor(() => fs.existsSync(path.join(out, JOURNAL)), 20000, 'the run to start');
  await new Promise((r) => setTimeout(r, 500)); // the failure comes within a drain (200 ms)
  assert.equal(exited, false, 'pipetrace did not leave CMD behind');
  fs.writeFileSync(path.join(dir, 'go'), '');
  const end = await closed;
  assert.equal(end.status, 3, end.stderr);
  assert.ok(Date.now() - started >= 500);
  const l = lines(end.stderr);
  assert.equal(l.length, 1, `one line: ${end.stderr}`);
  assert.match(l[0], /tracing stopped: events\.parquet: injected failure/);
  assert.match(l[0], /status 'recovered'/);
  assert.ok(!fs.existsSync(path.join(out, JOURNAL)));
  const rows = await processes(out);
  const trues = rows.filter((r) => r.filename === '/bin/true');
  assert.ok(trues.length >= 1 && trues.length <= 12, `${trues.length} executions before the failure`);
  assert.equal(new Set(trues.map((r) => r.argv[1])).size, trues.length);
  assert.equal((await runRow(out)).status, 'recovered');
});

test('report on a live run shows what has happened and what is running, without disturbing it', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const go = path.join(dir, 'go');
  const cmd = ['sh', '-c', `for i in 1 2 3 4 5; do /bin/true $i; done; ${tool('waitfile')} ${go}; exit 0`];
  const { closed } = startRun(out, cmd);
  let report;
  await waitFor(
    () => {
      report = pipetrace(['report', out, '--format', 'json']);
      return (
        report.status === 0 &&
        JSON.parse(report.stdout).top_commands.some((c) => c.command.startsWith(tool('waitfile')))
      );
    },
    60000,
    'report to show the running waitfile',
  );
  assert.match(report.stderr, /a run still in progress/);
  const summary = JSON.parse(report.stdout);
  assert.equal(summary.status, 'running');
  assert.ok(summary.top_commands.some((c) => c.command.startsWith('/bin/true')), 'what has happened');
  assert.equal(pipetrace(['recover', out]).status, 1, 'recover refuses a live run');
  fs.writeFileSync(go, '');
  const end = await closed;
  assert.equal(end.status, 0, end.stderr);
  assert.equal((await runRow(out)).status, 'complete');
  const rows = await processes(out);
  assert.equal(rows.filter((r) => r.filename === '/bin/true').length, 5);
  assert.ok(rows.every((r) => r.end_reason !== 'running'));
});
