// `pipetrace run` failing before CMD starts (one line on stderr, exit 125, CMD never runs),
// CMD that cannot be run (126, 127), --help and --version.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, lines, PIPETRACE, REPO, runPipetrace, tempDir } from './lib/pipetrace.mjs';
import { num, processes, runRow } from './lib/readers.mjs';

after(cleanup);

/** pipetrace ARGS (no `run` added), synchronously. */
function pipetrace(args, opts = {}) {
  const r = spawnSync(PIPETRACE, args, { encoding: 'utf8', timeout: 30000, ...opts });
  if (r.error) throw r.error;
  return r;
}

/** Asserts a failure of pipetrace itself: CODE, exactly one line on stderr matching RE. */
function oneLineError(r, code, re) {
  assert.equal(r.status, code, `exit status; stderr: ${r.stderr}`);
  const l = lines(r.stderr.toString());
  assert.equal(l.length, 1, `one line on stderr, got: ${JSON.stringify(r.stderr.toString())}`);
  assert.match(l[0], /^pipetrace/);
  assert.match(l[0], re);
}

/** A command that proves it ran by creating a marker file; returns [cmd, marker]. */
function markerCommand(dir) {
  const marker = path.join(dir, 'cmd-ran');
  return [['/bin/sh', '-c', `touch "${marker}"`], marker];
}

test('unknown option: 125, one line naming it, CMD not run', () => {
  const dir = tempDir();
  const [cmd, marker] = markerCommand(dir);
  for (const opt of ['--bogus', '-Z']) {
    const r = runPipetrace(cmd, { dir, options: [opt] });
    oneLineError(r, 125, new RegExp(opt));
    assert.equal(fs.existsSync(marker), false, `${opt}: CMD must not run`);
  }
});

test('missing command: 125 and one line', () => {
  const dir = tempDir();
  for (const args of [['run'], ['run', '-o', path.join(dir, 'out')], ['run', '-q', '--']]) {
    const r = pipetrace(args, { cwd: dir });
    oneLineError(r, 125, /command/);
  }
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing written');
});

test('an option without its value: 125 and one line', () => {
  const r = pipetrace(['run', '-o']);
  oneLineError(r, 125, /-o/);
});

test('--max-args out of range or malformed: 125, one line, CMD not run', () => {
  const dir = tempDir();
  const [cmd, marker] = markerCommand(dir);
  for (const value of ['2K', '4095', '2M', '1048577', 'abc', '64Q', '', '-4K']) {
    const r = runPipetrace(cmd, { dir, options: ['--max-args', value] });
    oneLineError(r, 125, /max-args/);
    assert.equal(fs.existsSync(marker), false, `--max-args '${value}': CMD must not run`);
  }
  // The bounds themselves are accepted.
  for (const value of ['4K', '4096', '1M', '1048576']) {
    const r = runPipetrace(['/bin/true'], { dir, options: ['-q', '--max-args', value] });
    assert.equal(r.status, 0, `--max-args ${value}: ${r.stderr}`);
  }
});

test('unwritable output: 125 before CMD starts, one line naming the folder', () => {
  const dir = tempDir();
  const [cmd, marker] = markerCommand(dir);
  const file = path.join(dir, 'regular-file');
  fs.writeFileSync(file, 'x');
  for (const out of ['/proc/pipetrace-test/x', '/proc/x', path.join(file, 'sub'), file]) {
    const r = runPipetrace(cmd, { dir, out });
    oneLineError(r, 125, new RegExp(out.replaceAll('/', '\\/')));
    assert.equal(fs.existsSync(marker), false, `-o ${out}: CMD must not run`);
  }
});

test('CMD not found: 127 and one line naming it', () => {
  for (const name of ['pipetrace-no-such-command', '/nonexistent/dir/cmd']) {
    const r = runPipetrace([name, 'arg'], { options: ['-q'] });
    oneLineError(r, 127, new RegExp(name.replaceAll('/', '\\/')));
  }
});

test('CMD not executable: 126 and one line naming it', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'not-executable');
  fs.writeFileSync(file, '#!/bin/sh\ntouch "$0.ran"\n', { mode: 0o644 });
  for (const name of [file, dir]) {
    const r = runPipetrace([name], { dir, options: ['-q'] });
    oneLineError(r, 126, new RegExp(name.replaceAll('/', '\\/')));
  }
  assert.equal(fs.existsSync(`${file}.ran`), false);
});

test('no privilege: 125, one line naming root or CAP_BPF, CMD not run', () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  const [cmd, marker] = markerCommand(dir);
  const r = runPipetrace(cmd, {
    dir,
    prefix: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'],
  });
  oneLineError(r, 125, /root|CAP_BPF/);
  assert.equal(fs.existsSync(marker), false, 'CMD must not run');
});

test('not root but with CAP_BPF and CAP_PERFMON: traced as root would be', async () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  const r = runPipetrace(['/bin/sh', '-c', 'id -u; /bin/true; exit 3'], {
    dir,
    options: ['-q'],
    prefix: [
      'setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
      '--inh-caps=+bpf,+perfmon', '--ambient-caps=+bpf,+perfmon',
    ],
  });
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stdout.toString().trim(), '65534');
  const rows = await processes(r.out);
  assert.deepEqual(
    rows.map((x) => path.basename(x.filename)),
    ['sh', 'id', 'true'],
  );
  for (const x of rows) assert.equal(num(x.uid), 65534);
  assert.equal((await runRow(r.out)).status, 'complete');
});

