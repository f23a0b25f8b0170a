// The model (src/model/) alone: synthetic proc records replayed by tests/tools/model_replay.c
// (no BPF, no root), for the orders of records no traced test can bring about on purpose: pid
// reuse, lost records, an exec read after its exit, the end of a run with live processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tool } from './lib/pipetrace.mjs';

/**
 * Runs a script (one record a line, see model_replay.c) and returns one entry per record:
 * { op, line, exec_id (what the model returned), finished: [executions the sink got meanwhile] }.
 */
function replay(script) {
  const r = spawnSync(tool('model_replay'), [], { input: script, encoding: 'utf8' });
  assert.equal(r.stderr, '', 'no complaint, no sanitizer report');
  assert.equal(r.status, 0);
  const steps = [];
  let finished = [];
  for (const line of r.stdout.trim().split('\n').map((l) => JSON.parse(l))) {
    if (line.op === 'finished') {
      finished.push(line);
    } else {
      steps.push({ ...line, finished });
      finished = [];
    }
  }
  assert.deepEqual(finished, [], 'nothing finished after the last record');
  return steps;
}

/** The step of script line N (1-based). */
function step(steps, n) {
  const found = steps.find((s) => s.line === n);
  assert.ok(found, `a step for line ${n}`);
  return found;
}

/** Every execution finished in the run, by exec_id; each exec_id once. */
function byId(steps) {
  const all = steps.flatMap((s) => s.finished);
  const map = new Map(all.map((e) => [e.exec_id, e]));
  assert.equal(map.size, all.length, 'each execution finished once');
  return map;
}

const script = (...lines) => `${lines.join('\n')}\n`;

// A shell seeded as pipetrace's CMD, exec'd as /bin/sh (exec_id 1). Lines 1-2.
const SHELL = [
  'seed pid=100 ts=1000 cwd=/work',
  'exec pid=100 ts=1100 ppid=1 filename=/bin/sh arg=sh arg=-c arg=x comm=sh cwd=/work uid=1000 gid=100 cgroup=7',
];

test('model: fork, exec, exit, free: one execution, handed over at its free record, exact figures', () => {
  const steps = replay(
    script(
      ...SHELL,
      'fork pid=101 ts=1200 parent=100',
      'exec pid=101 ts=1300 ppid=100 ns_pid=5 filename=/bin/true arg=/bin/true arg=a\\x20b comm=true cwd=/tmp/d uid=1000 gid=100 cgroup=7',
      'exit pid=101 ts=1400 status=512 parent=100 cpu=900 utime=2 stime=2',
      'free pid=101 ts=1500 cpu=1000 utime=3 stime=1 read=10 write=20 minflt=3 majflt=4 nvcsw=5 nivcsw=6 maxrss=700',
    ),
  );
  assert.deepEqual(
    steps.map((s) => [s.op, s.exec_id]),
    [['seed', 0], ['exec', 1], ['fork', 2], ['exec', 2], ['exit', 2], ['free', 2]],
  );
  assert.deepEqual(step(steps, 5).finished, [], 'not final at its exit record');
  const [row] = step(steps, 6).finished;
  assert.deepEqual(row, {
    op: 'finished', exec_id: 2, parent_exec_id: 1, prev_exec_id: 0, pid: 101, ppid: 100, ns_pid: 5,
    uid: 1000, gid: 100, cgroup_id: 7, start_ns: 1200, exec_ns: 1300, end_ns: 1400,
    end_reason: 'exit', exited: true, exit_status: 512, comm: 'true', filename: '/bin/true',
    cwd: '/tmp/d', argv_truncated: false, argv: ['/bin/true', 'a b'],
    // The FREE record's figures, CPU split 3:1 as utime:stime.
    cpu_ns: 1000, cpu_user_ns: 750, cpu_sys_ns: 250, read_bytes: 10, write_bytes: 20,
    minor_faults: 3, major_faults: 4, vol_ctx_switches: 5, invol_ctx_switches: 6, max_rss_kb: 700,
  });
});

