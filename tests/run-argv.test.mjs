// End-to-end tests of `pipetrace run`: argv: sizes, bytes that are not UTF-8, quoting, truncation.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cleanup, runPipetrace, tool } from './lib/pipetrace.mjs';
import { num, processes, query, runRow, sqlPath } from './lib/readers.mjs';
import { ok, onlyRow, pseudoRandom, unescapeArg } from './lib/run-helpers.mjs';

after(cleanup);

/** The argv bytes pipetrace must have seen, joined with NULs (no trailing NUL). */
function joined(args) {
  return Buffer.concat(args.flatMap((a, i) => (i ? [Buffer.from([0]), Buffer.from(a)] : [Buffer.from(a)])));
}

test('argv: one argument of 50 KB round-trips exactly', async () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const big = Array.from(pseudoRandom(50 * 1024), (b) => alphabet[b % alphabet.length]).join('');
  const r = runPipetrace(['/bin/true', big], { options: ['-q'] });
  ok(r);
  const [row] = await processes(r.out);
  assert.equal(row.argv.length, 2);
  assert.equal(row.argv[1].length, big.length);
  assert.equal(row.argv[1], big);
  assert.equal(row.argv_truncated, false);
  assert.equal(row.cmdline, `/bin/true ${big}`);
});

test('argv: 5000 arguments, count and values', async () => {
  const args = Array.from({ length: 5000 }, (_, i) => `arg-${i}`);
  const r = runPipetrace(['/bin/true', ...args], { options: ['-q'] });
  ok(r);
  const [row] = await processes(r.out);
  assert.equal(row.argv.length, 5001);
  assert.deepEqual(row.argv, ['/bin/true', ...args]);
  assert.equal(row.argv_truncated, false);
  const [n] = await query(
    `SELECT len(argv)::INT AS n, argv[5001] AS last FROM ${sqlPath(path.join(r.out, 'processes.parquet'))}`,
  );
  assert.deepEqual(n, { n: 5001, last: 'arg-4999' });
});

test('argv: bytes that are not UTF-8 are escaped as documented and decode back', async () => {
  const fixed = [
    [Buffer.from([0xff]), '\\xFF'],
    [Buffer.from([0x61, 0xc3, 0x28]), 'a\\xC3('], // invalid continuation
    [Buffer.from('\\x41'), '\\x5Cx41'], // a backslash that would read as an escape
    [Buffer.from('\\xZZ'), '\\xZZ'], // one that would not
    [Buffer.from('end\\'), 'end\\'],
    [Buffer.from('€ ok'), '€ ok'],
    [Buffer.from([0xed, 0xa0, 0x80]), '\\xED\\xA0\\x80'], // a UTF-16 surrogate
    [Buffer.from([0xc0, 0xaf]), '\\xC0\\xAF'], // overlong
    [Buffer.alloc(0), ''],
  ];
  // Random bytes dense in backslashes, 'x' and hex digits, the hard cases for the escape.
  const pool = Buffer.from('\\\\\\xxxaF09\xff\xc3\xa9\x80 \'"');
  const random = Array.from({ length: 40 }, (_, k) => {
    const raw = pseudoRandom(1 + (k % 23), 1000 + k);
    return Buffer.from(Array.from(raw, (b) => (b % 3 === 0 ? (b | 0x80) : pool[b % pool.length] || 0x41)));
  });
  const args = [...fixed.map(([b]) => b), ...random];
  const r = runPipetrace([tool('argv_bytes'), '/bin/true', ...args.map((b) => b.toString('hex'))], {
    options: ['-q'],
  });
  ok(r);
  const rows = await processes(r.out);
  const row = onlyRow(rows, (x) => x.filename === '/bin/true', '/bin/true');
  assert.equal(row.argv.length, 1 + args.length);
  fixed.forEach(([, escaped], i) => assert.equal(row.argv[1 + i], escaped, `argument ${i + 1}`));
  args.forEach((bytes, i) =>
    assert.deepEqual(unescapeArg(row.argv[1 + i]), bytes, `argument ${i + 1} decodes back`),
  );
  for (const a of row.argv) assert.ok(!a.includes('\uFFFD'), 'valid UTF-8, no replacement character');
});

