// End-to-end tests of the probe modules (cpu, files, net): real BPF, real processes, tables read
// back with DuckDB and key figures cross-checked with hyparquet. Synchronisation is by process
// exit only; the few timing figures asserted are generous lower bounds.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { cleanup, lines, runPipetrace, spawnPipetrace, tempDir, tool, waitFor } from './lib/pipetrace.mjs';
import { hyTable, num, processes, query, runRow, sqlPath } from './lib/readers.mjs';
import {
  assertOk,
  closedPort,
  pipetraceCommand,
  rows,
  runAsync,
  seedQuery,
  tablesOf,
  tcpServer,
  unixServer,
} from './lib/probes-helpers.mjs';

after(cleanup);

const SPIN = tool('spin');
const OPENS = tool('opens');
const NETCONNECT = tool('netconnect');
const BURNWAIT = tool('burnwait');

const O_WRONLY = 0o1;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_DIRECTORY = 0o200000;
const ENOENT = 2;
const ECONNREFUSED = 111;

/** A fresh temp dir with symlinks resolved (paths in the tables are the kernel's). */
function realTempDir() {
  return fs.realpathSync(tempDir('pipetrace-probes-'));
}

function onlyRow(all, predicate, what) {
  const found = all.filter(predicate);
  assert.equal(found.length, 1, `exactly one ${what} in ${JSON.stringify(all, null, 1)}`);
  return found[0];
}

/** The root execution: the command pipetrace started. */
function rootRow(procs) {
  return onlyRow(procs, (r) => r.parent_exec_id === null && r.prev_exec_id === null, 'root');
}

/** Executions whose image is FILE (exec'd, not a fork-only child such as LSan's helper). */
function execsOf(procs, file) {
  return procs.filter((r) => r.filename === file && r.exec_time !== null);
}

/** Rows of a record table (files, connections) in written order. */
async function recordRows(dir, table) {
  return query(
    `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlPath(
      path.join(dir, `${table}.parquet`),
    )}, file_row_number = true) ORDER BY file_row_number`,
  );
}

/** Every record row belongs to an execution of that pid in processes.parquet. */
function assertRowsBelong(recs, procs, table) {
  const byId = new Map(procs.map((p) => [num(p.exec_id), p]));
  for (const r of recs) {
    const p = byId.get(num(r.exec_id));
    assert.ok(p, `${table} row's exec_id ${r.exec_id} is in processes: ${JSON.stringify(r)}`);
    assert.equal(r.pid, p.pid, `${table} row's pid is its execution's: ${JSON.stringify(r)}`);
    assert.equal(r.run_id, p.run_id);
  }
}

// ---------------------------------------------------------------------------------------------
// The probe list and option errors

test('pipetrace probes lists proc, cpu, files and net, each supported here', () => {
  const r = pipetraceCommand(['probes']);
  assertOk(r, 'pipetrace probes');
  const [listing] = r.stdout.split('\n\n');
  const table = lines(listing).map((l) => l.split(/\s+/));
  assert.deepEqual(table[0].slice(0, 4), ['PROBE', 'DEFAULT', 'SUPPORTED', 'RECORDS']);
  const byName = new Map(table.slice(1).map((cols) => [cols[0], cols]));
  assert.deepEqual([...byName.keys()].sort(), ['cpu', 'files', 'net', 'proc']);
  const expectedDefault = { proc: 'always', cpu: 'on', files: 'off', net: 'off' };
  for (const [name, def] of Object.entries(expectedDefault)) {
    assert.equal(byName.get(name)[1], def, `${name} default`);
    assert.equal(byName.get(name)[2], 'yes', `${name} supported: ${r.stdout}`);
  }
  const extra = pipetraceCommand(['probes', 'cpu']);
  assert.equal(extra.status, 2, 'pipetrace probes takes no argument');
  assert.equal(lines(extra.stderr).length, 1, extra.stderr);
});

// The BTF the CO-RE relocations read: built in for this kernel (the suite runs where it was
// built), or the file PIPETRACE_CORE_BTF names; both trace the same tree.
const CORE_BTF_LINE = /^CO-RE relocation reads (.*)\.$/m;

test('CO-RE: relocated against the BTF built in for this kernel, or PIPETRACE_CORE_BTF\'s', async () => {
  const builtIn = pipetraceCommand(['probes']);
  assertOk(builtIn, 'pipetrace probes');
  assert.match(builtIn.stdout, CORE_BTF_LINE);
  assert.match(builtIn.stdout.match(CORE_BTF_LINE)[1], /^the \d+ bytes of BTF built in for this kernel$/);
  const env = { PIPETRACE_CORE_BTF: '/sys/kernel/btf/vmlinux' };
  const named = pipetraceCommand(['probes'], { env: { ...process.env, ...env } });
  assert.equal(named.stdout.match(CORE_BTF_LINE)[1], '/sys/kernel/btf/vmlinux ($PIPETRACE_CORE_BTF)');

  const script = `${SPIN} 30; sh -c 'exit 3'; true`;
  const shapes = [];
  for (const runEnv of [{}, env]) {
    const r = runPipetrace(['sh', '-c', script], { options: ['-q'], env: runEnv });
    assertOk(r);
    const procs = await processes(r.out);
    const spin = onlyRow(procs, (p) => p.filename === SPIN, 'spin');
    assert.ok(num(spin.cpu_ns) > 0, 'the relocated reads of the reap record give CPU time');
    assert.ok(num(spin.max_rss_kb) > 0, 'and memory');
    const samples = await query(
      `SELECT max(cpu_ns)::BIGINT AS cpu FROM ${sqlPath(path.join(r.out, 'cpu_samples.parquet'))} ` +
        `WHERE exec_id = ${num(spin.exec_id)}`,
    );
    assert.equal(num(samples[0].cpu), num(spin.cpu_ns), 'the cpu probe relocates alike');
    shapes.push(procs.map((p) => [p.filename, p.exit_code, p.end_reason]).sort());
  }
  assert.deepEqual(shapes[1], shapes[0], 'the same executions either way');
});

