// The standalone Parquet library (src/parquet): files written by pq_gen are read back by
// DuckDB, hyparquet and pipetrace's own reader (pq_dump) and compared with the values the
// test generated; statistics, encodings and codecs are checked in the footer; the reader is
// fed truncated, flipped and foreign files; the libFuzzer target runs for a bounded time.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const BUILD = process.env.PIPETRACE_BUILD ?? path.resolve('build/test');
const tool = (name) => path.join(BUILD, 'tools', name);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pq-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let duck;
async function sql(query) {
  duck ??= await (await DuckDBInstance.create(':memory:')).connect();
  return (await duck.runAndReadAll(query)).getRowObjects();
}
const q = (s) => `'${s.replaceAll("'", "''")}'`;

// ------------------------------------------------------------------ deterministic data

function rng(seed) {
  let s = 2166136261;
  for (const ch of seed) s = Math.imul(s ^ ch.charCodeAt(0), 16777619) >>> 0;
  return () => { // mulberry32
    s = (s + 0x6D2B79F5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, a) => a[Math.floor(r() * a.length)];
const hex = (s) => Buffer.from(s, 'utf8').toString('hex');

// Values are kept in the canonical form pq_dump prints: int64 and timestamps as decimal
// strings, blobs as hex, lists as arrays of strings, null as null.
const POOLS = {
  bool: [true, false],
  int32: [-5, 0, 7, 2147483647, -2147483648, 42],
  int64: ['-9223372036854775808', '9223372036854775807', '0', '-1', '123456789012'],
  double: [1.5, -2.25, 1e300, 3.141592653589793, -7e-300],
  string: ['', 'a', 'héllo', '日本語', '😀 emoji', 'zz', 'ÿ', 'x'.repeat(70) + 'long', 'Ünïcödé'],
  blob: ['', '00', 'ff', '00ff10', 'deadbeef', '80'],
  ts: ['1700000000000000001', '1700000000123456789', '1', '86400000000000'],
};

function value(type, mode, r, i) {
  if (mode === 'dict') {
    if (type === 'list') return Array.from({ length: Math.floor(r() * 5) }, () => pick(r, POOLS.string));
    return pick(r, POOLS[type]);
  }
  const u32 = () => Math.floor(r() * 4294967296);
  switch (type) {
    case 'bool': return r() < 0.5;
    case 'int32': return u32() - 2147483648;
    case 'int64': return BigInt.asIntN(64, (BigInt(u32()) << 32n) | BigInt(u32())).toString();
    case 'double': return (r() - 0.5) * 2 ** Math.floor(r() * 80 - 40);
    case 'string': return `u${i}-${u32().toString(36)}-${pick(r, ['é', '日', '😀', 'a'])}`;
    case 'blob': return (i.toString(16).padStart(8, '0') + u32().toString(16)).padEnd(16, '0');
    case 'ts': return (1700000000000000000n + BigInt(i) * 1000003n + BigInt(u32() % 1000)).toString();
    case 'list': return Array.from({ length: Math.floor(r() * 4) }, (_, k) => `item-${i}-${k}-${u32()}`);
  }
}

function field(type, v) {
  if (v === null) return '\\N';
  switch (type) {
    case 'bool': return v ? '1' : '0';
    case 'string': return hex(v);
    case 'blob': return v;
    case 'list': return `${v.length}:${v.map(hex).join(',')}`;
    case 'double': return Object.is(v, -0) ? '-0' : String(v);
    default: return String(v);
  }
}

// Writes rows (arrays of canonical values) with pq_gen; returns the file name.
function gen(name, columns, rows, opts = []) {
  const file = path.join(tmp, `${name}.parquet`);
  const input = rows.map((row) => row.map((v, c) => field(columns[c].type, v)).join('\t') + '\n').join('');
  const specs = columns.map((c) => `${c.name}:${c.type}${c.optional ? '?' : ''}`);
  const r = spawnSync(tool('pq_gen'), [file, ...opts, ...specs], { input, maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, `pq_gen ${name}: ${r.stderr}`);
  return file;
}

// ------------------------------------------------------------------ the three readers

function readPqDump(file, keys = []) {
  const r = spawnSync(tool('pq_dump'), [file, ...keys], { maxBuffer: 1 << 30, encoding: 'utf8' });
  assert.equal(r.status, 0, `pq_dump ${file}: ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  return { header: JSON.parse(lines[0]), rows: lines.slice(1).filter(Boolean).map((l) => JSON.parse(l)) };
}

async function readHyparquet(file, columns) {
  const objects = await parquetReadObjects({
    file: await asyncBufferFromFile(file), compressors, utf8: false,
    parsers: { timestampFromNanoseconds: (ns) => ns },
  });
  return objects.map((o) => columns.map(({ name, type }) => {
    const v = o[name];
    if (v === null || v === undefined) return null;
    if (type === 'int64' || type === 'ts') return v.toString();
    if (type === 'blob') return Buffer.from(v).toString('hex');
    return v;
  }));
}

// DuckDB reads TIMESTAMP(NANOS, isAdjustedToUTC) as TIMESTAMPTZ, which holds microseconds:
// its timestamps are compared with the expected nanoseconds divided by 1000.
async function readDuckDB(file, columns) {
  const exprs = columns.map(({ name, type }) => {
    const c = `"${name}"`;
    if (type === 'int64') return `CAST(${c} AS VARCHAR) AS ${c}`;
    if (type === 'ts') return `CAST(epoch_us(${c}) AS VARCHAR) AS ${c}`;
    if (type === 'blob') return `lower(hex(${c})) AS ${c}`;
    return c;
  });
  const rows = await sql(`SELECT ${exprs.join(', ')} FROM read_parquet(${q(file)})`);
  return rows.map((o) => columns.map(({ name, type }) => {
    const v = o[name];
    if (v === null) return null;
    if (type === 'list') return [...v.items];
    return v;
  }));
}

const usTrunc = (columns, rows) => rows.map((row) => row.map((v, c) =>
  columns[c].type === 'ts' && v !== null ? (BigInt(v) / 1000n).toString() : v));

async function roundTrip(file, columns, rows) {
  const mine = readPqDump(file);
  assert.equal(mine.header.rows, rows.length);
  assert.deepEqual(mine.header.columns, columns.map(({ name, type, optional }) => ({ name, type, optional: !!optional })));
  assert.deepStrictEqual(mine.rows, rows, 'pq_dump values');
  assert.deepStrictEqual(await readHyparquet(file, columns), rows, 'hyparquet values');
  assert.deepStrictEqual(await readDuckDB(file, columns), usTrunc(columns, rows), 'DuckDB values');
}

// ------------------------------------------------------------------ statistics

const validUtf8 = (b) => {
  try { new TextDecoder('utf-8', { fatal: true }).decode(b); return true; } catch { return false; }
};
const byteOrder = (type) => type === 'string' || type === 'blob' || type === 'list';
const toBytes = (type, v) => Buffer.from(v, type === 'blob' ? 'hex' : 'utf8');

function compare(type, a, b) {
  if (byteOrder(type)) return Buffer.compare(toBytes(type, a), toBytes(type, b));
  if (type === 'int64' || type === 'ts') return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

// Checks every column chunk's statistics (read with hyparquet, byte arrays as hex) against
// the rows of its row group: null_count, and min/max when a value exists; strings longer
// than the bound may be truncated, min to a prefix and max to something not smaller.
async function checkStats(file, columns, rows) {
  const meta = await parquetMetadataAsync(await asyncBufferFromFile(file), {
    parsers: { stringFromBytes: (b) => Buffer.from(b).toString('hex'), timestampFromNanoseconds: (ns) => ns },
  });
  let start = 0;
  for (const rg of meta.row_groups) {
    const n = Number(rg.num_rows);
    const slice = rows.slice(start, start + n);
    start += n;
    columns.forEach(({ name, type }, c) => {
      const st = rg.columns[c].meta_data.statistics;
      const vals = slice.map((row) => row[c]);
      const items = type === 'list' ? vals.filter((v) => v !== null).flat() : vals.filter((v) => v !== null);
      const nulls = type === 'list' ? vals.filter((v) => v === null || v.length === 0).length : vals.length - items.length;
      assert.equal(Number(st.null_count), nulls, `${name}: null_count`);
      if (items.length === 0) {
        assert.equal(st.min_value, undefined, `${name}: no min for an all-null chunk`);
        assert.equal(st.max_value, undefined, `${name}: no max for an all-null chunk`);
        return;
      }
      const sorted = [...items].sort((a, b) => compare(type, a, b));
      let [min, max] = [sorted[0], sorted.at(-1)];
      if (byteOrder(type)) {
        const minB = toBytes(type, min), maxB = toBytes(type, max);
        if (st.max_value === undefined && maxB.length > 64) {
          // A long max that cannot be raised within the bound (all 0xFF or U+10FFFF):
          // the chunk goes without min/max rather than with a wrong one.
          assert.equal(st.min_value, undefined, `${name}: min without max`);
          return;
        }
        const gotMin = Buffer.from(st.min_value, 'hex'), gotMax = Buffer.from(st.max_value, 'hex');
        assert.ok(gotMin.length <= 64 && minB.subarray(0, gotMin.length).equals(gotMin), `${name}: min is a prefix of ${min}`);
        if (minB.length <= 64) assert.ok(gotMin.equals(minB), `${name}: exact min`);
        assert.ok(Buffer.compare(gotMax, maxB) >= 0, `${name}: max ${gotMax.toString('hex')} >= true max ${max}`);
        if (maxB.length <= 64) assert.ok(gotMax.equals(maxB), `${name}: exact max`);
        else assert.ok(gotMax.length <= 68 && st.is_max_value_exact === false, `${name}: truncated max`);
        if (type !== 'blob') assert.ok(validUtf8(gotMax) && validUtf8(gotMin), `${name}: bounds are UTF-8`);
        return;
      }
      if (type === 'double') { // zero bounds: -0.0 for min, +0.0 for max
        if (min === 0) min = -0;
        if (max === 0) max = 0;
      }
      const conv = (v) => (type === 'int64' || type === 'ts' ? BigInt(v) : v);
      assert.deepStrictEqual(st.min_value, conv(min), `${name}: min`);
      assert.deepStrictEqual(st.max_value, conv(max), `${name}: max`);
    });
  }
  assert.equal(start, rows.length);
}

// The same through DuckDB's parquet_metadata() for the types it prints plainly (ints as
// decimal, strings as themselves): what its row-group pruning will use.
async function checkDuckStats(file, columns, rows) {
  const meta = await sql(`SELECT row_group_id AS g, row_group_num_rows AS n, column_id AS c, stats_min_value AS lo,
                                 stats_max_value AS hi, stats_null_count AS nc
                          FROM parquet_metadata(${q(file)}) ORDER BY row_group_id, column_id`);
  let start = 0, group = -1;
  for (const m of meta) {
    if (Number(m.g) !== group) {
      if (group >= 0) start += Number(meta.find((x) => Number(x.g) === group).n);
      group = Number(m.g);
    }
    const { name, type } = columns[Number(m.c)];
    const vals = rows.slice(start, start + Number(m.n)).map((row) => row[Number(m.c)]).filter((v) => v !== null);
    if (type === 'list') continue; // its null_count counts level entries (checkStats)
    assert.equal(Number(m.nc), Number(m.n) - vals.length, `${name}: DuckDB null_count`);
    if (!['int32', 'int64', 'string'].includes(type) || vals.length === 0) continue;
    const sorted = [...vals].sort((a, b) => compare(type, a, b));
    if (type === 'string' && Math.max(Buffer.byteLength(sorted[0]), Buffer.byteLength(sorted.at(-1))) > 64) continue;
    assert.equal(m.lo, String(sorted[0]), `${name}: DuckDB min`);
    assert.equal(m.hi, String(sorted.at(-1)), `${name}: DuckDB max`);
  }
}

// ------------------------------------------------------------------ tests

const TYPES = ['bool', 'int32', 'int64', 'double', 'string', 'blob', 'ts', 'list'];
const DICT_TYPES = ['int32', 'int64', 'string', 'blob', 'ts', 'list'];
const INTEGER_TYPES = ['int32', 'int64', 'ts'];

function makeRows(seed, columns, count, mode, nullRate = 0.2) {
  const r = rng(seed);
  return Array.from({ length: count }, (_, i) => columns.map(({ type, optional }) =>
    optional && r() < nullRate ? null : value(type, mode, r, i)));
}

for (const codec of ['zstd', 'none']) {
  for (const mode of ['dict', 'plain']) {
    for (const optional of [false, true]) {
      const name = `${mode}-${optional ? 'optional' : 'required'}-${codec}`;
      test(`round trip: every type, ${name}`, async () => {
        const columns = TYPES.map((type) => ({ name: `c_${type}`, type, optional }));
        const rows = makeRows(name, columns, 3000, mode);
        const file = gen(name, columns, rows, ['--codec', codec, '--row-group-bytes', '40000']);
        await roundTrip(file, columns, rows);
        await checkStats(file, columns, rows);
        await checkDuckStats(file, columns, rows);
        const meta = await sql(`SELECT path_in_schema AS p, encodings AS e, compression AS z, row_group_id AS g,
                                num_values AS n FROM parquet_metadata(${q(file)})`);
        assert.ok(new Set(meta.map((m) => m.g)).size > 1, 'several row groups');
        for (const m of meta) {
          assert.equal(m.z, codec === 'zstd' ? 'ZSTD' : 'UNCOMPRESSED', `${m.p}: codec`);
          const type = m.p.split(', ')[0].slice(2);
          const dict = m.e.includes('RLE_DICTIONARY');
          const integer = INTEGER_TYPES.includes(type);
          assert.equal(m.e.includes('DELTA_BINARY_PACKED'), integer && !dict, `${m.p}: encodings ${m.e}`);
          // Distinct integers are deltas, but a chunk of a few dozen takes fewer bytes as a
          // dictionary (the deltas' miniblocks are padded to 32 values).
          if (mode === 'plain' && integer && dict)
            assert.ok(Number(m.n) < 128, `${m.p}: a dictionary for ${m.n} distinct values`);
          else
            assert.equal(dict, mode === 'dict' && DICT_TYPES.includes(type), `${m.p}: encodings ${m.e}`);
        }
      });
    }
  }
}

test('DELTA_BINARY_PACKED: extremes that wrap, constant runs, partial blocks and miniblocks, nulls', async () => {
  // Distinct integers are deltas (mostly): the first value alone, then deltas of full range
  // (INT32/INT64 min and max alternating wrap), runs of one value (width 0), a block of
  // 129 (a partial second block) and lengths around a miniblock's 32.
  const I32 = [-2147483648, 2147483647];
  const I64 = ['-9223372036854775808', '9223372036854775807'];
  for (const count of [1, 2, 31, 33, 129, 1500]) {
    const columns = [{ name: 'a', type: 'int32' }, { name: 'b', type: 'int64', optional: true },
      { name: 'c', type: 'int64' }, { name: 't', type: 'ts' }];
    const rows = Array.from({ length: count }, (_, i) => [
      i % 3 ? I32[i % 2] - (i % 2 ? i : -i) : i * 65537 - 1000000,
      i % 5 === 4 ? null : i % 2 ? I64[(i >> 1) % 2] : BigInt.asIntN(64, BigInt(i) * -4611686018427387904n + BigInt(i)).toString(),
      i < count / 2 ? '42' : String(i * 1000003),
      String(1700000000000000000n + BigInt(i) * 1234567n)]);
    const file = gen(`delta-${count}`, columns, rows, ['--codec', 'none']);
    await roundTrip(file, columns, rows);
    await checkStats(file, columns, rows);
    const meta = await sql(`SELECT path_in_schema AS p, encodings AS e FROM parquet_metadata(${q(file)})`);
    // b repeats two values (a dictionary pays); the others are distinct or runs.
    if (count >= 129)
      for (const m of meta.filter((x) => x.p !== 'b')) assert.match(m.e, /DELTA_BINARY_PACKED/, `${count} rows, ${m.p}: ${m.e}`);
  }
});

test('schema: physical, logical and converted types, repetition', async () => {
  const columns = TYPES.map((type, i) => ({ name: `c_${type}`, type, optional: i % 2 === 1 }));
  const file = gen('schema', columns, makeRows('schema', columns, 10, 'dict'));
  const schema = await sql(`SELECT name, type, converted_type AS ct, logical_type AS lt, repetition_type AS rep
                            FROM parquet_schema(${q(file)})`);
  const by = Object.fromEntries(schema.map((s) => [s.name, s]));
  const expect = {
    c_bool: ['BOOLEAN', null, null], c_int32: ['INT32', null, null], c_int64: ['INT64', null, null],
    c_double: ['DOUBLE', null, null], c_string: ['BYTE_ARRAY', 'UTF8', 'StringType()'],
    c_blob: ['BYTE_ARRAY', null, null],
    c_ts: ['INT64', null, 'TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=<null>, NANOS=NanoSeconds()))'],
    c_list: [null, 'LIST', 'ListType()'], list: [null, null, null], element: ['BYTE_ARRAY', 'UTF8', 'StringType()'],
  };
  for (const [name, [type, ct, lt]] of Object.entries(expect)) {
    assert.deepEqual([by[name].type, by[name].ct, by[name].lt], [type, ct, lt], name);
  }
  columns.forEach((c) => assert.equal(by[c.name].rep, c.optional ? 'OPTIONAL' : 'REQUIRED', c.name));
  assert.equal(by.list.rep, 'REPEATED');
  assert.equal(by.element.rep, 'REQUIRED');
  const types = await sql(`DESCRIBE SELECT * FROM read_parquet(${q(file)})`);
  assert.deepEqual(types.map((t) => t.column_type),
    ['BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'VARCHAR', 'BLOB', 'TIMESTAMP WITH TIME ZONE', 'VARCHAR[]']);
});

test('dictionary falls back to PLAIN (deltas for integers) within a chunk once it would pass its bound', async () => {
  // 140000 rows of repetitive values (dictionary pages), then distinct values: the page
  // that would take the dictionary past its bound (1 MiB; 64 KiB for INT64) and every later
  // page are PLAIN (DELTA_BINARY_PACKED for the integers), after the dictionary-encoded ones
  // in the same chunk.
  const columns = [{ name: 's', type: 'string', optional: true }, { name: 'l', type: 'list' }, { name: 'i', type: 'int64' }];
  const r = rng('fallback');
  const rows = Array.from({ length: 160000 }, (_, i) => i < 140000
    ? [i % 7 ? pick(r, POOLS.string) : null, [pick(r, POOLS.string)], pick(r, POOLS.int64)]
    : [`distinct-${i}-${'y'.repeat(80)}-${Math.floor(r() * 1e9)}`, [`item-${i}-${'z'.repeat(110)}`], String(i * 7919)]);
  const file = gen('fallback', columns, rows, ['--codec', 'none', '--row-group-bytes', String(64 << 20)]);
  await roundTrip(file, columns, rows);
  await checkStats(file, columns, rows);
  const meta = await sql(`SELECT path_in_schema AS p, encodings AS e, total_uncompressed_size AS u,
    data_page_offset - dictionary_page_offset AS d FROM parquet_metadata(${q(file)})`);
  assert.equal(meta.length, 3, 'one row group');
  const bound = { s: 1 << 20, 'l, list, element': 1 << 20, i: 64 << 10 };
  const distinct = { s: 20000 * 100, 'l, list, element': 20000 * 120 };
  for (const m of meta) {
    assert.ok(m.e.includes('RLE_DICTIONARY'), `${m.p}: ${m.e}`);
    assert.ok(Number(m.d) > 0 && Number(m.d) <= bound[m.p] + 64, `${m.p}: dictionary page of ${m.d} bytes`);
    if (m.p === 'i')
      assert.ok(m.e.includes('DELTA_BINARY_PACKED'), `i: ${m.e} (the distinct values are deltas)`);
    else
      assert.ok(Number(m.u) > distinct[m.p], `${m.p}: ${m.u} bytes in the chunk (the distinct values are PLAIN)`);
  }
});

test('statistics prune row groups correctly (sorted keys, truncated strings, unsigned order)', async () => {
  const columns = [{ name: 'k', type: 'int64' }, { name: 's', type: 'string' }, { name: 'u', type: 'string', optional: true },
    { name: 'b', type: 'blob' }, { name: 't', type: 'ts' }];
  // s shares a 60-byte prefix, so the 64-byte bound cuts through the distinguishing digits;
  // u mixes ASCII with bytes >= 0x80 (é, U+10FFFF) where signed order would be wrong.
  const rows = Array.from({ length: 4000 }, (_, i) => [
    String(i * 3), 'x'.repeat(60) + String(i).padStart(8, '0'),
    i % 5 === 4 ? null : [`a${i}`, `é${i}`, `z${i}`, `\u{10FFFF}`.repeat(20) + i][i % 4],
    '61'.repeat(62) + i.toString(16).padStart(6, '0'), String(1700000000000000000n + BigInt(i) * 1000n),
  ]);
  const file = gen('prune', columns, rows, ['--row-group-bytes', '4000']);
  const groups = await sql(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${q(file)})`);
  assert.ok(Number(groups[0].n) > 50, `many row groups (${groups[0].n})`);
  await checkStats(file, columns, rows);
  const f = `read_parquet(${q(file)})`;
  const count = async (where) => Number((await sql(`SELECT count(*) AS n FROM ${f} WHERE ${where}`))[0].n);
  for (const i of [0, 1, 1234, 2999, 3999]) {
    assert.equal(await count(`k = ${i * 3}`), 1, `k = ${i * 3}`);
    assert.equal(await count(`s = ${q(rows[i][1])}`), 1, `s row ${i}`);
    assert.equal(await count(`b = from_hex(${q(rows[i][3])})`), 1, `b row ${i}`);
    if (rows[i][2] !== null) assert.equal(await count(`u = ${q(rows[i][2])}`), 1, `u row ${i}`);
  }
  assert.equal(await count(`k = 1`), 0);
  assert.equal(await count(`k BETWEEN 300 AND 599`), 100);
  assert.equal(await count(`s >= ${q('x'.repeat(60) + '00003990')}`), 10);
  assert.equal(await count(`u >= 'é'`), rows.filter((r) => r[2] !== null && Buffer.compare(Buffer.from(r[2]), Buffer.from('é')) >= 0).length);
  assert.equal(await count(`u > 'z'`), rows.filter((r) => r[2] !== null && Buffer.compare(Buffer.from(r[2]), Buffer.from('z')) > 0).length);
  const us = (1700000000000000000n + 2500n * 1000n) / 1000n;
  const iso = new Date(Number(us / 1000000n) * 1000).toISOString().slice(0, 19).replace('T', ' ');
  assert.equal(await count(`t = ${q(`${iso}.${String(us % 1000000n).padStart(6, '0')}+00`)}::TIMESTAMPTZ`), 1);
});

test('edge cases: no rows, one row, empty and 1 MiB strings, 5000-item, empty and null lists, all-null columns', async () => {
  const columns = [{ name: 's', type: 'string', optional: true }, { name: 'b', type: 'blob', optional: true },
    { name: 'l', type: 'list', optional: true }, { name: 'r', type: 'list' }, { name: 'n', type: 'int64', optional: true },
    { name: 'ns', type: 'string', optional: true }, { name: 'd', type: 'double' }];
  const empty = gen('empty', columns, []);
  await roundTrip(empty, columns, []);
  assert.equal(Number((await sql(`SELECT num_rows FROM parquet_file_metadata(${q(empty)})`))[0].num_rows), 0);

  const one = [['é', '00', ['x'], [], null, null, -0.5]];
  await roundTrip(gen('one', columns, one), columns, one);

  const big = 'é'.repeat(1 << 19); // 1 MiB of UTF-8
  const items = Array.from({ length: 5000 }, (_, i) => `arg${i}`);
  const rows = [
    ['', '', [], [], null, null, 0],
    [big, 'ab'.repeat(1 << 20), items, items, null, null, -0],
    [null, null, null, [''], null, null, 1.25],
    ['日本語😀', 'ff', ['', 'ü', ''], ['a', 'a'], null, null, 0],
  ];
  const file = gen('edges', columns, rows);
  const dumped = readPqDump(file).rows;
  assert.equal(dumped[1][0].length, big.length);
  await roundTrip(file, columns, rows);
  await checkStats(file, columns, rows);
  const stats = await sql(`SELECT path_in_schema AS p, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nc
                           FROM parquet_metadata(${q(file)})`);
  const n = stats.find((s) => s.p === 'n');
  assert.deepEqual([n.lo, n.hi, Number(n.nc)], [null, null, 4], 'all-null column: no min/max');
  assert.equal(Number(stats.find((s) => s.p === 'l, list, element').nc), 2, 'list nulls: null and empty lists');
  assert.deepEqual((await sql(`SELECT len(l) AS n FROM read_parquet(${q(file)})`)).map((r) => r.n === null ? null : Number(r.n)),
    [0, 5000, null, 3]);
});

test('doubles: NaN stays out of min/max, zero bounds are -0.0 and +0.0', async () => {
  const columns = [{ name: 'd', type: 'double', optional: true }, { name: 'g', type: 'int32' }];
  const rows = [[NaN, 0], [2.5, 0], [null, 0], [-1, 0], [NaN, 1], [NaN, 1], [0, 2], [-0, 2], [0, 2]];
  // One row per row group (--row-group-bytes 1): NaN-only and null-only chunks get no bounds.
  const file = gen('nan', columns, rows.map((r) => [Number.isNaN(r[0]) ? 'NaN' : r[0], r[1]]),
    ['--row-group-bytes', '1']);
  const dumped = readPqDump(file).rows;
  assert.deepStrictEqual(dumped.map((r) => r[0]), ['NaN', 2.5, null, -1, 'NaN', 'NaN', 0, -0, 0]);
  const hy = await readHyparquet(file, columns);
  assert.ok(Number.isNaN(hy[0][0]) && Object.is(hy[7][0], -0));
  const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
  const st = meta.row_groups.map((rg) => rg.columns[0].meta_data.statistics);
  assert.equal(st.length, 9, 'one row per row group');
  assert.deepStrictEqual(st.map((x) => [x.min_value, x.max_value]), [[undefined, undefined], [2.5, 2.5], [undefined, undefined],
    [-1, -1], [undefined, undefined], [undefined, undefined], [-0, 0], [-0, 0], [-0, 0]]);
  const f = `read_parquet(${q(file)})`;
  assert.equal(Number((await sql(`SELECT count(*) AS n FROM ${f} WHERE isnan(d)`))[0].n), 3);
  assert.equal(Number((await sql(`SELECT count(*) AS n FROM ${f} WHERE d > 2`))[0].n), 4, 'NaN sorts above all in DuckDB');
  assert.equal(Number((await sql(`SELECT count(*) AS n FROM ${f} WHERE d = 0`))[0].n), 3);
});

test('many pages per chunk and many row groups', async () => {
  // Distinct values (PLAIN): 1.3 MB of i and 4 MB of s in one row group of 8 MiB, then a
  // second row group: pages close at 1 MiB.
  const columns = [{ name: 'i', type: 'int64' }, { name: 's', type: 'string', optional: true }, { name: 'l', type: 'list' }];
  const r = rng('pages');
  const rows = Array.from({ length: 160000 }, (_, i) => [String(i * 7), i % 3 ? `value-${i}-${'é'.repeat(6)}` : null,
    [pick(r, POOLS.string), `p${i % 10}`]]);
  const file = gen('pages', columns, rows, ['--row-group-bytes', String(6 << 20)]);
  const meta = await sql(`SELECT count(DISTINCT row_group_id) AS g, max(total_uncompressed_size) AS u FROM parquet_metadata(${q(file)})`);
  assert.ok(Number(meta[0].g) === 2 && Number(meta[0].u) > 2 << 20, `${meta[0].g} row groups, largest chunk ${meta[0].u}`);
  const mine = readPqDump(file).rows;
  assert.deepStrictEqual(mine, rows);
  assert.deepStrictEqual(await readHyparquet(file, columns), rows);
  const agg = await sql(`SELECT sum(i) AS s, count(s) AS c, sum(len(l)) AS n FROM read_parquet(${q(file)})`);
  assert.deepEqual([String(agg[0].s), Number(agg[0].c), String(agg[0].n)],
    [String(rows.reduce((a, r) => a + BigInt(r[0]), 0n)), rows.filter((r) => r[1] !== null).length, '320000']);
});

test('two writers sharing one pair of page workers: each file has its own pages, whole', async () => {
  // pq_gen --twin writes every row to a second file from a writer that shares the first
  // one's workers (as pipetrace's tables do), so their pages are encoded interleaved.
  const columns = [{ name: 'i', type: 'int64' }, { name: 's', type: 'string', optional: true }, { name: 'l', type: 'list' }];
  const r = rng('twin');
  const rows = Array.from({ length: 80000 }, (_, i) => [String(i * 3), i % 5 ? `twin-${i}-${'日'.repeat(4)}` : null,
    [pick(r, POOLS.string)]]);
  const twin = path.join(tmp, 'twin-b.parquet');
  const file = gen('twin-a', columns, rows, ['--row-group-bytes', String(3 << 20), '--twin', twin]);
  for (const f of [file, twin]) {
    const meta = await sql(`SELECT count(DISTINCT row_group_id) AS g FROM parquet_metadata(${q(f)})`);
    assert.ok(Number(meta[0].g) >= 2, `${f}: ${meta[0].g} row groups`);
    await roundTrip(f, columns, rows);
  }
});

test('key-value metadata and created_by', async () => {
  const columns = [{ name: 'a', type: 'int32' }];
  const file = gen('kv', columns, [[1]], ['--meta', 'k=first', '--meta', 'k=ü second', '--meta', 'other=',
    '--created-by', 'pq-test version 1']);
  const kv = await sql(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${q(file)}) ORDER BY 1`);
  assert.deepEqual(kv.map((r) => [r.k, r.v]), [['k', 'ü second'], ['other', '']]);
  const fm = await sql(`SELECT created_by FROM parquet_file_metadata(${q(file)})`);
  assert.equal(fm[0].created_by, 'pq-test version 1');
  assert.deepEqual(readPqDump(file, ['k', 'other', 'missing']).header.metadata, { k: 'ü second', other: '', missing: null });
});

test('invalid UTF-8 is refused in STRING columns and list items, accepted in BLOB', () => {
  const run = (spec, fieldText) => spawnSync(tool('pq_gen'), [path.join(tmp, 'bad.parquet'), spec],
    { input: fieldText + '\n', encoding: 'utf8' });
  for (const bad of ['ff', 'c0af', 'eda080', 'f4908080', 'e282', '80', 'f880808080']) {
    const s = run('s:string', bad);
    assert.equal(s.status, 1, `string ${bad}`);
    assert.match(s.stderr, /^pq_gen: row 0: column s: invalid UTF-8 refused\n$/);
    const l = run('l:list', `2:61,${bad}`);
    assert.equal(l.status, 1, `list ${bad}`);
    assert.match(l.stderr, /invalid UTF-8 refused/);
    assert.equal(run('b:blob', bad).status, 0, `blob ${bad}`);
  }
  for (const good of ['', '7f', 'c280', 'efbfbf', 'f09f9880', 'f48fbfbf', 'ee8080']) {
    assert.equal(run('s:string', good).status, 0, `valid ${good}`);
  }
});

test('API contract: refused calls leave the writer usable, rows counted, reader accessors', () => {
  const r = spawnSync(tool('pq_api'), [tmp], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, 'ok\n');
});

// The reader: a corrupt file gives one line on stderr and exit status 1 (the test build
// carries ASan and UBSan, which abort with another status on any memory error).
function dumpFails(file, pattern) {
  const r = spawnSync(tool('pq_dump'), [file], { encoding: 'utf8' });
  assert.equal(r.status, 1, `${file}: status ${r.status} signal ${r.signal} ${r.stderr}`);
  assert.match(r.stderr, /^pq_dump: [^\n]+\n$/);
  if (pattern) assert.match(r.stderr, pattern);
  return r.stderr;
}

test('reader: every truncation, cut and byte flip of small files fails cleanly', () => {
  const columns = TYPES.map((type, i) => ({ name: `c${i}`, type, optional: i % 2 === 0 }));
  for (const [name, opts, mode] of [['corrupt-dict', [], 'dict'], ['corrupt-plain', ['--codec', 'none'], 'plain']]) {
    const file = gen(name, columns, makeRows(name, columns, 6, mode, 0.3), opts);
    const r = spawnSync(tool('pq_corrupt'), [file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `pq_corrupt ${name}: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    assert.ok(out.variants > 3 * fs.statSync(file).size, `${out.variants} variants`);
    assert.equal(out.truncations_read, 0, 'a truncated file must not read');
    assert.ok(Object.keys(out.messages).length > 10, 'varied messages');
  }
  const file = gen('trunc', columns, makeRows('trunc', columns, 20, 'dict'));
  const data = fs.readFileSync(file);
  const cut = path.join(tmp, 'cut.parquet');
  fs.writeFileSync(cut, data.subarray(0, data.length - 1));
  dumpFails(cut, /truncated file/);
  const bad = Buffer.from(data);
  bad.writeUInt32LE(data.length, data.length - 8);
  fs.writeFileSync(cut, bad);
  dumpFails(cut, /truncated footer/);
});

test('reader: foreign files give one clear line', async () => {
  const text = path.join(tmp, 'text.csv');
  fs.writeFileSync(text, 'id,name\n1,hello\n2,world\n');
  dumpFails(text, /not a Parquet file \(bad magic\)/);
  const empty = path.join(tmp, 'zero.parquet');
  fs.writeFileSync(empty, '');
  dumpFails(empty, /not a Parquet file/);
  dumpFails(tmp, /not a regular file/);
  dumpFails(path.join(tmp, 'missing.parquet'), /No such file/);
  // DuckDB's files: supported columns read back equal; others give one line.
  const plain = path.join(tmp, 'duck-plain.parquet');
  await sql(`COPY (SELECT i::INTEGER AS a, i::BIGINT * 1000000007 AS b, 'v' || (i % 7) AS s, i / 4 AS d, i % 2 = 0 AS t,
             CASE WHEN i % 3 = 0 THEN NULL ELSE ['x', 'y' || i] END AS l FROM range(5000) r(i))
             TO ${q(plain)} (FORMAT parquet, COMPRESSION zstd)`);
  const mine = readPqDump(plain);
  assert.equal(mine.rows.length, 5000);
  assert.deepEqual(mine.rows[4], [4, '4000000028', 'v4', 1, true, ['x', 'y4']]);
  assert.deepEqual(mine.rows[3][5], null);
  const other = path.join(tmp, 'duck-other.parquet');
  await sql(`COPY (SELECT 1.5::FLOAT AS f, {'a': 1} AS st FROM range(3)) TO ${q(other)} (FORMAT parquet)`);
  dumpFails(other, /unsupported column/);
  const snappy = path.join(tmp, 'duck-snappy.parquet');
  await sql(`COPY (SELECT i AS a FROM range(10) r(i)) TO ${q(snappy)} (FORMAT parquet, COMPRESSION snappy)`);
  dumpFails(snappy, /unsupported codec 1/);
});

test('fuzz: libFuzzer over the seed corpus, bounded time', { timeout: 120000 }, () => {
  const fuzzer = process.env.PIPETRACE_FUZZ ?? path.resolve('build/fuzz/fuzz_parquet_reader');
  assert.ok(fs.existsSync(fuzzer), `${fuzzer} missing (make BUILD=build/fuzz fuzz)`);
  const work = fs.mkdtempSync(path.join(tmp, 'fuzz-'));
  // A crashing input is kept outside the scratch directory, which the test removes.
  const artifacts = fs.mkdtempSync(path.join(os.tmpdir(), 'pipetrace-fuzz-artifacts-'));
  // New inputs go to the scratch directory (first); the committed seeds are only read.
  const r = spawnSync(fuzzer, ['-max_total_time=20', '-rss_limit_mb=1024', `-artifact_prefix=${artifacts}/`, work,
    path.resolve('tests/fuzz/corpus')], { encoding: 'utf8', timeout: 110000 });
  assert.equal(r.status, 0, `fuzzer status ${r.status} signal ${r.signal}, input kept in ${artifacts}\n` +
    r.stderr.split('\n').slice(-30).join('\n'));
  assert.match(r.stderr, /Done \d+ runs/);
  fs.rmSync(artifacts, { recursive: true, force: true });
});