test('model: an exec chain: each image ends at the next exec, with its own share of the figures', () => {
  const steps = replay(
    script(
      ...SHELL,
      'exec pid=100 ts=2000 ppid=1 filename=/bin/b arg=b comm=b cwd=/ cpu=300 utime=1 read=40 maxrss=50',
      'exec pid=100 ts=3000 ppid=1 filename=/bin/c arg=c comm=c cwd=/ cpu=700 utime=1 read=100 maxrss=80',
      'exit pid=100 ts=4000 status=0 cpu=1000',
      'free pid=100 ts=4100 cpu=1100 utime=1 read=130 maxrss=90',
    ),
  );
  assert.deepEqual(steps.map((s) => s.exec_id), [0, 1, 2, 3, 3, 3]);
  const rows = byId(steps);
  assert.deepEqual([...rows.keys()], [1, 2, 3]);
  const [sh, b, c] = [rows.get(1), rows.get(2), rows.get(3)];
  assert.equal(step(steps, 3).finished[0], sh, 'the first image is final at the second exec');
  assert.equal(step(steps, 4).finished[0], b);
  assert.deepEqual(
    [sh, b, c].map((e) => [e.filename, e.pid, e.prev_exec_id, e.parent_exec_id, e.start_ns, e.exec_ns, e.end_ns, e.end_reason]),
    [
      ['/bin/sh', 100, 0, 0, 1000, 1100, 2000, 'exec'],
      ['/bin/b', 100, 1, 0, 2000, 2000, 3000, 'exec'],
      ['/bin/c', 100, 2, 0, 3000, 3000, 4000, 'exit'],
    ],
  );
  assert.deepEqual([sh, b, c].map((e) => [e.cpu_ns, e.read_bytes, e.max_rss_kb]), [
    [300, 40, 50],
    [400, 60, 80],
    [400, 30, 90],
  ]);
  assert.deepEqual([sh.exited, b.exited, c.exited], [false, false, true]);
  assert.deepEqual([sh.comm, b.comm, c.comm], ['sh', 'b', 'c']);
  assert.equal(sh.cwd, '/work', 'the image keeps the cwd of its own exec');
});

test('model: a subshell (fork, no exec) runs its parent\'s image; the parent\'s image outlives it', () => {
  const steps = replay(
    script(
      ...SHELL,
      'fork pid=101 ts=1200 parent=100 ppid=100',
      'sample pid=101 cpu=50 rss=9',
      'exit pid=101 ts=1300 status=256 parent=100 cpu=60',
      'free pid=101 ts=1400 cpu=70 maxrss=11',
      'fork pid=102 ts=1500 parent=100',
      'exec pid=102 ts=1600 ppid=100 filename=/bin/true arg=true comm=true cwd=/',
      'exit pid=102 ts=1700 parent=100',
      'free pid=102 ts=1800',
      'exit pid=100 ts=1900',
      'free pid=100 ts=2000',
    ),
  );
  const rows = byId(steps);
  const sub = rows.get(2);
  assert.deepEqual(
    [sub.filename, sub.argv, sub.comm, sub.cwd, sub.uid, sub.gid, sub.cgroup_id, sub.exec_ns, sub.prev_exec_id, sub.parent_exec_id, sub.ppid],
    ['/bin/sh', ['sh', '-c', 'x'], 'sh', '/work', 1000, 100, 7, 0, 0, 1, 100],
  );
  assert.deepEqual([sub.cpu_ns, sub.max_rss_kb, sub.exit_status], [70, 11, 256]);
  const child = rows.get(3);
  assert.deepEqual([child.filename, child.argv, child.parent_exec_id], ['/bin/true', ['true'], 1]);
  const sh = rows.get(1);
  assert.deepEqual([sh.filename, sh.argv, sh.cwd], ['/bin/sh', ['sh', '-c', 'x'], '/work'], 'untouched by the children');
});