test('PIPETRACE_DEBUG=2: one line of verifier statistics per BPF program loaded', () => {
  const r = runPipetrace(['true'], { options: ['-q', '--probes', 'net'], env: { PIPETRACE_DEBUG: '2' } });
  assertOk(r);
  const stats = lines(r.stderr).filter((l) => / verification time \d+ usec .*processed \d+ insns/.test(l));
  const programs = stats.map((l) => l.match(/^pipetrace: (\S+):/)[1]).sort();
  assert.deepEqual(programs, [
    'cpu/sample_cpu',
    'net/enter_connect',
    'net/exit_connect',
    'proc/handle_exec',
    'proc/handle_exit',
    'proc/handle_fork',
    'proc/handle_free',
    'proc/handle_switch',
  ]); // seed_command is loaded in a pid namespace only (tests/containers.test.mjs)
  const started = lines(r.stderr).filter((l) => /^pipetrace: the \S+ probe started in \d+\.\d\d ms$/.test(l));
  assert.deepEqual(started.map((l) => l.split(' ')[2]).sort(), ['cpu', 'net', 'proc'],
    'how long each probe took to load and attach while CMD was held');
  const quiet = runPipetrace(['true'], { options: ['-q'] });
  assert.equal(quiet.stderr, '', 'nothing without PIPETRACE_DEBUG');
});

test('PIPETRACE_CORE_BTF naming no BTF: exit 125, one line naming it, CMD not run', () => {
  const dir = tempDir();
  const marker = path.join(dir, 'ran');
  for (const file of [path.join(dir, 'missing'), '/etc/hostname']) {
    const r = runPipetrace(['touch', marker], { dir, env: { PIPETRACE_CORE_BTF: file } });
    assert.equal(r.status, 125, r.stderr);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`PIPETRACE_CORE_BTF=${file}.*not a readable BTF file`));
    assert.ok(!fs.existsSync(marker), 'CMD did not run');
  }
});

test('--probes bogus: exit 125, one line naming the probe and pipetrace probes, CMD not run', () => {
  const dir = tempDir();
  const marker = path.join(dir, 'ran');
  const r = runPipetrace(['touch', marker], { dir, options: ['--probes', 'files,bogus'] });
  assert.equal(r.status, 125, r.stderr);
  const err = lines(r.stderr);
  assert.equal(err.length, 1, `one line: ${r.stderr}`);
  assert.match(err[0], /'bogus'/);
  assert.match(err[0], /pipetrace probes/);
  assert.ok(!fs.existsSync(marker), 'CMD did not run');
});

async function intervalTaken(cases) {
  for (const [text, ns] of Object.entries(cases)) {
    const r = runPipetrace(['/bin/true'], { options: ['-q', '--interval', String(text)] });
    assertOk(r);
    assert.equal(JSON.parse((await runRow(r.out)).options).interval_ns, ns, `--interval ${text}`);
  }
}

test('--interval bounds and units: 10ms, 0.5s, 2 (seconds), 3600s and 60m are taken', async () => {
  await intervalTaken({ '10ms': 1e7, '0.5s': 5e8, 2: 2e9, '3600s': 3600e9, '60m': 3600e9 });
});

test('--interval 1h (the upper bound, as the error message writes it) is taken', async () => {
  await intervalTaken({ '1h': 3600e9 });
});

