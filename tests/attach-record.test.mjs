// pipetrace attach and record: tracing processes pipetrace did not start (real BPF), and the
// --partition layout read back by DuckDB (hive_partitioning) and polars.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pl from 'nodejs-polars';
import { PIPETRACE, cleanup, tempDir, waitFor } from './lib/pipetrace.mjs';
import { query, sqlPath } from './lib/readers.mjs';

after(cleanup);
const skip = process.getuid() !== 0 && 'needs root for BPF';

/** A background process whose stdout and stderr are collected; done resolves at its exit. */
function background(argv, opts = {}) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (b) => { out.stdout += b; });
  child.stderr.on('data', (b) => { out.stderr += b; });
  out.child = child;
  out.done = new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal })));
  return out;
}

/** pipetrace attach/record in the background; resolves once its "probes attached" line is out. */
async function monitor(args) {
  const p = background([PIPETRACE, ...args]);
  await waitFor(() => /^pipetrace (attach: tracing|record: recording) /m.test(p.stderr) || p.child.exitCode !== null,
    60000, 'the line saying the probes are attached');
  assert.equal(p.child.exitCode, null, p.stderr);
  return p;
}

const rows = (sql) => query(sql);
const processes = (dir) => rows(`SELECT * FROM ${sqlPath(path.join(dir, 'processes.parquet'))} ORDER BY exec_id`);
const runRow = async (dir) => (await rows(`SELECT * FROM ${sqlPath(path.join(dir, 'runs.parquet'))}`))[0];
const byCmd = (list, cmdline) => {
  const found = list.filter((r) => r.cmdline === cmdline);
  assert.equal(found.length, 1, `one row of ${cmdline} in ${JSON.stringify(list.map((r) => r.cmdline))}`);
  return found[0];
};

test('attach to a running shell that then starts children: all under it, the run ends when it exits', { skip }, async () => {
  const out = path.join(tempDir(), 'out');
  const sh = background(['sh', '-c', 'read x; /bin/true; ls / >/dev/null; sh -c "exit 0"; exit 3']);
  const p = await monitor(['attach', '--pid', String(sh.child.pid), '-o', out]);
  sh.child.stdin.end('go\n');
  assert.deepEqual(await sh.done, { status: 3, signal: null });
  const r = await p.done;
  assert.equal(r.status, 0, p.stderr);
  assert.match(p.stderr, /^pipetrace summary: /m);
  const list = await processes(out);
  const root = list.find((x) => x.pid === sh.child.pid);
  assert.equal(root.attached, true);
  assert.equal(root.exec_time, null);
  assert.equal(root.exit_code, 3);
  assert.equal(root.end_reason, 'exit');
  for (const cmd of ['/bin/true', 'ls /', "sh -c 'exit 0'"]) {
    const child = byCmd(list, cmd);
    assert.equal(child.parent_exec_id, root.exec_id, cmd);
    assert.equal(child.attached, false, cmd);
    assert.equal(child.end_reason, 'exit', cmd);
  }
  const run = await runRow(out);
  assert.deepEqual(run.command, ['sh', '-c', 'read x; /bin/true; ls / >/dev/null; sh -c "exit 0"; exit 3']);
  assert.equal(run.exit_code, 3);
  assert.equal(run.status, 'complete');
  assert.equal(Number(run.processes), list.length);
});

test('attach to a process that already has children: they are adopted from /proc', { skip }, async () => {
  const out = path.join(tempDir(), 'out');
  const before = Date.now();
  const sh = background(['sh', '-c', 'sleep 1001 & a=$!; sleep 1002 & b=$!; echo started; read x; kill $a $b; wait']);
  await waitFor(() => sh.stdout.includes('started'), 20000, 'the children to start');
  const p = await monitor(['attach', '-q', '--pid', String(sh.child.pid), '-o', out]);
  assert.match(p.stderr, /\(3 running processes adopted\)/);
  sh.child.stdin.end('\n');
  await sh.done;
  assert.equal((await p.done).status, 0, p.stderr);
  const list = await processes(out);
  const root = list.find((x) => x.pid === sh.child.pid);
  for (const cmd of ['sleep 1001', 'sleep 1002']) {
    const child = byCmd(list, cmd);
    assert.equal(child.attached, true, cmd);
    assert.equal(child.parent_exec_id, root.exec_id, cmd);
    assert.equal(child.signal, 15, cmd);
    assert.equal(child.end_reason, 'exit', cmd);
    // /proc's start time, to the clock tick: after the test started the shell, before attach.
    const start = Date.parse(child.start_time);
    assert.ok(start >= before - 20 && start <= Date.parse((await runRow(out)).start_time), child.start_time);
  }
});

