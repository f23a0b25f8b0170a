// End-to-end tests of `pipetrace merge DIR... -o DIR`: two real runs (different probes), merged;
// every merged table read back with DuckDB and with hyparquet.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, lines, runPipetrace, tempDir, tool } from './lib/pipetrace.mjs';
import { num, query, sqlPath } from './lib/readers.mjs';
import {
  assertOk,
  closedPort,
  countBoth,
  pipetraceCommand,
  tablesOf,
} from './lib/probes-helpers.mjs';

after(cleanup);

const RUN_A = 'merge-test-a';
const RUN_B = 'merge-test-b';

function file(dir, table) {
  return sqlPath(path.join(dir, `${table}.parquet`));
}

/** Two runs: A with the files probe, B with the net probe (and different commands). */
let inputs;
function twoRuns() {
  inputs ??= (async () => {
    const root = fs.realpathSync(tempDir('pipetrace-merge-'));
    const port = await closedPort();
    const a = runPipetrace(['sh', '-c', 'cat /dev/null; /bin/true; echo x > f'], {
      dir: root,
      out: path.join(root, 'A'),
      options: ['-q', '--run-id', RUN_A, '--probes', 'files'],
    });
    assertOk(a);
    const b = runPipetrace(
      ['bash', '-c', `${tool('netconnect')} tcp 127.0.0.1 ${port} udp 127.0.0.1 ${port}; /bin/true`],
      { dir: root, out: path.join(root, 'B'), options: ['-q', '--run-id', RUN_B, '--probes', 'net'] },
    );
    assertOk(b);
    return { root, A: a.out, B: b.out };
  })();
  return inputs;
}

/** Row counts per run_id of DIR/TABLE. */
async function countsByRun(dir, table) {
  const all = await query(
    `SELECT run_id, count(*)::INTEGER AS n FROM ${file(dir, table)} GROUP BY run_id ORDER BY run_id`,
  );
  return Object.fromEntries(all.map((r) => [r.run_id, num(r.n)]));
}

/** Asserts the rows of SRC/TABLE are exactly M/TABLE's rows of SRC's run (all columns). */
async function assertSameRows(src, m, table, runId) {
  const sides = [
    [file(src, table), `(SELECT * FROM ${file(m, table)} WHERE run_id = '${runId}')`],
    [`(SELECT * FROM ${file(m, table)} WHERE run_id = '${runId}')`, file(src, table)],
  ];
  for (const [x, y] of sides) {
    const diff = await query(`SELECT * FROM ${x} EXCEPT ALL SELECT * FROM ${y}`);
    assert.deepEqual(diff, [], `${table} of ${runId}: rows differ`);
  }
}

test('merge A B: every table holds the rows of both runs, each with its run_id', async () => {
  const { root, A, B } = await twoRuns();
  const M = path.join(root, 'M');
  const r = pipetraceCommand(['merge', A, B, '-o', M]);
  assertOk(r, 'pipetrace merge');
  assert.equal(r.stdout, '');

  const expected = [...new Set([...tablesOf(A), ...tablesOf(B)])].sort();
  assert.ok(expected.includes('files') && expected.includes('connections'), `${expected}`);
  assert.deepEqual(tablesOf(M), expected, 'the merged folder has every table of the inputs');

  for (const table of expected) {
    const inA = tablesOf(A).includes(table) ? await countBoth(A, table) : 0;
    const inB = tablesOf(B).includes(table) ? await countBoth(B, table) : 0;
    assert.equal(await countBoth(M, table), inA + inB, `${table}: rows of A + rows of B`);
    const byRun = await countsByRun(M, table);
    const want = {};
    if (inA) want[RUN_A] = inA;
    if (inB) want[RUN_B] = inB;
    assert.deepEqual(byRun, want, `${table}: rows per run_id`);
    if (inA) await assertSameRows(A, M, table, RUN_A);
    if (inB) await assertSameRows(B, M, table, RUN_B);
  }
  assert.ok((await countBoth(A, 'processes')) >= 3, 'A traced sh, cat and true');
  // Only netconnect's own two: bash may add lookups of its own (glibc asks nscd's socket when
  // SHELL or HOME is unset), which the net probe rightly records too.
  const mine = await query(
    `SELECT protocol FROM ${file(B, 'connections')} WHERE address = '127.0.0.1' ORDER BY protocol`,
  );
  assert.deepEqual(mine.map((c) => c.protocol), ['tcp', 'udp'], 'B made two connections');

  const runs = await query(`SELECT run_id, probes FROM ${file(M, 'runs')} ORDER BY run_id`);
  assert.deepEqual(
    runs.map((x) => x.run_id),
    [RUN_A, RUN_B],
  );
  assert.ok(runs[0].probes.includes('files') && runs[1].probes.includes('net'));

  // The seed query over the merged folder: per-binary sums over both runs.
  const both = await query(
    `SELECT filename, sum(cpu_ns)::VARCHAR AS cpu FROM ${file(M, 'processes')} GROUP BY filename`,
  );
  const single = await query(
    `SELECT filename, sum(cpu_ns)::VARCHAR AS cpu FROM read_parquet([${file(A, 'processes')}, ` +
      `${file(B, 'processes')}]) GROUP BY filename`,
  );
  const sort = (x) => [...x].sort((p, q) => String(p.filename).localeCompare(String(q.filename)));
  assert.deepEqual(sort(both), sort(single));
});

