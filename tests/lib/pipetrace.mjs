// Running pipetrace (and its test tools) from the tests: every run goes into its own temp dir.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD = process.env.PIPETRACE_BUILD ?? path.join(REPO, 'build', 'test');
export const PIPETRACE = path.join(BUILD, 'pipetrace');

/** Absolute path of a test helper program built from tests/tools/NAME.c. */
export function tool(name) {
  return path.join(BUILD, 'tools', name);
}

const tempDirs = [];

/** A fresh directory under os.tmpdir(), removed by cleanup(). */
export function tempDir(prefix = 'pipetrace-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory tempDir() made (call from after()). */
export function cleanup() {
  while (tempDirs.length) fs.rmSync(tempDirs.pop(), { recursive: true, force: true });
}

function runArgs(cmd, options, out) {
  return ['run', ...(out ? ['-o', out] : []), ...options, '--', ...cmd];
}

/**
 * pipetrace run [-o DIR/out] OPTIONS -- CMD, synchronously.
 * opts: options (extra pipetrace options), input (stdin), env (added to process.env), cwd
 * (default: the temp dir), output (false: no -o), timeout (ms), prefix (argv before pipetrace,
 * e.g. ['runuser', '-u', 'nobody', '--']).
 * Returns { status, signal, stdout (Buffer), stderr (string), dir, out, cmd }.
 */
export function runPipetrace(cmd, opts = {}) {
  const dir = opts.dir ?? tempDir();
  const out = opts.output === false ? null : (opts.out ?? path.join(dir, 'out'));
  const argv = [...(opts.prefix ?? []), PIPETRACE, ...runArgs(cmd, opts.options ?? [], out)];
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: opts.cwd ?? dir,
    env: { ...process.env, ...(opts.env ?? {}) },
    input: opts.input,
    timeout: opts.timeout ?? 60000,
    maxBuffer: 256 << 20,
  });
  if (r.error) throw r.error;
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr.toString(),
    dir,
    out,
    cmd,
  };
}

/**
 * pipetrace run in the background. Returns { child, dir, out, done } where done resolves to
 * { status, signal, stdout, stderr } when pipetrace exits.
 */
export function spawnPipetrace(cmd, opts = {}) {
  const dir = opts.dir ?? tempDir();
  const out = opts.out ?? path.join(dir, 'out');
  const child = spawn(PIPETRACE, runArgs(cmd, opts.options ?? [], out), {
    cwd: opts.cwd ?? dir,
    env: { ...process.env, ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = [];
  const stderr = [];
  child.stdout.on('data', (b) => stdout.push(b));
  child.stderr.on('data', (b) => stderr.push(b));
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) =>
      resolve({
        status,
        signal,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString(),
      }),
    );
  });
  return { child, dir, out, done };
}

/** Waits (bounded) until predicate() is true; throws after timeoutMs. */
export async function waitFor(predicate, timeoutMs = 20000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A run of `sh -c SCRIPT` that is killed with SIGKILL once its journal holds `/bin/true WORD`:
 * SCRIPT runs `/bin/true $x` with x=WORD (so that the command line itself never holds the
 * words searched for), then sleeps, holding the run. The journal is read by `pipetrace report`
 * on the live folder. CMD, which outlives pipetrace and holds its stderr open, is killed too.
 * Returns spawnPipetrace's { dir, out } once pipetrace is gone.
 */
export async function killedOnceJournaled(prelude, word, opts = {}) {
  const dir = opts.dir ?? tempDir();
  const pidFile = path.join(dir, 'cmd.pid');
  const script = `${prelude}x=${word}; /bin/true $x; echo $$ > ${pidFile}.new; mv ${pidFile}.new ${pidFile}; exec sleep 600`;
  const r = spawnPipetrace(['/bin/sh', '-c', script], { ...opts, dir });
  const journaled = () => spawnSync(PIPETRACE, ['report', r.out], { encoding: 'utf8' }).stdout.includes(`/bin/true ${word}`);
  try {
    await waitFor(() => fs.existsSync(pidFile) && journaled(), 20000, 'the journal to hold /bin/true');
    r.child.kill('SIGKILL');
  } finally {
    if (fs.existsSync(pidFile)) process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
  }
  await r.done;
  return r;
}

/** The lines of a text, without a trailing empty one. */
export function lines(text) {
  return text.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''));
}

/**
 * A small tmpfs (SIZE as mount takes it, e.g. '16k') mounted on the new folder DIR/small, for
 * a disk that fills: its path, or null after t.skip when it cannot be mounted. Unmount it with
 * `umount PATH` when done.
 */
export function smallDisk(t, dir, size) {
  const small = path.join(dir, 'small');
  fs.mkdirSync(small);
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', small], { encoding: 'utf8' });
  if (mount.status !== 0) {
    t.skip(`cannot mount a small tmpfs here: ${mount.stderr.trim()}`);
    return null;
  }
  return small;
}