test('SIGINT ends attach: the dataset holds the process still running', { skip }, async () => {
  const out = path.join(tempDir(), 'out');
  const sleeper = background(['sleep', '1000']);
  const p = await monitor(['attach', '-q', '--pid', String(sleeper.child.pid), '-o', out]);
  p.child.kill('SIGINT');
  assert.equal((await p.done).status, 0, p.stderr);
  sleeper.child.kill();
  const [row] = await processes(out);
  assert.equal(row.cmdline, 'sleep 1000');
  assert.equal(row.end_reason, 'running');
  assert.equal(row.attached, true);
  const run = await runRow(out);
  assert.equal(run.exit_code, null);
  assert.equal(run.status, 'complete');
});

test('attach redacts like run: the adopted process\'s argv from /proc and runs.command', { skip }, async () => {
  const out = path.join(tempDir(), 'out');
  const sh = background(['sh', '-c', 'read x', 'sh', '--password=hunter2']);
  const p = await monitor(['attach', '-q', '--pid', String(sh.child.pid), '-o', out]);
  sh.child.stdin.end('\n');
  await sh.done;
  assert.equal((await p.done).status, 0, p.stderr);
  const [row] = await processes(out);
  assert.deepEqual(row.argv, ['sh', '-c', 'read x', 'sh', '--password=***']);
  assert.equal(row.argv_redacted, true);
  const run = await runRow(out);
  assert.deepEqual(run.command, ['sh', '-c', 'read x', 'sh', '--password=***']);
  assert.equal(run.redact, true);
});

/** The cgroup v2 mount (/sys/fs/cgroup/unified on a hybrid layout). */
function cgroupMount() {
  const line = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.includes(' - cgroup2 '));
  return line?.split(' ')[4];
}

test('record --cgroup: a process moved into a fresh cgroup is recorded with its children; one outside is not', { skip: skip || (!cgroupMount() && 'no cgroup v2') }, async () => {
  const cgroup = path.join(cgroupMount(), `pipetrace-test-${process.pid}`);
  fs.mkdirSync(cgroup);
  try {
    const out = path.join(tempDir(), 'out');
    const p = await monitor(['record', '-q', '--cgroup', cgroup, '-o', out]);
    const sh = background(['sh', '-c', `echo $$ > ${cgroup}/cgroup.procs; /bin/true inside; sh -c "ls >/dev/null"; echo done; read x`]);
    await waitFor(() => sh.stdout.includes('done'), 20000, 'the moved shell to run its children');
    assert.equal(spawnSync('/bin/echo', ['outside-marker']).status, 0);
    p.child.kill('SIGINT');
    const r = await p.done;
    sh.child.stdin.end('\n');
    await sh.done;
    assert.equal(r.status, 0, p.stderr);
    assert.match(p.stderr, /^pipetrace record: stopped; 1 dataset written, the last in .+$/m);
    const list = await processes(out);
    const shell = list.find((x) => x.pid === sh.child.pid);
    assert.ok(shell, JSON.stringify(list.map((x) => [x.pid, x.cmdline])));
    assert.equal(shell.attached, true);
    for (const cmd of ['/bin/true inside', "sh -c 'ls >/dev/null'"])
      assert.equal(byCmd(list, cmd).parent_exec_id, shell.exec_id, cmd);
    assert.equal(byCmd(list, 'ls').attached, false);
    assert.ok(!list.some((x) => x.cmdline.includes('outside-marker')), 'a process outside the cgroup');
  } finally {
    fs.rmdirSync(cgroup);
  }
});

