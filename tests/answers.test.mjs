// The shipped DuckDB queries (queries/*.sql) against pipetrace report, on datasets recorded
// by real `pipetrace run`s of crafted pipelines: every query runs, and the report's numbers
// are DuckDB's answers to them (docs/queries.md, docs/report.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { REPO, PIPETRACE, tool, tempDir, cleanup } from './lib/pipetrace.mjs';

const QUERIES = fs.readdirSync(path.join(REPO, 'queries')).filter((f) => f.endsWith('.sql')).sort();
const SPIN = tool('spin');

let work, pipeline, fleet, db, connection;

// A pipeline with a step before, a fan-out of three branches of different lengths (each a
// shell running a sleep), a step after, CPU burnt in two directories, and failures.
const SCRIPT = `
cd "$1/a" && ${SPIN} 120
sleep 0.1
sh -c 'sleep 0.2' & sh -c 'sleep 0.7' & sh -c 'sleep 0.4' & wait
cd "$1/b" && ${SPIN} 60 2
sh -c 'exit 3'
sh -c 'kill -KILL $$'
/bin/false
sleep 0.15
`;

function record(out, args, env = {}) {
  const r = spawnSync(PIPETRACE, ['run', '-q', '--interval', '50ms', '-o', out, '--', ...args], {
    encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60000,
  });
  assert.ok(r.status !== null && r.status < 125, `pipetrace run: ${r.status} ${r.stderr}`);
  return out;
}

function report(dir, ...options) {
  const r = spawnSync(PIPETRACE, ['report', dir, '--format', 'json', ...options], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
}

// Rows of a query file, with `SET VARIABLE dataset` (and others) first; BIGINTs as Numbers
// (every figure compared here is below 2^53).
async function shipped(file, dataset, variables = {}) {
  await connection.run(`SET VARIABLE dataset = '${dataset.replaceAll("'", "''")}'`);
  for (const [name, value] of Object.entries(variables))
    await connection.run(`SET VARIABLE ${name} = ${value}`);
  try {
    const sql = fs.readFileSync(path.join(REPO, 'queries', file), 'utf8');
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row)
      .map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  } finally {
    for (const name of ['dataset', ...Object.keys(variables)])
      await connection.run(`RESET VARIABLE ${name}`);
  }
}

before(async () => {
  work = tempDir('pipetrace-answers-');
  for (const sub of ['a', 'b']) fs.mkdirSync(path.join(work, sub));
  fs.writeFileSync(path.join(work, 'pipeline.sh'), SCRIPT);
  pipeline = record(path.join(work, 'pipeline'), ['sh', path.join(work, 'pipeline.sh'), work]);
  // Two runs in a hive-partitioned tree, as a fleet would keep them.
  fleet = path.join(work, 'fleet');
  record(path.join(fleet, 'host=ci1/date=2026-11-25/run=1'), ['sh', '-c', 'sleep 0.1; sleep 0.2']);
  record(path.join(fleet, 'host=ci2/date=2026-11-25/run=2'),
    ['sh', '-c', `sleep 0.1 & ${SPIN} 50; wait`]);
  db = await DuckDBInstance.create(':memory:');
  connection = await db.connect();
});

/**
 * wall_per_command.sql's rows (or the report's) hold the pipeline's own commands, each run
 * once, and as many executions as the report counts: a result that cannot be empty or
 * another run's.
 */
function assertPipelineCommands(rows, what) {
  const byCommand = new Map(rows.map((c) => [c.cmdline, c]));
  for (const [command, minWallNs] of [
    [`sh ${path.join(work, 'pipeline.sh')} ${work}`, 1.1e9], // its steps' sleeps and spins
    [`${SPIN} 120`, 0.12e9],
    [`${SPIN} 60 2`, 0.06e9],
    ['sleep 0.1', 0.1e9],
    ['sleep 0.15', 0.15e9],
    ["sh -c 'exit 3'", 0],
    ['/bin/false', 0],
  ]) {
    const row = byCommand.get(command);
    assert.ok(row, `${what}: no row for ${command} in ${JSON.stringify(rows)}`);
    assert.equal(Number(row.executions), 1, `${what}: ${command} ran once`);
    assert.ok(Number(row.wall_ns) >= minWallNs, `${what}: ${command} took ${row.wall_ns} ns`);
  }
  const [r] = report(pipeline);
  assert.equal(rows.reduce((sum, c) => sum + Number(c.executions), 0), r.executions, `${what}: every execution`);
}

after(() => {
  connection?.closeSync();
  db?.closeSync();
  cleanup();
});

test('every shipped query runs under DuckDB, on one dataset and on a hive-partitioned fleet', async () => {
  assert.ok(QUERIES.length >= 8, QUERIES.join(' '));
  for (const file of QUERIES) {
    const one = await shipped(file, pipeline);
    assert.ok(one.length > 0, `${file}: no rows`);
    const many = await shipped(file, `${fleet}/*/*/*`);
    if (file !== 'failures.sql') assert.ok(many.length > 0, `${file} on the fleet: no rows`);
  }
});

