// Nothing is lost uncounted: each cause of loss made to happen for real (a ring buffer too
// small for a record, a traced set or syscall stash too small for the tree through the
// PIPETRACE_TEST_* settings, crafted records sent down the real ring buffer by a BPF program),
// then its counter read back from runs.parquet with DuckDB and hyparquet, and from the report.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PIPETRACE, cleanup, runPipetrace, tempDir, tool } from './lib/pipetrace.mjs';
import { duckTable, hyTable, num, processes, runRow } from './lib/readers.mjs';
import { assertOk } from './lib/probes-helpers.mjs';

after(cleanup);

const KINDS = ['ring_full', 'traced_full', 'stash_full', 'malformed', 'unknown_type', 'read_errors'];

/** runs.parquet's lost_* columns by kind (DuckDB and hyparquet agreeing), and lost_events. */
async function losses(dir) {
  const run = await runRow(dir);
  const [hy] = await hyTable(dir, 'runs');
  const byKind = (row) => Object.fromEntries(KINDS.map((k) => [k, num(row[`lost_${k}`])]));
  assert.deepEqual(byKind(hy), byKind(run), 'lost_* columns: hyparquet vs DuckDB');
  const total = KINDS.reduce((sum, k) => sum + byKind(run)[k], 0);
  assert.equal(num(run.lost_events), total, 'lost_events is the sum of the lost_* columns');
  return { ...byKind(run), total, status: run.status };
}

/** Every kind 0 but those given. */
function only(counts) {
  return Object.fromEntries(KINDS.map((k) => [k, counts[k] ?? 0]));
}

function kindsOf(l) {
  return Object.fromEntries(KINDS.map((k) => [k, l[k]]));
}

function report(dir, format) {
  return execFileSync(PIPETRACE, ['report', '--format', format, dir], { encoding: 'utf8' });
}

test('a run that loses nothing: every lost_* column is 0, status complete', async () => {
  const r = runPipetrace(['/bin/sh', '-c', '/bin/true; /bin/true'], { options: ['-q'] });
  assertOk(r);
  const l = await losses(r.out);
  assert.deepEqual(kindsOf(l), only({}));
  assert.equal(l.status, 'complete');
  assert.deepEqual(JSON.parse(report(r.out, 'json')).lost, only({}));
});

test('a record larger than the ring buffer: lost_ring_full, and the report says so', async () => {
  // Each exec record carries the 8 KiB argument: it can never fit a 4 KiB ring.
  const arg = 'x'.repeat(8192);
  const r = runPipetrace(['/bin/sh', '-c', '/bin/true "$0"', arg], {
    options: ['-q'],
    env: { PIPETRACE_TEST_RING_BYTES: '4096' },
  });
  assertOk(r);
  const l = await losses(r.out);
  assert.ok(l.ring_full >= 2, `the exec records of sh and true: ${JSON.stringify(l)}`);
  assert.deepEqual(kindsOf(l), only({ ring_full: l.ring_full }));
  assert.equal(l.status, 'lost_events');
  const rows = await processes(r.out);
  assert.ok(!rows.some((x) => x.filename === '/bin/true'), 'the lost exec left no /bin/true row');
  const text = report(r.out, 'text');
  assert.match(text, new RegExp(`warning: ${l.total} events were lost \\(${l.ring_full} ring buffer full\\)`));
  assert.deepEqual(JSON.parse(report(r.out, 'json')).lost, only({ ring_full: l.ring_full }));
});

test('more processes alive at once than the traced set holds: lost_traced_full counts each', async () => {
  // CMD takes one of the 4 entries and 3 of its 8 children the others; 5 go untraced.
  const r = runPipetrace([tool('hold_children'), '8'], {
    options: ['-q'],
    env: { PIPETRACE_TEST_TRACED_ENTRIES: '4' },
  });
  assertOk(r);
  const l = await losses(r.out);
  assert.deepEqual(kindsOf(l), only({ traced_full: 5 }));
  assert.equal(l.status, 'lost_events');
  assert.equal((await processes(r.out)).length, 4, 'CMD and the 3 children that fitted');
  assert.match(report(r.out, 'markdown'), /Warning:\*\* 5 events were lost \(5 traced set full\)/);
});