/** A copy of /bin/sh under a name of its own: a comm that nothing else on the machine has. */
function namedShell(name) {
  const file = path.join(tempDir(), name);
  fs.copyFileSync('/bin/sh', file);
  fs.chmodSync(file, 0o755);
  return file;
}

test('record --comm: processes of that name and their children, no others', { skip }, async () => {
  const out = path.join(tempDir(), 'out');
  const shell = namedShell(`ptcomm${process.pid % 10000}`);
  const p = await monitor(['record', '-q', '--comm', `nomatch,${path.basename(shell)}`, '-o', out]);
  assert.equal(spawnSync(shell, ['-c', '/bin/true from-named; exit 0']).status, 0);
  assert.equal(spawnSync('sh', ['-c', '/bin/true from-other']).status, 0);
  p.child.kill('SIGTERM');
  assert.equal((await p.done).status, 0, p.stderr);
  const list = await processes(out);
  const named = byCmd(list, `${shell} -c '/bin/true from-named; exit 0'`);
  assert.equal(named.attached, false);
  assert.equal(byCmd(list, '/bin/true from-named').parent_exec_id, named.exec_id);
  assert.ok(!list.some((x) => x.cmdline.includes('from-other')));
});

test('record --all sees a process unrelated to pipetrace', { skip }, async () => {
  const out = path.join(tempDir(), 'out');
  const p = await monitor(['record', '-q', '--all', '-o', out]);
  assert.equal(spawnSync('/bin/echo', ['all-marker']).status, 0);
  p.child.kill('SIGINT');
  assert.equal((await p.done).status, 0, p.stderr);
  const found = await rows(`SELECT cmdline, attached FROM ${sqlPath(path.join(out, 'processes.parquet'))} WHERE cmdline = '/bin/echo all-marker'`);
  assert.deepEqual(found, [{ cmdline: '/bin/echo all-marker', attached: false }]);
});

test('record --rotate: no execution lost or repeated across the boundaries', { skip }, async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const shell = namedShell(`ptrot${process.pid % 10000}`);
  const p = await monitor(['record', '-q', '--comm', path.basename(shell), '--rotate', '1s', '--run-id', 'rot', '--probes', 'files', '-o', out]);
  const stop = path.join(dir, 'stop');
  const count = path.join(dir, 'count');
  const loop = background([shell, '-c', `n=0; while [ ! -e ${stop} ]; do /bin/true; n=$((n+1)); done; echo $n > ${count}`]);
  // Two boundaries while the loop runs: the third dataset has begun.
  await waitFor(() => fs.existsSync(path.join(out, 'rot-0003')), 30000, 'two rotations');
  fs.writeFileSync(stop, '');
  await loop.done;
  p.child.kill('SIGINT');
  assert.equal((await p.done).status, 0, p.stderr);
  const datasets = fs.readdirSync(out).sort();
  assert.ok(datasets.length >= 3, datasets.join());
  assert.deepEqual(datasets, datasets.map((_, i) => `rot-${String(i + 1).padStart(4, '0')}`));
  const all = await rows(`SELECT run_id, exec_id, cmdline FROM read_parquet(${sqlPath(path.join(out, '*', 'processes.parquet'))}) ORDER BY exec_id`);
  // exec_ids are handed out one by one as executions start: each once, none missing.
  assert.deepEqual(all.map((r) => Number(r.exec_id)), all.map((_, i) => i + 1));
  const trues = all.filter((r) => r.cmdline === '/bin/true');
  assert.equal(trues.length, Number(fs.readFileSync(count, 'utf8')));
  assert.ok(new Set(trues.map((r) => r.run_id)).size >= 2, 'the loop spans a boundary');
  const runs = await rows(`SELECT run_id, processes, status FROM read_parquet(${sqlPath(path.join(out, '*', 'runs.parquet'))}) ORDER BY run_id`);
  assert.deepEqual(runs.map((r) => r.run_id), datasets);
  for (const run of runs)
    assert.equal(Number(run.processes), all.filter((r) => r.run_id === run.run_id).length, run.run_id);
  // The probes' tables go on into each dataset too, their rows under its run_id.
  for (const table of ['events', 'cpu_samples', 'files']) {
    const ids = await rows(`SELECT DISTINCT run_id FROM read_parquet(${sqlPath(path.join(out, '*', `${table}.parquet`))}, filename = true) WHERE NOT contains(filename, '/' || run_id || '/')`);
    assert.deepEqual(ids, [], `${table}: rows under another dataset's run_id`);
  }
  const opened = await rows(`SELECT count(*) AS n FROM read_parquet(${sqlPath(path.join(out, '*', 'files.parquet'))})`);
  assert.ok(Number(opened[0].n) > 0, 'files.parquet rows');
  // report reads the folder of datasets, newest first.
  const report = spawnSync(PIPETRACE, ['report', out, '--format', 'json']);
  assert.equal(report.status, 0, report.stderr.toString());
  const ids = report.stdout.toString().trim().split('\n').map((l) => JSON.parse(l).run_id);
  assert.deepEqual(ids, [...datasets].reverse());
});

