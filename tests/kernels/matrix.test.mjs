// make test-kernels, on the host: checks what scripts/kernels/guest.sh left in each booted
// kernel's results folder ($PIPETRACE_KERNEL_RESULTS/SUITE) with DuckDB. Not part of make test
// (tests/run.sh runs tests/*.test.mjs only): scripts/kernels/test-kernels.sh runs it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { query, sqlPath } from '../lib/readers.mjs';

const RESULTS = process.env.PIPETRACE_KERNEL_RESULTS;
const guests = RESULTS ? fs.readdirSync(RESULTS).filter((d) => fs.existsSync(path.join(RESULTS, d, 'kernel'))) : [];

function read(dir, file) {
  return fs.readFileSync(path.join(dir, file), 'utf8');
}
function status(dir, name) {
  return Number(read(dir, `${name}.status`).trim());
}
function table(dir, name, t) {
  return sqlPath(path.join(dir, name, `${t}.parquet`));
}

test('every guest booted and ran its script', () => {
  assert.ok(RESULTS, 'PIPETRACE_KERNEL_RESULTS names the results folder');
  assert.ok(guests.length >= 2, `guests: ${guests.join(', ')}`);
  for (const g of guests) assert.equal(read(path.join(RESULTS, g), 'guest.status').trim(), '0', g);
});

/** Whether release (uname -r) is older than the minimum, 5.17. */
function tooOld(release) {
  const [major, minor] = release.split(/[.-]/).map(Number);
  return major < 5 || (major === 5 && minor < 17);
}

for (const guest of guests.filter((g) => tooOld(read(path.join(RESULTS, g), 'kernel')))) {
  const dir = path.join(RESULTS, guest);
  const kernel = read(dir, 'kernel').trim();
  const expected = new RegExp(`this kernel \\(${kernel.replaceAll('.', '\\.')}\\) lacks the bpf_loop helper \\(Linux 5\\.17\\); pipetrace needs Linux 5\\.17 or later`);

  describe(`${kernel}: older than the minimum`, () => {
    test('pipetrace probes: no probe supported, one line saying why', () => {
      const out = read(dir, 'probes.stdout');
      for (const probe of ['proc', 'cpu', 'files', 'net'])
        assert.match(out, new RegExp(`^${probe} +\\S+ +no `, 'm'), out);
      assert.match(out, expected);
    });

    test('pipetrace run: exit 125 and that one line, no verifier log', () => {
      for (const name of ['spawn', 'exit7']) {
        assert.equal(status(dir, name), 125);
        const err = read(dir, `${name}.stderr`);
        assert.equal(err.split('\n').filter(Boolean).length, 1, err);
        assert.match(err, expected);
      }
    });
  });
}

for (const guest of guests.filter((g) => !tooOld(read(path.join(RESULTS, g), 'kernel')))) {
  const dir = path.join(RESULTS, guest);
  const kernel = read(dir, 'kernel').trim();
  const bare = guest.endsWith('-static');

  describe(`${kernel}${bare ? ' (static binary, busybox root)' : ''}`, () => {
    test('pipetrace probes: every probe loads', () => {
      const out = read(dir, 'probes.stdout');
      for (const probe of ['proc', 'cpu', 'files', 'net'])
        assert.match(out, new RegExp(`^${probe} +\\S+ +yes `, 'm'), out);
    });

    test('a traced spawn loop: every process, linked to its parent, with its exit code', async () => {
      assert.equal(status(dir, 'spawn'), 0, read(dir, 'spawn.stderr'));
      const rows = await query(`SELECT exec_id, parent_exec_id, filename, exit_code, cpu_ns
        FROM ${table(dir, 'spawn', 'processes')} ORDER BY exec_id`);
      assert.equal(rows.length, 101);
      const root = rows[0];
      assert.equal(root.parent_exec_id, null);
      const children = rows.slice(1);
      assert.ok(children.every((r) => r.parent_exec_id === root.exec_id && r.exit_code === 0));
      assert.ok(children.every((r) => r.filename === '/bin/true'), JSON.stringify(children[0]));
      const [run] = await query(`SELECT status, lost_events, processes FROM ${table(dir, 'spawn', 'runs')}`);
      assert.deepEqual(run, { status: 'complete', lost_events: '0', processes: '101' });
    });

    test('exit codes: CMD\'s own, a signal\'s, 127 for a missing command', async () => {
      assert.equal(status(dir, 'exit7'), 7);
      assert.equal(status(dir, 'killed'), 137);
      assert.equal(status(dir, 'missing'), 127);
      const [killed] = await query(`SELECT exit_code, signal FROM ${table(dir, 'killed', 'runs')}`);
      assert.deepEqual(killed, { exit_code: null, signal: 9 });
      const [exited] = await query(`SELECT exit_code FROM ${table(dir, 'exit7', 'processes')}`);
      assert.equal(exited.exit_code, 7);
    });

    test('every probe\'s table', async () => {
      assert.equal(status(dir, 'probes_all'), 0, read(dir, 'probes_all.stderr'));
      const [samples] = await query(`SELECT count(*) AS n, min(cpu_ns) AS cpu
        FROM ${table(dir, 'probes_all', 'cpu_samples')}`);
      assert.ok(Number(samples.n) >= 2, `cpu samples: ${samples.n}`);
      const opens = await query(`SELECT path FROM ${table(dir, 'probes_all', 'files')}
        WHERE path = '/proc/version' AND result >= 0`);
      assert.equal(opens.length, 1);
      const connects = await query(`SELECT address, port, protocol, result
        FROM ${table(dir, 'probes_all', 'connections')}`);
      if (!bare) assert.deepEqual(connects, [{ address: '127.0.0.1', port: 9, protocol: 'udp', result: 0 }]);
    });

    if (bare) return;

    test('CPU: the traced descendants\' cpu_ns add up to getrusage\'s figure within 2 %', async () => {
      assert.equal(status(dir, 'cpu'), 0, read(dir, 'cpu.stderr'));
      const measured = Number(read(dir, 'cpu.stdout').trim());
      const [sum] = await query(`SELECT sum(cpu_ns)::DOUBLE AS cpu FROM ${table(dir, 'cpu', 'processes')}
        WHERE parent_exec_id IS NOT NULL`);
      assert.ok(measured > 0);
      assert.ok(Math.abs(sum.cpu - measured) / measured <= 0.02, `sum ${sum.cpu} vs getrusage ${measured}`);
    });

    test('in a pid namespace of its own: the same rows, pids as seen there', async () => {
      assert.equal(status(dir, 'container'), 3, read(dir, 'container.stderr'));
      const rows = await query(`SELECT pid, ppid, parent_exec_id, filename, exit_code
        FROM ${table(dir, 'container', 'processes')} ORDER BY exec_id`);
      assert.equal(rows.length, 51);
      assert.deepEqual(rows[0], { pid: 2, ppid: 1, parent_exec_id: null, filename: '/bin/sh', exit_code: 3 });
      assert.ok(rows.slice(1).every((r) => r.ppid === 2 && r.filename === '/bin/true' && r.exit_code === 0));
    });
  });
}