test('model: a pid reused before the free record of its exited process: that record ends the old one', () => {
  const steps = replay(
    script(
      ...SHELL,
      'fork pid=200 ts=1200 parent=100',
      'exec pid=200 ts=1300 filename=/bin/old arg=old cwd=/',
      'exit pid=200 ts=1400 status=256 parent=100 cpu=10',
      'fork pid=200 ts=1500 parent=100',
      'counts',
      'free pid=200 ts=1600 cpu=40 maxrss=4',
      'exec pid=200 ts=1700 filename=/bin/new arg=new cwd=/',
      'exit pid=200 ts=1800 status=768 parent=100 cpu=5',
      'free pid=200 ts=1900 cpu=6',
      'counts',
    ),
  );
  assert.deepEqual(steps.map((s) => [s.op, s.exec_id]), [
    ['seed', 0], ['exec', 1], ['fork', 2], ['exec', 2], ['exit', 2], ['fork', 3], ['counts', undefined],
    ['free', 2], ['exec', 3], ['exit', 3], ['free', 3], ['counts', undefined],
  ]);
  const counts = steps.filter((s) => s.op === 'counts');
  assert.deepEqual(
    counts.map(({ running, awaited, executions }) => ({ running, awaited, executions })),
    [
      { running: 2, awaited: 1, executions: 3 },
      { running: 1, awaited: 0, executions: 3 },
    ],
  );
  assert.deepEqual(step(steps, 6).finished, [], 'the new fork ends nothing');
  const [old] = step(steps, 8).finished;
  assert.deepEqual(
    [old.exec_id, old.filename, old.end_ns, old.exit_status, old.cpu_ns, old.max_rss_kb],
    [2, '/bin/old', 1400, 256, 40, 4],
  );
  const [fresh] = step(steps, 11).finished;
  assert.deepEqual(
    [fresh.exec_id, fresh.parent_exec_id, fresh.prev_exec_id, fresh.filename, fresh.start_ns, fresh.end_ns, fresh.exit_status, fresh.cpu_ns],
    [3, 1, 0, '/bin/new', 1500, 1800, 768, 6],
  );
});

test('model: a pid reused by a fork while its process is still live (exit lost): it ends at that fork', () => {
  const steps = replay(
    script(
      ...SHELL,
      'fork pid=300 ts=1200 parent=100',
      'exec pid=300 ts=1300 filename=/bin/old arg=old cwd=/',
      'sample pid=300 cpu=350 rss=3',
      'fork pid=300 ts=1500 parent=100',
      'free pid=300 ts=1600 cpu=9',
      'counts',
    ),
  );
  const [old] = step(steps, 6).finished;
  assert.deepEqual(
    [old.exec_id, old.end_reason, old.exited, old.end_ns, old.cpu_ns],
    [2, 'exit', false, 1500, 350],
    'ended by the reuse, with its last sample\'s CPU',
  );
  assert.equal(step(steps, 6).exec_id, 3);
  const [fresh] = step(steps, 7).finished;
  assert.deepEqual([fresh.exec_id, fresh.parent_exec_id, fresh.end_reason, fresh.exited, fresh.cpu_ns], [3, 1, 'exit', false, 9]);
  const { running, awaited } = step(steps, 8);
  assert.deepEqual({ running, awaited }, { running: 1, awaited: 0 });
});

test('model: a free record without an exit record (the exit lost) still ends the process', () => {
  const steps = replay(
    script(
      ...SHELL,
      'fork pid=101 ts=1200 parent=100',
      'exec pid=101 ts=1300 filename=/bin/x arg=x cwd=/',
      'counts',
      'free pid=101 ts=1600 cpu=30 utime=0 stime=1 maxrss=2',
      'counts',
    ),
  );
  const [row] = step(steps, 6).finished;
  assert.deepEqual(
    [row.exec_id, row.end_reason, row.exited, row.exit_status, row.end_ns, row.cpu_ns, row.cpu_sys_ns, row.max_rss_kb],
    [2, 'exit', false, 0, 1600, 30, 30, 2],
  );
  const counts = steps.filter((s) => s.op === 'counts').map(({ running, awaited }) => ({ running, awaited }));
  assert.deepEqual(counts, [
    { running: 2, awaited: 0 },
    { running: 1, awaited: 0 },
  ]);
});