test('--interval out of 10ms..1h: exit 125 with one line, CMD not run', () => {
  for (const bad of ['1ms', '9ms', '2h', '61m', '0', 'fast']) {
    const dir = tempDir();
    const marker = path.join(dir, 'ran');
    const r = runPipetrace(['touch', marker], { dir, options: ['--interval', bad] });
    assert.equal(r.status, 125, `--interval ${bad}: ${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, `--interval ${bad}: one line: ${r.stderr}`);
    assert.match(r.stderr, /--interval/);
    assert.ok(!fs.existsSync(marker), `--interval ${bad}: CMD did not run`);
  }
});

// ---------------------------------------------------------------------------------------------
// Default probes

test('default probes: proc and cpu; cpu_samples.parquet written, no files or connections', async () => {
  const r = runPipetrace(['/bin/true'], { options: ['-q'] });
  assertOk(r);
  const run = await runRow(r.out);
  assert.deepEqual(run.probes, ['proc', 'cpu']);
  assert.deepEqual(tablesOf(r.out), ['cpu_samples', 'events', 'processes', 'runs']);
  const procs = await processes(r.out);
  const samples = await rows(r.out, 'cpu_samples');
  assert.ok(samples.length >= 1, 'the execution has its final sample');
  const max = samples.reduce((m, x) => (BigInt(x.cpu_ns) > m ? BigInt(x.cpu_ns) : m), 0n);
  assert.equal(procs.length, 1);
  assert.equal(max, BigInt(procs[0].cpu_ns));
});

test('--probes files,net: runs.parquet lists them and their tables are written', async () => {
  const r = runPipetrace(['/bin/true'], { options: ['-q', '--probes', 'files,net'] });
  assertOk(r);
  const run = await runRow(r.out);
  for (const name of ['proc', 'files', 'net'])
    assert.ok(run.probes.includes(name), `${name} in ${JSON.stringify(run.probes)}`);
  assert.equal(new Set(run.probes).size, run.probes.length, 'no probe listed twice');
  // The tables are exactly those of the listed probes.
  const expected = ['events', 'processes', 'runs', 'files', 'connections'];
  if (run.probes.includes('cpu')) expected.push('cpu_samples');
  assert.deepEqual(tablesOf(r.out), expected.sort());
  const again = runPipetrace(['/bin/true'], {
    options: ['-q', '--probes', 'net', '--probes', 'files,files'],
  });
  assertOk(again);
  const probes2 = (await runRow(again.out)).probes;
  assert.deepEqual([...probes2].sort(), [...run.probes].sort(), '--probes given twice adds up');
  // /bin/true's dynamic loader opens files: the probe records them.
  const files = await rows(r.out, 'files');
  assert.ok(files.length > 0, 'the loader opens of /bin/true are in files.parquet');
});

// ---------------------------------------------------------------------------------------------
// cpu samples

test('cpu samples at 10ms: many samples, monotonic, final sample equals processes.cpu_ns', async () => {
  const r = runPipetrace(['bash', '-c', `${SPIN} 500; ${SPIN} 150 2; sh -c 'exec ${SPIN} 100'`], {
    options: ['-q', '--interval', '10ms'],
  });
  assertOk(r);
  const procs = await processes(r.out);
  const run = await runRow(r.out);
  assert.equal(JSON.parse(run.options).interval_ns, 10000000);
  const samples = await rows(r.out, 'cpu_samples', 'ORDER BY exec_id, ts, cpu_ns');
  const byExec = new Map();
  for (const s of samples) {
    const id = num(s.exec_id);
    if (!byExec.has(id)) byExec.set(id, []);
    byExec.get(id).push(s);
  }
  const procIds = new Set(procs.map((p) => num(p.exec_id)));
  for (const id of byExec.keys()) assert.ok(procIds.has(id), `sample exec_id ${id} in processes`);

  for (const p of procs) {
    const mine = byExec.get(num(p.exec_id)) ?? [];
    assert.ok(mine.length >= 1, `execution ${p.exec_id} (${p.cmdline}) has a sample`);
    for (const s of mine) assert.equal(s.pid, p.pid, 'sample pid is its execution pid');
    for (let i = 1; i < mine.length; i++)
      assert.ok(
        BigInt(mine[i].cpu_ns) >= BigInt(mine[i - 1].cpu_ns),
        `exec ${p.exec_id}: cpu_ns decreases at ${mine[i].ts}: ` +
          `${mine[i - 1].cpu_ns} then ${mine[i].cpu_ns}`,
      );
    const max = mine.reduce((m, s) => (BigInt(s.cpu_ns) > m ? BigInt(s.cpu_ns) : m), 0n);
    assert.equal(max, BigInt(p.cpu_ns), `exec ${p.exec_id} (${p.cmdline}): max sample = cpu_ns`);
    // The last sample in time is that final figure.
    assert.equal(BigInt(mine.at(-1).cpu_ns), BigInt(p.cpu_ns), `exec ${p.exec_id}: last sample`);
  }

  const [spin500] = execsOf(procs, SPIN).filter((p) => p.argv[1] === '500');
  assert.ok(spin500, 'the spin 500 execution');
  assert.ok(BigInt(spin500.cpu_ns) >= 490000000n, `spin 500 used ${spin500.cpu_ns} ns of CPU`);
  const spinSamples = byExec.get(num(spin500.exec_id));
  // 500 ms of CPU takes at least 500 ms of wall time: 50 intervals of 10 ms; 10 is generous.
  assert.ok(spinSamples.length >= 10, `spin 500 has ${spinSamples.length} samples`);
  assert.ok(
    spinSamples.some((s) => num(s.rss_kb) > 0),
    'live samples of spin carry its RSS',
  );
  const distinct = new Set(spinSamples.map((s) => s.cpu_ns));
  assert.ok(distinct.size >= 5, `the kernel samples progress: ${distinct.size} distinct values`);
  const [spin100] = execsOf(procs, SPIN).filter((p) => p.argv[1] === '100');
  assert.ok(spin100.prev_exec_id !== null, 'spin 100 continues the sh image it replaced');
  // spin counts its thread's CPU since the fork, sh's part before the exec included.
  assert.ok(BigInt(spin100.cpu_ns) >= 70000000n, `spin 100 (exec chain): ${spin100.cpu_ns}`);
  const [spin2] = execsOf(procs, SPIN).filter((p) => p.argv[1] === '150');
  assert.ok(BigInt(spin2.cpu_ns) >= 290000000n, `2 threads x 150 ms: ${spin2.cpu_ns}`);

  // hyparquet: the same rows, the same per-execution maxima.
  const hy = await hyTable(r.out, 'cpu_samples');
  assert.equal(hy.length, samples.length, 'cpu_samples row count: hyparquet vs DuckDB');
  const hyMax = new Map();
  for (const s of hy) {
    const id = Number(s.exec_id);
    if (!hyMax.has(id) || s.cpu_ns > hyMax.get(id)) hyMax.set(id, s.cpu_ns);
  }
  for (const p of procs) assert.equal(hyMax.get(num(p.exec_id)), BigInt(p.cpu_ns));
});

/** One run leaving six executions running (and idle) at its end, shared by two tests. */
let runningRun;
function runningDataset() {
  runningRun ??= (async () => {
    const dir = realTempDir();
    const release = path.join(dir, 'release');
    let r;
    try {
      r = runPipetrace(
        [
          'bash',
          '-c',
          `for i in 1 2 3 4 5 6; do ${BURNWAIT} 15 ${release} </dev/null >/dev/null 2>&1 & done; ` +
            `${SPIN} 300`,
        ],
        { dir, out: path.join(dir, 'out'), options: ['-q', '--interval', '10ms'] },
      );
    } finally {
      fs.writeFileSync(release, ''); // the background processes exit
    }
    assertOk(r);
    const procs = await processes(r.out);
    const running = procs.filter((p) => p.end_reason === 'running');
    assert.equal(running.length, 6, `six burnwait still running: ${JSON.stringify(procs)}`);
    return { out: r.out, running, file: (t) => sqlPath(path.join(r.out, `${t}.parquet`)) };
  })();
  return runningRun;
}

test('cpu samples: an execution still running at the end: max sample = processes.cpu_ns', async () => {
  const { out, running, file } = await runningDataset();
  const mismatch = [];
  for (const p of running) {
    const mine = await query(
      `SELECT ts, cpu_ns FROM ${file('cpu_samples')} WHERE exec_id = ${p.exec_id} ORDER BY ts, cpu_ns`,
    );
    assert.ok(mine.length >= 1, `running execution ${p.exec_id} has a sample`);
    const max = mine.reduce((m, s) => (BigInt(s.cpu_ns) > m ? BigInt(s.cpu_ns) : m), 0n);
    if (max !== BigInt(p.cpu_ns))
      mismatch.push({ exec_id: p.exec_id, cpu_ns: p.cpu_ns, max: String(max), last: mine.at(-1) });
  }
  assert.deepEqual(mismatch, [], 'running executions (15 ms of CPU each): max sample = cpu_ns');
  const seed = await query(seedQuery('cpu_per_binary.sql', out));
  const direct = await query(
    `SELECT filename AS binary, sum(cpu_ns)::VARCHAR AS cpu_ns FROM ${file('processes')} GROUP BY 1`,
  );
  assert.deepEqual(
    Object.fromEntries(seed.map((x) => [x.binary, String(x.cpu_ns)])),
    Object.fromEntries(direct.map((x) => [x.binary, x.cpu_ns])),
    'cpu_per_binary.sql equals sum(processes.cpu_ns) per binary',
  );
});

test('cpu samples: no sample is later than its execution\'s end (running at the end)', async () => {
  const lateIn = async (file) =>
    query(
      `SELECT s.exec_id, s.ts, s.cpu_ns, p.end_time, p.cpu_ns AS final_cpu_ns
       FROM ${file('cpu_samples')} s
       JOIN ${file('processes')} p USING (run_id, exec_id) WHERE s.ts > p.end_time`,
    );
  assert.deepEqual(await lateIn((await runningDataset()).file), [], 'the shared run');
  // The turn of pipetrace's loop that reaps CMD also takes the periodic samples, and a sample
  // taken after the reap would postdate the end of the run, that of every execution still
  // running. Made certain here: with --interval 1h only the loop's first turn samples, and that
  // turn is the one CMD's SIGCHLD wakes (CMD exits at once; nothing else wakes pipetrace within
  // the 200 ms its loop waits), so the one periodic sample of the process CMD leaves running
  // is taken in the turn that reaps CMD.
  const dir = realTempDir();
  const release = path.join(dir, 'release');
  let r;
  try {
    r = runPipetrace(['bash', '-c', `${BURNWAIT} 1 ${release} </dev/null >/dev/null 2>&1 & exit 0`], {
      dir,
      out: path.join(dir, 'out'),
      options: ['-q', '--interval', '1h'],
    });
  } finally {
    fs.writeFileSync(release, '');
  }
  assertOk(r);
  const file = (t) => sqlPath(path.join(r.out, `${t}.parquet`));
  // (The process shows bash's image or burnwait's, depending on whether its exec came first.)
  const periodic = await query(
    `SELECT p.end_reason, p.parent_exec_id = c.exec_id AS child_of_cmd,
            s.ts > c.end_time AS after_cmd_exit
     FROM ${file('cpu_samples')} s JOIN ${file('processes')} p USING (run_id, exec_id),
          (SELECT exec_id, end_time FROM ${file('processes')} WHERE parent_exec_id IS NULL) c
     WHERE s.ts <> p.end_time`,
  );
  assert.deepEqual(periodic, [{ end_reason: 'running', child_of_cmd: true, after_cmd_exit: true }],
    'one periodic sample, of the process left running, taken after CMD exited');
  assert.deepEqual(await lateIn(file), [], 'samples after the end_time of their execution');
});

test('seed queries: cpu_per_binary.sql equals processes.cpu_ns per binary; wall_per_command.sql', async () => {
  const r = runPipetrace(
    [
      'bash',
      '-c',
      `${SPIN} 150; for i in 1 2 3 4 5; do /bin/true; done; sh -c 'exec ${SPIN} 100 2'; ` +
        'for i in 1 2 3 4 5 6; do sleep 0.5 & done; wait',
    ],
    { options: ['-q', '--interval', '100ms'] },
  );
  assertOk(r);
  const procs = await processes(r.out);
  const binaries = new Set(procs.map((p) => p.filename));
  assert.ok(binaries.size >= 4, `several binaries: ${[...binaries]}`);

  const seed = await query(seedQuery('cpu_per_binary.sql', r.out));
  const direct = await query(
    `SELECT filename AS binary, count(*) AS executions, sum(cpu_ns) AS cpu_ns
     FROM ${sqlPath(path.join(r.out, 'processes.parquet'))} GROUP BY filename`,
  );
  const asMap = (all) =>
    new Map(all.map((x) => [x.binary, { executions: num(x.executions), cpu_ns: String(x.cpu_ns) }]));
  assert.deepEqual(asMap(seed), asMap(direct), 'cpu_per_binary.sql vs sum(processes.cpu_ns)');
  assert.ok(
    BigInt(asMap(seed).get(SPIN).cpu_ns) >= 340000000n,
    `spin: 150 ms + 2 x 100 ms of CPU, got ${asMap(seed).get(SPIN).cpu_ns}`,
  );

  // The same per-binary sums from hyparquet's reading of both tables.
  const hyProcs = await hyTable(r.out, 'processes');
  const hyMax = new Map();
  for (const s of await hyTable(r.out, 'cpu_samples')) {
    const id = Number(s.exec_id);
    if (!hyMax.has(id) || s.cpu_ns > hyMax.get(id)) hyMax.set(id, s.cpu_ns);
  }
  const hySums = new Map();
  for (const p of hyProcs)
    hySums.set(p.filename, (hySums.get(p.filename) ?? 0n) + hyMax.get(Number(p.exec_id)));
  for (const [binary, v] of asMap(direct)) assert.equal(String(hySums.get(binary)), v.cpu_ns);

  const wall = await query(seedQuery('wall_per_command.sql', r.out));
  assert.equal(wall[0].cmdline, 'sleep 0.5', `top command: ${JSON.stringify(wall.slice(0, 3))}`);
  assert.equal(num(wall[0].executions), 6);
  assert.ok(Number(wall[0].wall_ns) >= 3e9, `6 x sleep 0.5: ${wall[0].wall_ns} ns`);
  const sleeps = procs.filter((p) => p.cmdline === 'sleep 0.5');
  assert.equal(
    String(wall[0].wall_ns),
    String(sleeps.reduce((s, p) => s + BigInt(p.duration_ns), 0n)),
  );
});

// ---------------------------------------------------------------------------------------------
// files

test('files: a redirect written by the shell, read by cat, a failed open', async () => {
  const dir = realTempDir();
  const r = runPipetrace(
    ['sh', '-c', 'echo data > F; cat F > G; cat nonexistent 2>/dev/null; true'],
    { dir, cwd: dir, out: path.join(dir, 'out'), options: ['-q', '--probes', 'files'] },
  );
  assertOk(r);
  assert.equal(fs.readFileSync(path.join(dir, 'G'), 'utf8'), 'data\n');
  const procs = await processes(r.out);
  const files = await recordRows(r.out, 'files');
  assertRowsBelong(files, procs, 'files');
  const sh = rootRow(procs);
  const cats = execsOf(procs, '/usr/bin/cat').concat(execsOf(procs, '/bin/cat'));
  assert.equal(cats.length, 2, `two cat executions: ${JSON.stringify(procs.map((p) => p.argv))}`);
  const catF = onlyRow(cats, (p) => p.argv[1] === 'F', 'cat F');
  const catMissing = onlyRow(cats, (p) => p.argv[1] === 'nonexistent', 'cat nonexistent');

  const F = path.join(dir, 'F');
  const writeF = onlyRow(files, (f) => f.path === F && f.access === 'write', 'write of F');
  assert.equal(num(writeF.exec_id), num(sh.exec_id), 'the shell opened F for its redirect');
  assert.equal(writeF.pid, sh.pid);
  assert.ok(writeF.result >= 0, `result ${writeF.result}`);
  assert.equal(writeF.flags & (O_WRONLY | O_CREAT | O_TRUNC), O_WRONLY | O_CREAT | O_TRUNC);

  const readF = onlyRow(files, (f) => f.path === F && f.access === 'read', 'read of F');
  assert.equal(num(readF.exec_id), num(catF.exec_id), 'cat F read F');
  assert.equal(readF.pid, catF.pid);
  assert.ok(readF.result >= 0, `result ${readF.result}`);

  const writeG = onlyRow(files, (f) => f.path === path.join(dir, 'G'), 'open of G');
  assert.equal(writeG.access, 'write');
  assert.ok(writeG.result >= 0);

  const missing = onlyRow(files, (f) => f.path === path.join(dir, 'nonexistent'), 'missing');
  assert.equal(missing.result, -ENOENT);
  assert.equal(num(missing.exec_id), num(catMissing.exec_id));

  for (const f of files) assert.ok(f.path.startsWith('/'), `absolute path: ${f.path}`);
  for (const f of files) assert.ok(['open', 'openat', 'openat2', 'creat'].includes(f.call), f.call);

  // hyparquet reads the same rows.
  const key = (f) => JSON.stringify([Number(f.exec_id), f.pid, f.path, f.flags, f.access, f.result, f.call]);
  assert.deepEqual((await hyTable(r.out, 'files')).map(key).sort(), files.map(key).sort());
});

test('files: opens before and after an exec belong to the image that made them', async () => {
  const dir = realTempDir();
  const r = runPipetrace(['sh', '-c', 'echo x > F; exec cat F'], {
    dir,
    cwd: dir,
    out: path.join(dir, 'out'),
    options: ['-q', '--probes', 'files'],
  });
  assertOk(r);
  assert.equal(r.stdout.toString(), 'x\n');
  const procs = await processes(r.out);
  const sh = rootRow(procs);
  const cat = onlyRow(procs, (p) => num(p.prev_exec_id) === num(sh.exec_id), 'cat after exec');
  assert.equal(sh.end_reason, 'exec');
  assert.equal(cat.pid, sh.pid);
  const files = await recordRows(r.out, 'files');
  assertRowsBelong(files, procs, 'files');
  const F = path.join(dir, 'F');
  const write = onlyRow(files, (f) => f.path === F && f.access === 'write', 'write of F');
  const read = onlyRow(files, (f) => f.path === F && f.access === 'read', 'read of F');
  assert.equal(num(write.exec_id), num(sh.exec_id), 'sh wrote F before its exec');
  assert.equal(num(read.exec_id), num(cat.exec_id), 'cat read F after the exec');
});

test('files: 3000 opens in a loop are all recorded, none lost', async () => {
  const dir = realTempDir();
  fs.writeFileSync(path.join(dir, 'F'), 'x');
  const r = runPipetrace(['bash', '-c', 'for ((i = 0; i < 3000; i++)); do : < F; done'], {
    dir,
    cwd: dir,
    out: path.join(dir, 'out'),
    options: ['-q', '--probes', 'files'],
  });
  assertOk(r);
  const run = await runRow(r.out);
  assert.equal(num(run.lost_events), 0);
  const [{ n }] = await query(
    `SELECT count(*)::INTEGER AS n FROM ${sqlPath(path.join(r.out, 'files.parquet'))}
     WHERE path = ${sqlPath(path.join(dir, 'F'))} AND access = 'read' AND result >= 0`,
  );
  assert.equal(n, 3000);
});

/** One run of the opens tool, shared by the tests below. */
let opensRun;
function opensDataset() {
  opensRun ??= (async () => {
    const dir = realTempDir();
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'b'), 'b\n');
    const ops = ['create:A', 'openat:A', 'openat2:A', 'open:missing', 'dir:sub', 'at:b', 'at2:b', 'creat:C'];
    const r = runPipetrace([OPENS, ...ops], {
      dir,
      cwd: dir,
      out: path.join(dir, 'out'),
      options: ['-q', '--probes', 'files'],
    });
    assertOk(r);
    const printed = lines(r.stdout.toString()).map((l) => Number(l.split(' ')[1]));
    assert.equal(printed.length, ops.length, r.stdout.toString());
    const procs = await processes(r.out);
    const opens = onlyRow(execsOf(procs, OPENS), () => true, 'opens execution');
    const files = await recordRows(r.out, 'files');
    assertRowsBelong(files, procs, 'files');
    // The tool's own opens, in order, start at its create of A (the sanitizer runtime opens
    // files of its own before main and at exit).
    const mine = files.filter((f) => num(f.exec_id) === num(opens.exec_id));
    const first = mine.findIndex((f) => f.path === path.join(dir, 'A') && f.access === 'write');
    assert.ok(first >= 0, `the create of A in ${JSON.stringify(mine, null, 1)}`);
    const got = mine.slice(first, first + ops.length);
    assert.equal(got.length, ops.length);
    return { dir, got, printed, opens };
  })();
  return opensRun;
}

test('files: open, openat, openat2 and creat are told apart; ENOENT is -2', async () => {
  const { dir, got, printed } = await opensDataset();
  const [create, openat, openat2, missing, sub, , , creat] = got;
  if (process.arch === 'x64') assert.equal(creat.call, 'creat', 'SYS_creat is recorded as creat');
  assert.deepEqual([creat.path, creat.access, creat.result], [path.join(dir, 'C'), 'write', printed[7]]);
  assert.ok(creat.result >= 0);
  assert.equal(creat.flags & (O_WRONLY | O_CREAT | O_TRUNC), O_WRONLY | O_CREAT | O_TRUNC);
  const A = path.join(dir, 'A');
  if (process.arch === 'x64') assert.equal(create.call, 'open', 'SYS_open is recorded as open');
  assert.equal(create.path, A);
  assert.equal(create.access, 'write');
  assert.equal(create.flags & (O_WRONLY | O_CREAT | O_TRUNC), O_WRONLY | O_CREAT | O_TRUNC);
  assert.equal(create.result, printed[0]);

  assert.deepEqual([openat.call, openat.path, openat.access, openat.result], ['openat', A, 'read', printed[1]]);
  assert.deepEqual(
    [openat2.call, openat2.path, openat2.access, openat2.result],
    ['openat2', A, 'read', printed[2]],
  );
  assert.ok(openat2.result >= 0);
  assert.equal(missing.path, path.join(dir, 'missing'));
  assert.equal(missing.result, -ENOENT);
  assert.equal(printed[3], -ENOENT);
  assert.equal(sub.path, path.join(dir, 'sub'));
  assert.equal(sub.flags & O_DIRECTORY, O_DIRECTORY);
  assert.equal(sub.result, printed[4]);
});

test('files: openat and openat2 with a dirfd and a relative path are made absolute', async () => {
  const { dir, got, printed } = await opensDataset();
  const [, , , , , at, at2] = got;
  const b = path.join(dir, 'sub', 'b');
  assert.deepEqual(
    { call: at.call, path: at.path, access: at.access, result: at.result },
    { call: 'openat', path: b, access: 'read', result: printed[5] },
    'openat(dirfd of sub, "b")',
  );
  assert.deepEqual(
    { call: at2.call, path: at2.path, access: at2.access, result: at2.result },
    { call: 'openat2', path: b, access: 'read-write', result: printed[6] },
    'openat2(dirfd of sub, "b")',
  );
});

test('files: a dirfd closed and its number reused does not change the path already opened', async () => {
  const dir = realTempDir();
  for (const d of ['sub', 'other']) {
    fs.mkdirSync(path.join(dir, d));
    fs.writeFileSync(path.join(dir, d, 'b'), `${d}\n`);
  }
  // The process stays alive a while after, with the dirfd's number now on another directory.
  const r = runPipetrace([OPENS, 'dir:sub', 'at:b', 'closedir', 'dir:other', 'sleep:300'], {
    dir,
    cwd: dir,
    out: path.join(dir, 'out'),
    options: ['-q', '--probes', 'files'],
  });
  assertOk(r);
  const printed = lines(r.stdout.toString()).map((l) => Number(l.split(' ')[1]));
  assert.equal(printed[0], printed[3], 'the second directory got the first one\'s fd number');
  const files = await recordRows(r.out, 'files');
  const at = files.filter((f) => f.result === printed[1] && f.path.endsWith('b'));
  assert.deepEqual(
    at.map((f) => f.path),
    [path.join(dir, 'sub', 'b')],
    'openat(dirfd of sub, "b") was recorded against another directory',
  );
});

/** DIR/NAME\xE9 made on disk (a name that is not UTF-8); returns its escaped form. */
function latin1Dir(dir, name) {
  fs.mkdirSync(Buffer.concat([Buffer.from(`${dir}/${name}`), Buffer.from([0xe9])]));
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/${name}`), Buffer.from([0xe9, 0x2f, 0x62])]), 'b');
  return `${dir}/${name}\\xE9`;
}

