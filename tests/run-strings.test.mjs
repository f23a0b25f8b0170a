// End-to-end tests of `pipetrace run`: every string column is valid UTF-8, whatever the bytes:
// escaped as argv is (src/model/argv.h).
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, runPipetrace, tempDir } from './lib/pipetrace.mjs';
import { processes, runRow } from './lib/readers.mjs';
import { ok, unescapeArg } from './lib/run-helpers.mjs';

after(cleanup);

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