test('argv: cmdline is the shell-quoted join of argv (a shell reads it back as argv)', async () => {
  const args = ['a b', "it's", '', 'plain', '$HOME', 'x"y', 'tab\there', '*'];
  const r = runPipetrace(['/bin/true', ...args], { options: ['-q'] });
  ok(r);
  const [row] = await processes(r.out);
  assert.deepEqual(row.argv, ['/bin/true', ...args]);
  assert.ok(row.cmdline.startsWith("/bin/true 'a b' 'it'\\''s' '' plain "), row.cmdline);
  const back = spawnSync('bash', ['-c', `printf '%s\\0' ${row.cmdline}`], { encoding: 'utf8' });
  assert.equal(back.status, 0, back.stderr);
  assert.deepEqual(back.stdout.split('\0').slice(0, -1), row.argv);
});

test('argv: an empty argv (execve with NULL and with {NULL}) gives a row, no crash', async () => {
  for (const mode of ['null', 'empty']) {
    const r = runPipetrace([tool('empty_argv'), mode, '/bin/true'], { options: ['-q'] });
    ok(r);
    const rows = await processes(r.out);
    assert.equal(rows.length, 2, mode);
    const row = rows[1];
    assert.equal(row.filename, '/bin/true');
    assert.ok(
      row.argv.length === 0 || (row.argv.length === 1 && row.argv[0] === ''),
      `${mode}: argv ${JSON.stringify(row.argv)}`,
    );
    assert.equal(row.argv_truncated, false);
    assert.equal(num(row.exit_code), 0);
    assert.equal(num(row.prev_exec_id), num(rows[0].exec_id));
  }
});

async function truncation(options, total, expectTruncated, limit) {
  // Arguments of 999 bytes + NUL: the argv bytes are 10 (/bin/true) + 1000 per argument.
  const count = Math.ceil(total / 1000);
  const args = Array.from({ length: count }, (_, i) =>
    `${String(i).padStart(6, '0')}${'abcdefghij'.repeat(100)}`.slice(0, 999),
  );
  const r = runPipetrace(['/bin/true', ...args], { options: ['-q', ...options] });
  ok(r);
  const [row] = await processes(r.out);
  assert.equal(row.argv_truncated, expectTruncated);
  const full = joined(['/bin/true', ...args]);
  if (!expectTruncated) {
    assert.deepEqual(row.argv, ['/bin/true', ...args]);
    return;
  }
  const kept = joined(row.argv);
  assert.ok(full.subarray(0, kept.length).equals(kept), 'the kept argv is a prefix');
  // limit bytes kept: the last one either a NUL (dropped) or inside a word cut short.
  assert.ok(kept.length === limit || kept.length === limit - 1, `kept ${kept.length} of ${limit}`);
  const opts = JSON.parse((await runRow(r.out)).options);
  assert.equal(opts.max_args, limit);
}

test('argv: --max-args 4K with a 10K argv is truncated, the kept prefix exact', async () => {
  await truncation(['--max-args', '4K'], 10 * 1024, true, 4096);
});

test('argv: truncation inside a multi-byte character keeps an exact, decodable prefix', async () => {
  const args = Array.from({ length: 20 }, (_, i) => `${i}:${'é€'.repeat(60)}`);
  const r = runPipetrace(['/bin/true', ...args], { options: ['-q', '--max-args', '4K'] });
  ok(r);
  const [row] = await processes(r.out);
  assert.equal(row.argv_truncated, true);
  const full = joined(['/bin/true', ...args]);
  const kept = joined(row.argv.map(unescapeArg));
  assert.ok(kept.length === 4096 || kept.length === 4095, `kept ${kept.length}`);
  assert.ok(full.subarray(0, kept.length).equals(kept), 'the decoded kept argv is a prefix');
  assert.ok(/\\x[89A-F][0-9A-F]$/.test(row.argv.at(-1)) || kept.length === 4095, 'cut inside é or €');
  for (const a of row.argv) assert.ok(!a.includes('\uFFFD'));
});

test('argv: the default limit (64K) truncates a 100K argv', async () => {
  await truncation([], 100 * 1024, true, 65536);
});

test('argv: --max-args 1M truncates a 1.5M argv at 1M', async () => {
  await truncation(['--max-args', '1M'], 1536 * 1024, true, 1 << 20);
});

test('argv: --max-args 1M keeps a 500K argv whole', async () => {
  await truncation(['--max-args', '1M'], 500 * 1024, false, 1 << 20);
});