test('files: a dirfd on a directory whose name is not UTF-8: the path is escaped, the dataset intact', async () => {
  const dir = realTempDir();
  const escaped = latin1Dir(dir, 'd');
  // The name is made by printf inside the command, so the command line itself stays UTF-8.
  const r = runPipetrace(
    ['bash', '-c', `d=$(printf 'd\\351'); ${OPENS} "dir:$d" at:b sleep:300 >/dev/null`],
    { dir, cwd: dir, out: path.join(dir, 'out'), options: ['-q', '--probes', 'files'] },
  );
  assertOk(r);
  assert.equal(lines(r.stderr).length, 0, `no error: ${r.stderr}`);
  assert.equal((await runRow(r.out)).status, 'complete');
  const files = await recordRows(r.out, 'files');
  const paths = files.map((f) => f.path);
  assert.ok(paths.includes(escaped), `${escaped} in ${paths}`);
  assert.ok(paths.includes(`${escaped}/b`), `${escaped}/b in ${paths}`);
});

test('files: a relative open in a working directory whose name is not UTF-8', async () => {
  const dir = realTempDir();
  const escaped = latin1Dir(dir, 'w');
  const r = runPipetrace(
    ['bash', '-c', `d=$(printf 'w\\351'); cd "$d" && ${OPENS} openat:b >/dev/null`],
    { dir, cwd: dir, out: path.join(dir, 'out'), options: ['-q', '--probes', 'files'] },
  );
  assertOk(r);
  assert.equal(lines(r.stderr).length, 0, `no error: ${r.stderr}`);
  const procs = await processes(r.out);
  const opens = onlyRow(execsOf(procs, OPENS), () => true, 'opens execution');
  const files = await recordRows(r.out, 'files');
  const b = files.filter((f) => num(f.exec_id) === num(opens.exec_id) && f.path.endsWith('/b'));
  assert.deepEqual(b.map((f) => f.path), [`${escaped}/b`]);
});