test('model: an exec record read after the exit record: the exit ends the image that exec loaded', () => {
  const steps = replay(
    script(
      ...SHELL,
      'exit pid=100 ts=1500 status=768 cpu=500 read=50',
      'exec pid=100 ts=1300 ppid=1 filename=/bin/late arg=late comm=late cwd=/ cpu=200 read=20',
      'counts',
      'free pid=100 ts=1600 cpu=600 read=60 maxrss=8',
      'counts',
    ),
  );
  assert.deepEqual(steps.map((s) => s.exec_id).slice(0, 4), [0, 1, 1, 2]);
  const [first] = step(steps, 4).finished;
  assert.deepEqual(
    [first.exec_id, first.filename, first.end_reason, first.exited, first.end_ns, first.cpu_ns, first.read_bytes],
    [1, '/bin/sh', 'exec', false, 1300, 200, 20],
  );
  const { running, awaited } = step(steps, 5);
  assert.deepEqual({ running, awaited }, { running: 0, awaited: 1 }, 'still exited, awaiting its free');
  const [late] = step(steps, 6).finished;
  assert.deepEqual(
    [late.exec_id, late.prev_exec_id, late.filename, late.end_reason, late.exited, late.exit_status, late.exec_ns, late.end_ns, late.cpu_ns, late.read_bytes],
    [2, 1, '/bin/late', 'exit', true, 768, 1300, 1500, 400, 40],
  );
  const after = step(steps, 7);
  assert.deepEqual({ running: after.running, awaited: after.awaited }, { running: 0, awaited: 0 });
});

test('model: a first exec read after the exit record of its forked process: one execution', () => {
  const steps = replay(
    script(
      ...SHELL,
      'fork pid=101 ts=1200 parent=100',
      'exit pid=101 ts=1400 status=256 parent=100 cpu=10',
      'exec pid=101 ts=1300 filename=/bin/true arg=true comm=true cwd=/',
      'free pid=101 ts=1500 cpu=20',
    ),
  );
  assert.deepEqual(steps.map((s) => s.exec_id), [0, 1, 2, 2, 2, 2]);
  const [row] = step(steps, 6).finished;
  assert.deepEqual(
    [row.exec_id, row.filename, row.comm, row.start_ns, row.exec_ns, row.end_ns, row.end_reason, row.exit_status, row.cpu_ns],
    [2, '/bin/true', 'true', 1200, 1300, 1400, 'exit', 256, 20],
  );
});

test('model: records of processes it does not know: an exec starts one, the others are ignored', () => {
  const steps = replay(
    script(
      'exec pid=500 ts=100 ppid=7 filename=/bin/orphan arg=orphan comm=orphan cwd=/',
      'exit pid=600 ts=110',
      'free pid=600 ts=120',
      'sample pid=600 cpu=5 rss=1',
      'exit pid=500 ts=130 cpu=3',
      'exit pid=500 ts=140 cpu=99',
      'free pid=500 ts=150 cpu=4',
      'free pid=500 ts=160 cpu=5',
    ),
  );
  assert.deepEqual(steps.map((s) => [s.op, s.exec_id]), [
    ['exec', 1], ['exit', 0], ['free', 0], ['sample', 0], ['exit', 1], ['exit', 0], ['free', 1], ['free', 0],
  ]);
  const [row] = step(steps, 7).finished;
  assert.deepEqual(
    [row.exec_id, row.parent_exec_id, row.prev_exec_id, row.ppid, row.start_ns, row.exec_ns, row.end_ns, row.cpu_ns],
    [1, 0, 0, 7, 100, 100, 130, 4],
    'a second exit record changes nothing',
  );
});

