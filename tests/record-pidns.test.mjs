// pipetrace record inside a pid namespace of its own (as in a container): its filter works in
// the kernel and pids are translated there, so it records as on the host, pids as seen in the
// namespace; attach, which adopts its PID by the pid /proc shows, is refused there.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, lines, PIPETRACE, tempDir, tool, waitFor } from './lib/pipetrace.mjs';
import { num, processes, runRow } from './lib/readers.mjs';

after(cleanup);
const skip = process.getuid() !== 0 && 'needs root for BPF and namespaces';
const PID_NS = ['unshare', '--pid', '--fork', '--mount-proc'];

test('record --comm in a pid namespace: the workload\'s rows, pids as seen there, links and exit codes', { skip }, async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const err = path.join(dir, 'err');
  const go = path.join(dir, 'go');
  const shell = path.join(dir, 'ptns');
  fs.copyFileSync('/bin/bash', shell);
  fs.chmodSync(shell, 0o755);
  // record, then (once the test saw its line) the workload, then SIGINT: all in the namespace.
  const script = `${PIPETRACE} record -q --comm ptns -o ${out} 2>${err} & rec=$!; ` +
    `${tool('waitfile')} ${go} || exit 9; ` +
    `${shell} -c 'for i in 1 2 3; do /bin/true $i; done; exit 3'; kill -INT $rec; wait $rec`;
  const ns = spawn(PID_NS[0], [...PID_NS.slice(1), 'sh', '-c', script], { stdio: 'ignore' });
  const done = new Promise((resolve) => ns.on('exit', (status) => resolve(status)));
  await waitFor(() => fs.existsSync(err) && /^pipetrace record: recording /m.test(fs.readFileSync(err, 'utf8')),
    60000, 'record\'s line');
  fs.writeFileSync(go, '');
  assert.equal(await done, 0, fs.readFileSync(err, 'utf8'));
  assert.ok(!fs.existsSync(path.join(out, '.pipetrace-journal')), 'the journal goes at a clean end');
  const rows = await processes(out);
  const root = rows.find((r) => r.filename === shell);
  assert.ok(root, JSON.stringify(rows));
  assert.equal(num(root.exit_code), 3);
  assert.ok(num(root.pid) < 100, `pid ${root.pid} as seen in the namespace`);
  const trues = rows.filter((r) => r.filename === '/bin/true');
  assert.deepEqual(trues.map((r) => r.argv[1]), ['1', '2', '3']);
  for (const t of trues) {
    assert.equal(num(t.parent_exec_id), num(root.exec_id));
    assert.equal(num(t.ppid), num(root.pid));
    assert.equal(num(t.exit_code), 0);
  }
  assert.equal((await runRow(out)).status, 'complete');
});

test('in a pid namespace: attach is refused, and record without the namespace\'s /proc: one line each', { skip }, () => {
  const dir = tempDir();
  const cases = [
    [['unshare', '--pid', '--fork', '--mount-proc', PIPETRACE, 'attach', '--pid', '1', '-o', path.join(dir, 'a')],
      /^pipetrace attach: it traces from the root pid namespace only; run it on the host, not in a container$/],
    [['unshare', '--pid', '--fork', PIPETRACE, 'record', '--all', '-o', path.join(dir, 'r')],
      /^pipetrace record: in a pid namespace it needs that namespace's \/proc; mount one \(mount -t proc proc \/proc, or unshare --mount-proc\)$/],
  ];
  for (const [argv, expected] of cases) {
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr.trim(), expected);
  }
});