test('files: a relative path opened after chdir is made absolute against the new directory', async () => {
  const dir = realTempDir();
  fs.mkdirSync(path.join(dir, 'sub'));
  const r = runPipetrace(['sh', '-c', 'cd sub && echo more > c'], {
    dir,
    cwd: dir,
    out: path.join(dir, 'out'),
    options: ['-q', '--probes', 'files'],
  });
  assertOk(r);
  assert.ok(fs.existsSync(path.join(dir, 'sub', 'c')));
  const files = await recordRows(r.out, 'files');
  const writes = files.filter((f) => f.access === 'write');
  assert.deepEqual(
    writes.map((f) => f.path),
    [path.join(dir, 'sub', 'c')],
    'the shell wrote sub/c, after its cd',
  );
});

// ---------------------------------------------------------------------------------------------
// net

test('net: TCP to a loopback server, a refused port, UDP and a unix socket', async () => {
  const dir = realTempDir();
  const tcp = await tcpServer();
  const sockPath = path.join(dir, 'server.sock');
  const unix = await unixServer(sockPath);
  const closed = await closedPort();
  const abstractName = `pipetrace-test-${process.pid}-${Date.now()}`;
  let r;
  try {
    r = await runAsync(
      [
        'bash',
        '-c',
        `exec 3<>/dev/tcp/127.0.0.1/${tcp.port}; exec 3>&-; ` +
          `${NETCONNECT} tcp 127.0.0.1 ${closed} udp 127.0.0.1 ${tcp.port} unix ${sockPath} ` +
          `tcp6 ::1 ${closed} abstract ${abstractName}`,
      ],
      { dir, cwd: dir, out: path.join(dir, 'out'), options: ['-q', '--probes', 'net'] },
    );
  } finally {
    await tcp.close();
    await unix.close();
  }
  assertOk(r);
  const printed = lines(r.stdout.toString());
  assert.deepEqual(printed.slice(0, 3), [`tcp -${ECONNREFUSED}`, 'udp 0', 'unix 0']);
  assert.equal(printed[4], `abstract -${ECONNREFUSED}`);
  const tcp6Result = Number(printed[3].split(' ')[1]);
  assert.ok(tcp.accepted() >= 1, 'the TCP server accepted the connection');
  assert.ok(unix.accepted() >= 1, 'the unix server accepted the connection');

  const procs = await processes(r.out);
  const conns = await recordRows(r.out, 'connections');
  assertRowsBelong(conns, procs, 'connections');
  const bash = rootRow(procs);
  const tool = onlyRow(execsOf(procs, NETCONNECT), () => true, 'netconnect execution');
  const pick = (c) => ({
    exec_id: num(c.exec_id),
    pid: c.pid,
    family: c.family,
    address: c.address,
    port: c.port,
    protocol: c.protocol,
    result: c.result,
  });

  const toServer = conns.filter((c) => c.port === tcp.port && c.protocol === 'tcp');
  assert.deepEqual(toServer.map(pick), [
    {
      exec_id: num(bash.exec_id),
      pid: bash.pid,
      family: 'inet',
      address: '127.0.0.1',
      port: tcp.port,
      protocol: 'tcp',
      result: 0,
    },
  ]);
  const refused = conns.filter((c) => c.port === closed && c.family === 'inet');
  assert.deepEqual(refused.map(pick), [
    {
      exec_id: num(tool.exec_id),
      pid: tool.pid,
      family: 'inet',
      address: '127.0.0.1',
      port: closed,
      protocol: 'tcp',
      result: -ECONNREFUSED,
    },
  ]);
  const udp = conns.filter((c) => c.protocol === 'udp');
  assert.deepEqual(udp.map(pick), [
    {
      exec_id: num(tool.exec_id),
      pid: tool.pid,
      family: 'inet',
      address: '127.0.0.1',
      port: tcp.port,
      protocol: 'udp',
      result: 0,
    },
  ]);
  const toUnix = conns.filter((c) => c.family === 'unix' && c.address === sockPath);
  assert.equal(toUnix.length, 1, JSON.stringify(conns, null, 1));
  assert.equal(num(toUnix[0].exec_id), num(tool.exec_id));
  assert.equal(toUnix[0].port, null);
  assert.equal(toUnix[0].result, 0);
  assert.equal(toUnix[0].protocol, 'stream');

  const v6 = conns.filter((c) => c.family === 'inet6');
  assert.deepEqual(v6.map(pick), [
    {
      exec_id: num(tool.exec_id),
      pid: tool.pid,
      family: 'inet6',
      address: '::1',
      port: closed,
      protocol: 'tcp',
      result: tcp6Result,
    },
  ]);
  const abstract = conns.filter((c) => c.address === `@${abstractName}`);
  assert.equal(abstract.length, 1, JSON.stringify(conns, null, 1));
  assert.deepEqual([abstract[0].family, abstract[0].port, abstract[0].result], ['unix', null, -ECONNREFUSED]);

  // hyparquet reads the same connections.
  const hy = await hyTable(r.out, 'connections');
  assert.deepEqual(
    hy.map((c) => [c.family, c.address, c.port, c.protocol, c.result]).sort(),
    conns.map((c) => [c.family, c.address, c.port, c.protocol, c.result]).sort(),
  );
});