test('more threads inside open(2) at once than the stash holds: lost_stash_full, and no row', async () => {
  const dir = fs.realpathSync(tempDir('pipetrace-drops-'));
  const fifo = path.join(dir, 'fifo');
  const target = path.join(dir, 'opened-while-full');
  execFileSync('mkfifo', [fifo]);
  fs.writeFileSync(target, '');
  const run = (env) => {
    const r = runPipetrace([tool('blocked_open'), fifo, target], {
      dir, out: path.join(dir, `out${Object.keys(env).length}`), options: ['-q', '--probes', 'files'], env,
    });
    assertOk(r);
    return r.out;
  };
  // The control: with the stash at its size, both opens of the parent are rows.
  const whole = run({});
  assert.deepEqual(kindsOf(await losses(whole)), only({}));
  const wholePaths = (await duckTable(whole, 'files')).map((f) => f.path);
  assert.ok(wholePaths.includes(target), 'opened with room in the stash');
  assert.equal(wholePaths.filter((p) => p === fifo).length, 2, 'the child\'s and the parent\'s FIFO opens');
  // One entry, held by the child blocked in its open: the parent's two opens find it full.
  const full = run({ PIPETRACE_TEST_STASH_ENTRIES: '1' });
  const l = await losses(full);
  assert.deepEqual(kindsOf(l), only({ stash_full: 2 }));
  assert.equal(l.status, 'lost_events');
  const paths = (await hyTable(full, 'files')).map((f) => f.path);
  assert.ok(!paths.includes(target), 'an open whose arguments found no room has no row');
  assert.equal(paths.filter((p) => p === fifo).length, 1, 'only the blocked child\'s FIFO open');
});

/** A record as raw bytes in hex: a header (type, version 1, size, ts, pid, tid) and bytes in all. */
function record(type, sizeField, bytes) {
  const b = Buffer.alloc(bytes);
  b.writeUInt16LE(type, 0);
  if (bytes >= 4) b.writeUInt16LE(1, 2);
  if (bytes >= 8) b.writeUInt32LE(sizeField, 4);
  return b.toString('hex');
}

test('crafted records down the real ring buffer: malformed and unknown types are counted', async () => {
  const PT_REC_FORK = 1;
  const PT_REC_CPU_SAMPLE = 16;
  const records = [
    record(PT_REC_FORK, 8, 8), // shorter than a header
    record(PT_REC_FORK, 64, 24), // says 64 bytes, 24 came
    record(PT_REC_FORK, 24, 24), // a header alone: too short for a fork record (proc)
    record(PT_REC_CPU_SAMPLE, 32, 32), // too short for a sample (cpu)
    record(5, 24, 24), // no probe owns type 5
    record(200, 40, 40), // nor 200
  ];
  const r = runPipetrace([tool('ring_inject'), ...records], { options: ['-q'] });
  assertOk(r);
  const l = await losses(r.out);
  assert.deepEqual(kindsOf(l), only({ malformed: 4, unknown_type: 2 }));
  assert.equal(l.status, 'lost_events');
  assert.equal((await processes(r.out)).length, 1, 'CMD, and nothing made of the crafted records');
  assert.match(report(r.out, 'text'), /warning: 6 events were lost \(4 malformed, 2 of unknown type\); the figures/);
  const json = JSON.parse(report(r.out, 'json'));
  assert.equal(json.lost_events, 6);
  assert.deepEqual(json.lost, only({ malformed: 4, unknown_type: 2 }));
});

test('a PIPETRACE_TEST_* setting that is not a positive number: one line, exit 125', () => {
  const r = spawnSync(PIPETRACE, ['run', '-q', '-o', path.join(tempDir(), 'out'), '--', '/bin/true'], {
    env: { ...process.env, PIPETRACE_TEST_TRACED_ENTRIES: '0' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 125, r.stderr);
  assert.match(r.stderr, /^pipetrace: PIPETRACE_TEST_TRACED_ENTRIES=0: give a positive number, or unset it[^\n]*\n$/);
});

test('a dataset from before the lost_* columns: the report reads it, without the causes', () => {
  const dir = path.join(tempDir(), 'uncounted');
  const made = spawnSync(tool('report_fixture'), [dir, 'uncounted'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  assert.match(report(dir, 'text'), /warning: 3 events were lost; the figures below may be incomplete/);
  const json = JSON.parse(report(dir, 'json'));
  assert.equal(json.lost_events, 3);
  assert.deepEqual(json.lost, only({}), 'no cause is known');
});