test("model: a waited-for child's I/O is taken out of its parent's current execution", () => {
  const steps = replay(
    script(
      ...SHELL,
      'fork pid=101 ts=1200 parent=100',
      'exit pid=101 ts=1300 parent=100 read=4000 write=8000',
      'free pid=101 ts=1310 read=4000 write=8000',
      'fork pid=102 ts=1400 parent=100',
      'exit pid=102 ts=1500 parent=100 autoreap=1 read=700',
      'free pid=102 ts=1510 read=700',
      'exec pid=100 ts=2000 ppid=1 filename=/bin/next arg=next cwd=/ read=4100 write=8000',
      'fork pid=103 ts=2100 parent=100',
      'exit pid=103 ts=2200 parent=100 read=30',
      'free pid=103 ts=2210 read=30',
      'exit pid=100 ts=3000',
      'free pid=100 ts=3100 read=4200 write=8500',
    ),
  );
  const rows = byId(steps);
  // The shell read 100 and wrote nothing itself before its exec; its counters then held the
  // first child's 4000/8000 (waited for), not the second's (nobody waits for an autoreaped child).
  assert.deepEqual([rows.get(1).read_bytes, rows.get(1).write_bytes], [100, 0]);
  // After the exec: 100 more read, of which 30 were the third child's; 500 written.
  assert.deepEqual([rows.get(4).read_bytes, rows.get(4).write_bytes], [70, 500]);
  assert.deepEqual([2, 3, 5].map((id) => rows.get(id).read_bytes), [4000, 700, 30], 'children keep their own');
});

test('model: finish with live processes: "running" with /proc figures so far, or a larger sample', () => {
  const steps = replay(
    script(
      ...SHELL,
      'fork pid=101 ts=1200 parent=100',
      'exec pid=101 ts=1300 filename=/bin/a arg=a cwd=/',
      'sample pid=101 cpu=900 rss=5',
      'sample pid=101 cpu=400 rss=6',
      'fork pid=102 ts=1400 parent=100',
      'exit pid=102 ts=1500 status=2304 parent=100 cpu=77',
      'sample pid=102 cpu=5000 rss=1',
      'live pid=100 cpu=600 utime=1 stime=1 maxrss=40 read=9',
      'live pid=101 cpu=500 maxrss=30',
      'counts since=1501',
      'reaped pid=102',
      'counts since=1501',
      'finish ts=9000',
      'counts',
    ),
  );
  const waits = steps.filter((s) => s.op === 'counts').map(({ running, awaited, executions }) => ({ running, awaited, executions }));
  assert.deepEqual(waits, [
    { running: 2, awaited: 0, executions: 3 },
    { running: 2, awaited: 1, executions: 3 },
    { running: 0, awaited: 0, executions: 3 },
  ]);
  const rows = byId(steps);
  assert.deepEqual([...rows.keys()].sort(), [1, 2, 3]);
  for (const id of [1, 2, 3]) assert.equal(step(steps, 15).finished.includes(rows.get(id)), true, `${id} at finish`);
  const [sh, a, exited] = [rows.get(1), rows.get(2), rows.get(3)];
  assert.deepEqual([sh.end_reason, sh.end_ns, sh.cpu_ns, sh.cpu_user_ns, sh.max_rss_kb, sh.read_bytes], ['running', 9000, 600, 300, 40, 9]);
  assert.deepEqual([a.end_reason, a.end_ns, a.cpu_ns, a.max_rss_kb], ['running', 9000, 900, 30], 'the larger of /proc and the samples');
  assert.deepEqual(
    [exited.end_reason, exited.exited, exited.end_ns, exited.exit_status, exited.cpu_ns],
    ['exit', true, 1500, 2304, 77],
    'an exited process awaiting its free record ends with its exit record; its later sample is ignored',
  );
  assert.equal(step(steps, 9).exec_id, 0, 'a sample after the exit is not taken');
});

