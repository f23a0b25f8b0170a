// End-to-end tests of `pipetrace run`: under sudo and with --user: who runs CMD and who owns the output.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PIPETRACE, cleanup, killedOnceJournaled, runPipetrace, tempDir } from './lib/pipetrace.mjs';
import { num, processes, runRow } from './lib/readers.mjs';
import { ok } from './lib/run-helpers.mjs';

after(cleanup);

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

test('under sudo, killed -9: the journal and the partial tables are the user\'s, who recovers them', async () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o777);
  const r = await killedOnceJournaled('', 'one', {
    dir,
    options: ['-q'],
    env: { SUDO_UID: '65534', SUDO_GID: '65534', SUDO_USER: 'nobody', SUDO_COMMAND: 'pipetrace' },
  });
  const left = fs.readdirSync(r.out);
  assert.ok(left.includes('.pipetrace-journal'), left.join());
  for (const f of left) assert.equal(fs.statSync(path.join(r.out, f)).uid, 65534, `${f} belongs to the user`);
  const recover = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', PIPETRACE, 'recover', r.out], { encoding: 'utf8' });
  assert.equal(recover.status, 0, recover.stderr);
  assert.equal((await runRow(r.out)).status, 'recovered');
  const rows = await processes(r.out);
  assert.ok(rows.some((x) => x.cmdline === '/bin/true one'), JSON.stringify(rows.map((x) => x.cmdline)));
});