test('two --partition runs: one table with host, date and run columns for DuckDB and polars; a date filter reads only its partition', { skip }, async () => {
  const root = path.join(tempDir(), 'fleet');
  for (const id of ['first', 'second']) {
    const r = spawnSync(PIPETRACE, ['run', '-q', '--partition', '-o', root, '--run-id', id, '--', 'sh', '-c', `/bin/true ${id}`]);
    assert.equal(r.status, 0, r.stderr.toString());
  }
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '_');
  const date = new Date().toISOString().slice(0, 10);
  for (const id of ['first', 'second'])
    assert.ok(fs.existsSync(path.join(root, `host=${host}`, `date=${date}`, `run=${id}`, 'processes.parquet')), id);
  // A partition of another day whose files no reader can parse (sorted last: readers take the
  // schema from the first file): only a read that prunes it by its date succeeds.
  const later = path.join(root, `host=${host}`, 'date=2999-12-31', 'run=later');
  fs.mkdirSync(later, { recursive: true });
  fs.writeFileSync(path.join(later, 'processes.parquet'), 'PAR1 not a parquet file PAR1');
  const glob = sqlPath(path.join(root, '*', '*', '*', 'processes.parquet'));
  // The query of docs/fleet.md.
  const duck = await rows(`SELECT host, CAST(date AS VARCHAR) AS date, run, run_id, cmdline FROM read_parquet(${glob}, hive_partitioning = true, hive_types = {'host': VARCHAR, 'date': DATE, 'run': VARCHAR}) WHERE date = DATE '${date}' AND cmdline LIKE '/bin/true%' ORDER BY run`);
  assert.deepEqual(duck, [
    { host, date, run: 'first', run_id: 'first', cmdline: '/bin/true first' },
    { host, date, run: 'second', run_id: 'second', cmdline: '/bin/true second' },
  ]);
  await assert.rejects(rows(`SELECT count(*) FROM read_parquet(${glob}, hive_partitioning = true)`));
  const polars = await pl.scanParquet(path.join(root, '**', 'processes.parquet'), { hivePartitioning: true })
    .filter(pl.col('date').eq(pl.lit(new Date(`${date}T00:00:00Z`))).and(pl.col('cmdline').str.startsWith('/bin/true')))
    .select('host', 'run', 'run_id', 'cmdline').sort('run').collect();
  assert.deepEqual(polars.toRecords(), [
    { host, run: 'first', run_id: 'first', cmdline: '/bin/true first' },
    { host, run: 'second', run_id: 'second', cmdline: '/bin/true second' },
  ]);
  fs.rmSync(later, { recursive: true });
  const report = spawnSync(PIPETRACE, ['report', root, '--format', 'json']);
  assert.equal(report.status, 0, report.stderr.toString());
  assert.deepEqual(report.stdout.toString().trim().split('\n').map((l) => JSON.parse(l).run_id), ['second', 'first']);
  const one = spawnSync(PIPETRACE, ['report', root, '--run', 'first', '--format', 'json']);
  assert.deepEqual(one.stdout.toString().trim().split('\n').map((l) => JSON.parse(l).run_id), ['first']);
  const diff = spawnSync(PIPETRACE, ['diff', root, '--format', 'json']);
  assert.equal(diff.status, 0, diff.stderr.toString());
});