test('model: a failing sink fails the record that finished an execution, and nothing leaks', () => {
  const steps = replay(
    script(
      ...SHELL,
      'fail',
      'exec pid=100 ts=2000 filename=/bin/b arg=b cwd=/',
      'fork pid=101 ts=2100 parent=100',
      'fail',
      'free pid=101 ts=2200',
      'fail',
      'finish ts=3000',
    ),
  );
  assert.deepEqual(steps.map((s) => [s.op, s.exec_id, s.finished.map((e) => e.exec_id)]), [
    ['seed', 0, []], ['exec', 1, []], ['exec', -1, [1]], ['fork', 3, []], ['free', -1, [3]], ['finish', -1, [2]],
  ]);
});

test('model: strings are escaped as they are received: comm, filename, cwd and argv', () => {
  const steps = replay(
    script(
      'exec pid=1 ts=1 filename=/bin/caf\\xE9 arg=\\xFF arg=\\x5Cx41 arg=\\xC3\\xA9 arg= comm=\\xE2\\x82\\xAC\\xE2\\x82 cwd=/tmp/\\xFE/d args_full=99',
      'free pid=1 ts=2',
      'exec pid=2 ts=1 filename=/x arg=x comm=0123456789abcdefXYZ',
      'free pid=2 ts=2',
    ),
  );
  const [one, two] = [1, 2].map((id) => byId(steps).get(id));
  assert.deepEqual(
    [one.filename, one.argv, one.comm, one.cwd, one.argv_truncated],
    ['/bin/caf\\xE9', ['\\xFF', '\\x5Cx41', 'é', ''], '€\\xE2\\x82', '/tmp/\\xFE/d', true],
  );
  assert.equal(two.comm, '0123456789abcdef', 'comm is at most its 16 bytes');
});

test('model: the process table grows, keeping a reused pid\'s processes in order', () => {
  const forks = Array.from({ length: 1100 }, (_, i) => `fork pid=${1000 + i} ts=2000 parent=100`);
  const steps = replay(
    script(
      ...SHELL,
      'fork pid=200 ts=1200 parent=100',
      'exit pid=200 ts=1300 parent=100 status=256',
      'fork pid=200 ts=1400 parent=100',
      ...forks,
      'free pid=200 ts=3000 cpu=1',
      'counts',
      'finish ts=4000',
    ),
  );
  const freed = step(steps, 6 + forks.length).finished;
  assert.deepEqual(freed.map((e) => [e.exec_id, e.exit_status, e.start_ns]), [[2, 256, 1200]], 'the older process is freed');
  const counts = steps.find((s) => s.op === 'counts');
  assert.equal(counts.running, 1 + 1 + forks.length);
  assert.equal(counts.executions, 3 + forks.length);
  const rows = byId(steps);
  assert.equal(rows.size, 3 + forks.length);
  assert.equal(rows.get(3).start_ns, 1400);
  assert.equal(rows.get(3).end_reason, 'running');
});

test('model: CMD that never execs (its exec failed): the seeded execution, with the cwd it was given', () => {
  const steps = replay(
    script('seed pid=100 ts=1000 cwd=/work', 'exit pid=100 ts=1100 status=32512', 'free pid=100 ts=1200 cpu=5'),
  );
  assert.deepEqual(steps.map((s) => s.exec_id), [0, 1, 1]);
  const [row] = step(steps, 3).finished;
  assert.deepEqual(
    [row.exec_id, row.parent_exec_id, row.filename, row.argv, row.comm, row.cwd, row.start_ns, row.exec_ns, row.end_ns, row.exit_status, row.cpu_ns],
    [1, 0, null, [], '', '/work', 1000, 0, 1100, 32512, 5],
  );
});