test('merge A A: a run given twice is taken once', async () => {
  const { root, A } = await twoRuns();
  const M2 = path.join(root, 'M2');
  const r = pipetraceCommand(['merge', A, A, '-o', M2]);
  assertOk(r, 'pipetrace merge');
  assert.deepEqual(tablesOf(M2), tablesOf(A));
  for (const table of tablesOf(A))
    assert.equal(await countBoth(M2, table), await countBoth(A, table), `${table}: not doubled`);
  assert.equal(await countBoth(M2, 'runs'), 1);
});

test('merge errors: a missing input folder is exit 1 with one line; no -o is exit 2', async () => {
  const { root, A } = await twoRuns();
  const missing = path.join(root, 'does-not-exist');
  const out = path.join(root, 'M-missing');
  const r = pipetraceCommand(['merge', A, missing, '-o', out]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(lines(r.stderr).length, 1, `one line: ${r.stderr}`);
  assert.ok(r.stderr.includes(missing), r.stderr);
  assert.ok(!fs.existsSync(path.join(out, 'processes.parquet')), 'nothing merged');

  const noOut = pipetraceCommand(['merge', A]);
  assert.equal(noOut.status, 2, noOut.stderr);
  assert.equal(lines(noOut.stderr).length, 1, `one line: ${noOut.stderr}`);
  assert.match(noOut.stderr, /-o/);

  const noInput = pipetraceCommand(['merge', '-o', out]);
  assert.equal(noInput.status, 2, noInput.stderr);
  assert.equal(lines(noInput.stderr).length, 1, `one line: ${noInput.stderr}`);
});

test('merge into a folder merged before: no table keeps runs that runs.parquet lacks', async () => {
  const { root, A, B } = await twoRuns();
  const M3 = path.join(root, 'M3');
  assertOk(pipetraceCommand(['merge', A, B, '-o', M3]), 'first merge');
  assertOk(pipetraceCommand(['merge', A, '-o', M3]), 'second merge');
  const runs = (await query(`SELECT run_id FROM ${file(M3, 'runs')}`)).map((x) => x.run_id);
  assert.deepEqual(runs, [RUN_A]);
  for (const table of tablesOf(M3)) {
    const ids = Object.keys(await countsByRun(M3, table));
    assert.deepEqual(
      ids.filter((id) => !runs.includes(id)),
      [],
      `${table}.parquet holds rows of runs not in runs.parquet`,
    );
  }
});

test('merge with the output folder among the inputs: merges, or fails leaving it intact', async () => {
  const { root, A, B } = await twoRuns();
  const A2 = path.join(root, 'A2');
  fs.cpSync(A, A2, { recursive: true });
  const before = {};
  for (const table of tablesOf(A2)) before[table] = await countBoth(A2, table);
  const r = pipetraceCommand(['merge', A2, B, '-o', A2]);
  if (r.status === 0) {
    assert.equal(await countBoth(A2, 'runs'), 2);
    assert.equal(
      await countBoth(A2, 'processes'),
      before.processes + (await countBoth(B, 'processes')),
    );
  } else {
    assert.equal(lines(r.stderr).length, 1, `one line: ${r.stderr}`);
    for (const table of Object.keys(before))
      assert.equal(
        await countBoth(A2, table).catch((e) => `unreadable: ${e.message}`),
        before[table],
        `${table}.parquet of the input after a failed merge (${r.stderr.trim()})`,
      );
  }
});

test('merged tables carry the dataset metadata (pipetrace.version, schema_version)', async () => {
  const { root, A, B } = await twoRuns();
  const M4 = path.join(root, 'M4');
  assertOk(pipetraceCommand(['merge', A, B, '-o', M4]), 'pipetrace merge');
  for (const table of tablesOf(M4)) {
    const kv = await query(
      `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${file(M4, table)})`,
    );
    const meta = Object.fromEntries(kv.map((x) => [x.key, x.value]));
    assert.ok(meta['pipetrace.version'], `${table}: pipetrace.version in ${JSON.stringify(meta)}`);
    assert.equal(meta['pipetrace.schema_version'], '2', `${table}: ${JSON.stringify(meta)}`);
  }
});