test('merge --partition puts datasets of one run each into the layout', { skip }, async () => {
  const dir = tempDir();
  const inputs = ['m1', 'm2'].map((id) => {
    const out = path.join(dir, id);
    const r = spawnSync(PIPETRACE, ['run', '-q', '-o', out, '--run-id', id, '--', '/bin/true', id]);
    assert.equal(r.status, 0, r.stderr.toString());
    return out;
  });
  const root = path.join(dir, 'root');
  // The same run twice is merged once.
  const r = spawnSync(PIPETRACE, ['merge', ...inputs, inputs[0], '-o', root, '--partition']);
  assert.equal(r.status, 0, r.stderr.toString());
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '_');
  const got = await rows(`SELECT host, run, cmdline FROM read_parquet(${sqlPath(path.join(root, '*', '*', '*', 'processes.parquet'))}, hive_partitioning = true) ORDER BY run`);
  assert.deepEqual(got, [{ host, run: 'm1', cmdline: '/bin/true m1' }, { host, run: 'm2', cmdline: '/bin/true m2' }]);
  const merged = path.join(dir, 'merged');
  assert.equal(spawnSync(PIPETRACE, ['merge', ...inputs, '-o', merged]).status, 0);
  const refused = spawnSync(PIPETRACE, ['merge', merged, '-o', root, '--partition']);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr.toString(), /^pipetrace merge: .*merged\/runs\.parquet holds 2 runs; --partition takes datasets of one run each\n$/);
});

test('a missing pid, a missing cgroup, no filter: one-line errors', () => {
  const cases = [
    [['attach', '--pid', '999999999'], 1, /^pipetrace attach: no process 999999999 is running \(No such process\); give the pid of a running process to --pid\n$/],
    [['attach'], 2, /^pipetrace attach: no process given \(--pid PID\); try 'pipetrace attach --help'\n$/],
    [['attach', '--pid', 'x'], 2, /^pipetrace attach: --pid takes a process id, not 'x'; try 'pipetrace attach --help'\n$/],
    [['record', '--cgroup', '/sys/fs/cgroup/no-such-cgroup'], 1, /^pipetrace record: no cgroup v2 folder \/sys\/fs\/cgroup\/no-such-cgroup \([^)]+\); give a folder under \S+, the cgroup2 mount\n$/],
    [['record'], 2, /^pipetrace record: no filter given; usage: pipetrace record \[OPTIONS\] \(--cgroup PATH \| --comm NAME\.\.\. \| --all\); try 'pipetrace record --help'\n$/],
    [['record', '--all', '--rotate', '5ms'], 2, /^pipetrace record: --rotate takes 1s to 24h \(e\.g\. 30s, 1h\), not '5ms'; try 'pipetrace record --help'\n$/],
    [['run', '--partition', '--run-id', 'a:b', '--', 'true'], 125, /^pipetrace run: with --partition, --run-id 'a:b' may hold only letters, digits, '\.', '_' and '-'; try 'pipetrace run --help'\n$/],
    [['record', '--all', '--comm', 'x'], 2, /^pipetrace record: give only one filter; .+\n$/],
  ];
  for (const [args, status, message] of cases) {
    const r = spawnSync(PIPETRACE, args);
    assert.equal(r.status, status, args.join(' '));
    assert.match(r.stderr.toString(), message, args.join(' '));
  }
  for (const command of ['attach', 'record']) {
    const help = spawnSync(PIPETRACE, [command, '--help']);
    assert.equal(help.status, 0);
    for (const word of ['--partition', '--probes', '--run-id', 'Exit status'])
      assert.ok(help.stdout.toString().includes(word), `${command} ${word}`);
  }
});