test('the DATASET placeholder works as well as the variable', async () => {
  const sql = fs.readFileSync(path.join(REPO, 'queries', 'wall_per_command.sql'), 'utf8');
  const reader = await connection.runAndReadAll(sql.replaceAll('DATASET', pipeline));
  const placeholder = reader.getRowObjectsJson();
  assertPipelineCommands(placeholder, 'DATASET replaced');
  assert.deepEqual(placeholder, (await (async () => {
    await connection.run(`SET VARIABLE dataset = '${pipeline}'`);
    const r = await connection.runAndReadAll(sql);
    await connection.run('RESET VARIABLE dataset');
    return r.getRowObjectsJson();
  })()));
});

test('report --format json: top commands by wall equal wall_per_command.sql', async () => {
  const [r] = report(pipeline, '--top', '1000');
  const rows = await shipped('wall_per_command.sql', pipeline);
  assertPipelineCommands(rows, 'wall_per_command.sql');
  assert.deepEqual(r.top_commands.map((c) => [c.command, c.executions, c.wall_ns, c.cpu_ns]),
    rows.map((c) => [c.cmdline, c.executions, c.wall_ns, c.cpu_ns]));
});

test('report --format json: CPU per binary equals cpu_per_binary.sql (max per execution, summed)', async () => {
  const [r] = report(pipeline, '--top', '1000');
  const rows = await shipped('cpu_per_binary.sql', pipeline);
  assert.deepEqual(r.top_binaries.map((b) => [b.binary, b.executions, b.cpu_ns]),
    rows.map((b) => [b.binary, b.executions, b.cpu_ns]));
  assert.equal(rows[0].binary, SPIN); // 120 ms + 2 x 60 ms
  assert.ok(rows[0].cpu_ns >= 230e6, `spin CPU ${rows[0].cpu_ns}`);
});

test('report --format json: failures equal failures.sql', async () => {
  const [r] = report(pipeline, '--top', '1000');
  const rows = await shipped('failures.sql', pipeline);
  assert.equal(r.failed_count, rows.length);
  assert.deepEqual(r.failed.map((f) => [f.exec_id, f.command, f.exit_code, f.signal]),
    rows.map((f) => [f.exec_id, f.cmdline, f.exit_code, f.signal]));
  assert.deepEqual(rows.map((f) => [f.exit_code, f.signal]), [[3, null], [null, 9], [1, null]]);
});

test('report --format json: slowest executions equal slowest_executions.sql', async () => {
  const [r] = report(pipeline, '--top', '5');
  const rows = await shipped('slowest_executions.sql', pipeline, { top: 5 });
  assert.deepEqual(r.slowest.map((e) => [e.exec_id, e.command, e.duration_ns, e.cpu_ns]),
    rows.map((e) => [e.exec_id, e.cmdline, e.duration_ns, e.cpu_ns]));
  assert.equal(r.slowest[0].command, `sh ${path.join(work, 'pipeline.sh')} ${work}`);
});

test('report --format json: peak parallelism and total CPU equal parallelism.sql', async () => {
  const [r] = report(pipeline);
  for (const bucket of [1, 0.25]) {
    const rows = await shipped('parallelism.sql', pipeline, { bucket_s: bucket });
    assert.equal(Math.max(...rows.map((b) => b.peak_running)), r.peak_parallelism, `bucket ${bucket}`);
    const cpu = rows.reduce((sum, b) => sum + b.cpu_ns, 0);
    assert.ok(Math.abs(cpu - r.total_cpu_ns) <= rows.length, `CPU ${cpu} vs ${r.total_cpu_ns}`);
    const width = rows.reduce((sum, b) => sum + b.width_s, 0);
    assert.ok(Math.abs(width * 1e9 - r.wall_ns) < 2e3 * rows.length, 'buckets cover the run');
  }
  assert.ok(r.peak_parallelism >= 4, `the fan-out: root and three branches: ${r.peak_parallelism}`);
});

test('the critical path of the fan-out: the SQL and the report name the longest branch', async () => {
  const [r] = report(pipeline);
  const rows = await shipped('critical_path.sql', pipeline);
  const fromReport = r.critical_path.map((s) => [s.exec_id, s.last_exec_id, s.depth, s.command]);
  assert.deepEqual(rows.map((s) => [s.exec_id, s.last_exec_id, s.depth, s.command]), fromReport);
  const commands = r.critical_path.map((s) => s.command);
  assert.ok(commands.includes("sh -c 'sleep 0.7'") && commands.includes('sleep 0.7'), commands.join(' | '));
  for (const other of ["sh -c 'sleep 0.2'", "sh -c 'sleep 0.4'", 'sleep 0.2', 'sleep 0.4'])
    assert.ok(!commands.includes(other), `${other} is not on the path`);
  // the steps before and after the fan-out are on it, in time order
  const order = ['sleep 0.1', "sh -c 'sleep 0.7'", 'sleep 0.15'].map((c) => commands.indexOf(c));
  assert.ok(order[0] > 0 && order[0] < order[1] && order[1] < order[2], commands.join(' | '));
  // self times add up to the root's duration, in SQL as in the report
  const total = (steps, key) => steps.reduce((sum, s) => sum + s[key], 0);
  assert.equal(total(r.critical_path, 'self_ns'), r.critical_path[0].duration_ns);
  assert.equal(total(rows, 'self_ns'), rows[0].duration_ns);
});