test('net: a non-blocking connect (node) is recorded with -115 EINPROGRESS', async () => {
  const tcp = await tcpServer();
  let r;
  try {
    r = await runAsync(
      [
        process.execPath,
        '-e',
        `require('net').connect(${tcp.port}, '127.0.0.1')` +
          `.on('connect', () => process.exit(0)).on('error', () => process.exit(3))`,
      ],
      { options: ['-q', '--probes', 'net'] },
    );
  } finally {
    await tcp.close();
  }
  assertOk(r);
  const procs = await processes(r.out);
  const node = rootRow(procs);
  const conns = (await recordRows(r.out, 'connections')).filter((c) => c.port === tcp.port);
  assert.deepEqual(
    conns.map((c) => [num(c.exec_id), c.family, c.address, c.protocol, c.result]),
    [[num(node.exec_id), 'inet', '127.0.0.1', 'tcp', -115]],
  );
});

test('files and net: opens and connects of processes outside the traced tree are not recorded', async () => {
  const dir = realTempDir();
  const tcp = await tcpServer();
  const ready = path.join(dir, 'ready');
  const release = path.join(dir, 'release');
  const outside = path.join(dir, 'opened-outside');
  const run = spawnPipetrace(
    ['bash', '-c', `: > ${ready}; ${tool('waitfile')} ${release} 30`],
    { dir, cwd: dir, out: path.join(dir, 'out'), options: ['-q', '--probes', 'files,net'] },
  );
  let r;
  try {
    await waitFor(() => fs.existsSync(ready), 20000, 'the traced command to start');
    // This test process is not traced: its open and its connect must not show.
    fs.closeSync(fs.openSync(outside, 'w'));
    await new Promise((resolve, reject) => {
      const socket = net.connect(tcp.port, '127.0.0.1', () => {
        socket.end();
        resolve();
      });
      socket.on('error', reject);
    });
  } finally {
    fs.writeFileSync(release, '');
    r = await run.done;
    await tcp.close();
  }
  assertOk(r);
  const procs = await processes(run.out);
  const files = await recordRows(run.out, 'files');
  const conns = await recordRows(run.out, 'connections');
  assertRowsBelong(files, procs, 'files');
  assertRowsBelong(conns, procs, 'connections');
  assert.ok(files.some((f) => f.path === ready), 'the traced shell\'s own open is there');
  assert.deepEqual(files.filter((f) => f.path === outside), [], 'the untraced open');
  assert.deepEqual(conns.filter((c) => c.port === tcp.port), [], 'the untraced connect');
});
