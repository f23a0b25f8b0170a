// End-to-end tests of `pipetrace run`: monitoring never changes the pipeline's result.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, PIPETRACE, runPipetrace, tempDir, tool } from './lib/pipetrace.mjs';
import { num, processes, runRow } from './lib/readers.mjs';
import { ok, pseudoRandom } from './lib/run-helpers.mjs';
import xterm from '@xterm/headless';

after(cleanup);

const { Terminal } = xterm;

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