test('no privilege with --fail-open: CMD runs untraced with its own status', async () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  const [, marker] = markerCommand(dir);
  const r = runPipetrace(['/bin/sh', '-c', `touch "${marker}"; exit 3`], {
    dir,
    options: ['-q', '--fail-open'],
    prefix: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'],
  });
  assert.equal(r.status, 3, r.stderr);
  assert.equal(fs.existsSync(marker), true, 'CMD ran');
  assert.match(r.stderr, /fail-open|untraced/);
  if (fs.existsSync(path.join(r.out, 'runs.parquet'))) {
    const run = await runRow(r.out);
    assert.notEqual(run.status, 'complete', 'an untraced run is not a complete dataset');
  }
});

test('--user with an unknown user: 125, one line naming it, CMD not run', () => {
  const dir = tempDir();
  const [cmd, marker] = markerCommand(dir);
  const r = runPipetrace(cmd, { dir, options: ['--user', 'no-such-user-pt'] });
  oneLineError(r, 125, /no-such-user-pt/);
  assert.equal(fs.existsSync(marker), false);
});

test('--probes with an unknown probe: 125, one line naming it, CMD not run', () => {
  const dir = tempDir();
  const [cmd, marker] = markerCommand(dir);
  const r = runPipetrace(cmd, { dir, options: ['--probes', 'proc,no-such-probe'] });
  oneLineError(r, 125, /no-such-probe/);
  assert.equal(fs.existsSync(marker), false);
});

/** argv that runs the rest in a private mount namespace where /sys/kernel/btf is empty. */
const WITHOUT_BTF = [
  'unshare', '-m', '--propagation', 'private', '/bin/sh', '-c',
  'mount -t tmpfs none /sys/kernel/btf && exec "$@"', 'sh',
];

test('no BTF: 125, one line naming BTF, CMD not run', () => {
  const dir = tempDir();
  const [cmd, marker] = markerCommand(dir);
  const r = runPipetrace(cmd, { dir, prefix: WITHOUT_BTF });
  oneLineError(r, 125, /BTF/);
  assert.equal(fs.existsSync(marker), false);
});

test('no BTF with --fail-open: the probes cannot load, so CMD runs untraced', () => {
  const dir = tempDir();
  const [, marker] = markerCommand(dir);
  const r = runPipetrace(['/bin/sh', '-c', `touch "${marker}"; exit 3`], {
    dir,
    options: ['-q', '--fail-open'],
    prefix: WITHOUT_BTF,
  });
  assert.equal(r.status, 3, `CMD's status expected: ${r.stderr}`);
  assert.equal(fs.existsSync(marker), true, 'CMD ran');
});

test('--run-id with a slash: 125, one line', () => {
  const dir = tempDir();
  const [cmd, marker] = markerCommand(dir);
  const r = runPipetrace(cmd, { dir, options: ['--run-id', 'a/b'] });
  oneLineError(r, 125, /run-id/);
  assert.equal(fs.existsSync(marker), false);
});

test('--run-id names the run', async () => {
  const r = runPipetrace(['/bin/true'], { options: ['-q', '--run-id', 'my-run.1'] });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await runRow(r.out)).run_id, 'my-run.1');
  for (const x of await processes(r.out)) assert.equal(x.run_id, 'my-run.1');
});

/** The long options `run` accepts, from its option table (rows `{"name", 'x' or 0, ...`). */
function runLongOptions() {
  const src = fs.readFileSync(path.join(REPO, 'src', 'cli', 'options.c'), 'utf8');
  const names = [...src.matchAll(/\{\s*"([a-z][a-z-]*)"\s*,\s*(?:0|'.')\s*,/g)].map((m) => m[1]);
  assert.ok(names.length >= 5, `found the option table: ${names}`);
  return names;
}

test('pipetrace run --help: exit 0, usage on stdout, every option listed', () => {
  const r = pipetrace(['run', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: pipetrace run/);
  for (const name of runLongOptions()) assert.match(r.stdout, new RegExp(`--${name}\\b`), name);
  for (const short of ['-o', '-q', '-h']) assert.match(r.stdout, new RegExp(`${short},`), short);
  assert.match(r.stdout, /125/);
  assert.match(r.stdout, /126/);
  assert.match(r.stdout, /127/);
  assert.equal(pipetrace(['run', '-h']).stdout, r.stdout);
});

test('pipetrace --help: exit 0, commands and options listed', () => {
  const r = pipetrace(['--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: pipetrace/);
  for (const word of ['run', '--help', '--version', '-h', '-V'])
    assert.ok(r.stdout.includes(word), word);
  assert.equal(pipetrace(['-h']).stdout, r.stdout);
});

test('pipetrace --version: exit 0, the Makefile version', () => {
  const version = /^VERSION\s*:=\s*(\S+)/m.exec(
    fs.readFileSync(path.join(REPO, 'Makefile'), 'utf8'),
  )[1];
  for (const flag of ['--version', '-V']) {
    const r = pipetrace([flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `pipetrace ${version}\n`);
  }
});

test('pipetrace with no command or an unknown one: usage error 2, on stderr', () => {
  const none = pipetrace([]);
  assert.equal(none.status, 2);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /Usage: pipetrace/);
  const bad = pipetrace(['no-such-subcommand']);
  assert.equal(bad.status, 2);
  assert.equal(lines(bad.stderr).length, 1);
  assert.match(bad.stderr, /no-such-subcommand/);
});

test('CMD not found is still a dataset: runs.exit_code 127', async () => {
  const r = runPipetrace(['pipetrace-no-such-command'], { options: ['-q'] });
  assert.equal(r.status, 127);
  const run = await runRow(r.out);
  assert.equal(num(run.exit_code), 127);
});