test('per_directory.sql and per_step.sql break the run down', async () => {
  const dirs = await shipped('per_directory.sql', pipeline);
  const cwd = (sub) => dirs.find((d) => d.cwd === path.join(work, sub));
  // cwd is best effort (read from /proc at exec): the long spins are seen where they ran
  assert.ok(cwd('a') && cwd('b'), JSON.stringify(dirs));
  assert.equal(dirs.reduce((sum, d) => sum + d.failed, 0), 3);
  const [r] = report(pipeline);
  assert.equal(dirs.reduce((sum, d) => sum + d.executions, 0), r.executions);
  assert.equal(dirs.reduce((sum, d) => sum + d.cpu_ns, 0), r.total_cpu_ns);

  const steps = await shipped('per_step.sql', pipeline);
  assert.deepEqual(steps.map((s) => s.command).filter((c) => !c.startsWith(SPIN)), [
    'sleep 0.1', "sh -c 'sleep 0.2'", "sh -c 'sleep 0.7'", "sh -c 'sleep 0.4'",
    "sh -c 'exit 3'", "sh -c 'kill -KILL $$'", '/bin/false', 'sleep 0.15']);
  const branch = steps.find((s) => s.command === "sh -c 'sleep 0.7'");
  assert.equal(branch.executions, 2); // the shell and its sleep
  assert.equal(steps.reduce((sum, s) => sum + s.executions, 0), r.executions - 1); // all but the root
});

test('a fleet: one glob reads every run; per-run answers equal each run alone', async () => {
  const runs = fs.readdirSync(fleet).flatMap((host) => fs.readdirSync(path.join(fleet, host))
    .flatMap((date) => fs.readdirSync(path.join(fleet, host, date))
      .map((run) => path.join(fleet, host, date, run))));
  assert.equal(runs.length, 2);
  const all = await shipped('wall_per_command.sql', `${fleet}/*/*/*`);
  const executions = (rows) => rows.reduce((sum, c) => sum + c.executions, 0);
  const alone = await Promise.all(runs.map((dir) => report(dir)[0]));
  assert.equal(executions(all), alone.reduce((sum, r) => sum + r.executions, 0));
  const paths = await shipped('critical_path.sql', `${fleet}/*/*/*`);
  for (const r of alone) {
    assert.ok(r.critical_path.length >= 2, `run ${r.run_id}: a critical path of its shell and a step`);
    assert.deepEqual(paths.filter((s) => s.run_id === r.run_id).map((s) => [s.exec_id, s.depth]),
      r.critical_path.map((s) => [s.exec_id, s.depth]));
  }
  const buckets = await shipped('parallelism.sql', `${fleet}/*/*/*`);
  for (const r of alone) {
    const mine = buckets.filter((b) => b.run_id === r.run_id);
    assert.equal(Math.max(...mine.map((b) => b.peak_running)), r.peak_parallelism);
  }
});

// RFC 4180: fields separated by commas, quoted fields with "" for a quote, LF line ends.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  assert.ok(!quoted && field === '' && row.length === 0, 'CSV ends with a complete line');
  return rows;
}

test('every report format of a recorded run parses (JSON, CSV) or renders (Markdown)', () => {
  const [json] = report(pipeline, '--top', '1000');
  for (const [by, list, key] of [['command', 'top_commands', 'command'],
    ['binary', 'top_binaries', 'binary'], ['normalized', 'top_normalized', 'normalized']]) {
    const r = spawnSync(PIPETRACE, ['report', pipeline, '--format', 'csv', '--by', by, '--top', '1000'],
      { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [header, ...rows] = parseCsv(r.stdout);
    assert.deepEqual(header, ['dataset', 'run_id', 'rank', key, 'executions', 'wall_ns', 'cpu_ns', 'max_rss_kb']);
    const expected = by === 'normalized' ? report(pipeline, '--by', by, '--top', '1000')[0][list] : json[list];
    assert.deepEqual(rows.map((f) => [f[0], f[1], Number(f[2]), f[3], ...f.slice(4).map(Number)]),
      expected.map((g, i) => [pipeline, json.run_id, i + 1, g[key], g.executions, g.wall_ns, g.cpu_ns, g.max_rss_kb]));
  }
  const md = spawnSync(PIPETRACE, ['report', pipeline, '--format', 'markdown'], { encoding: 'utf8' });
  assert.equal(md.status, 0, md.stderr);
  const lines = md.stdout.split('\n');
  for (const title of ['Top commands by wall time', 'Top binaries by CPU', 'Failed executions (3)',
    'Slowest executions', `Critical path (${json.critical_path.length} steps)`]) {
    const at = lines.indexOf(`### ${title}`);
    assert.ok(at > 0, title);
    assert.match(lines[at + 2], /^(\| [^|]+ )+\|$/, `${title}: header line`);
    assert.match(lines[at + 3], /^(\|--:)+\|:--\|$/, `${title}: separator`);
  }
});
