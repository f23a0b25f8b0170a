// pipetrace inside what a container gives it: a pid namespace of its own (pids as seen there),
// a mount namespace with its own /proc, a cgroup of its own, capabilities taken away. Each run
// is compared with the same command traced outside.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PIPETRACE, cleanup, killedOnceJournaled, lines, runPipetrace, tempDir, tool, waitFor } from './lib/pipetrace.mjs';
import { processes, query, sqlPath } from './lib/readers.mjs';

after(cleanup);

const PID_NS = ['unshare', '--pid', '--fork', '--mount-proc'];
// A mount namespace with a /proc of its own, in the root pid namespace (a chroot-style
// container's view).
const OWN_PROC = ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c',
  'mount -t proc proc /proc && exec "$0" "$@"'];

const LOOP = ['bash', '-c', 'for i in $(seq 40); do /bin/true; done; (exit 4); sh -c "exit 5"; exit 3'];

function traced(cmd, prefix = [], options = []) {
  const r = runPipetrace(cmd, { prefix, options: ['-q', ...options] });
  return r;
}

/** Rows reduced to what must not depend on where pipetrace ran: the tree and its results. */
async function shape(out) {
  const rows = await processes(out);
  const index = new Map(rows.map((r, i) => [r.exec_id, i]));
  return rows.map((r) => ({
    parent: r.parent_exec_id === null ? null : index.get(r.parent_exec_id),
    filename: r.filename,
    argv: r.argv,
    exit_code: r.exit_code,
    end_reason: r.end_reason,
  }));
}

for (const [where, prefix] of [['a pid namespace of its own', PID_NS], ['a mount namespace with its own /proc', OWN_PROC]]) {
  test(`in ${where}: the same rows, links and exit codes as outside`, async () => {
    const outside = traced(LOOP);
    const inside = traced(LOOP, prefix);
    assert.equal(outside.status, 3, outside.stderr);
    assert.equal(inside.status, 3, inside.stderr);
    assert.equal(inside.stderr, '');
    const expected = await shape(outside.out);
    assert.equal(expected.length, 1 + 1 + 40 + 1 + 1); // bash, seq, 40 true, a subshell, sh
    assert.deepEqual(await shape(inside.out), expected);
    const [run] = await query(`SELECT status, exit_code, processes FROM ${sqlPath(path.join(inside.out, 'runs.parquet'))}`);
    assert.deepEqual(run, { status: 'complete', exit_code: 3, processes: '44' });
  });
}

test('in a pid namespace: pid, ppid and every table\'s pid are as seen there; ns_pid its own', async () => {
  const r = traced(
    ['bash', '-c', `cat /proc/self/stat > /dev/null; "${tool('netconnect')}" udp 127.0.0.1 9; ps -o pid= -p $$`],
    PID_NS,
    ['--probes', 'files,net'],
  );
  assert.equal(r.status, 0, r.stderr);
  const rows = await processes(r.out);
  const root = rows[0];
  // pipetrace is pid 1 there; CMD, its child, pid 2: what ps shows inside.
  assert.deepEqual([root.pid, root.ppid, root.ns_pid], [2, 1, 2]);
  assert.equal(lines(r.stdout.toString()).at(-1).trim(), '2');
  // bash execs its last command, ps, in its own process: pid 2 again. (A sanitizer build's
  // tool forks a helper of its own at exit: a parent other than bash.)
  const pids = new Set(rows.map((x) => x.pid));
  for (const row of rows.slice(1)) {
    assert.ok(row.pid === 2 ? row.ppid === 1 : pids.has(row.ppid), JSON.stringify(row));
    assert.equal(row.ns_pid, row.pid);
    assert.ok(row.pid < 100, `pid ${row.pid} as seen in the new namespace`);
  }
  const [cat] = await query(`SELECT pid, tid FROM ${sqlPath(path.join(r.out, 'files.parquet'))} WHERE path = '/proc/self/stat'`);
  assert.ok(pids.has(cat.pid) && cat.tid === cat.pid, JSON.stringify(cat));
  const [connect] = await query(`SELECT pid FROM ${sqlPath(path.join(r.out, 'connections.parquet'))}`);
  assert.ok(pids.has(connect.pid));
  const events = await query(`SELECT DISTINCT pid FROM ${sqlPath(path.join(r.out, 'events.parquet'))}`);
  assert.ok(events.every((e) => pids.has(e.pid)));
});

// thread_exit's leader exits first: its final accounting comes after the kernel has released
// the leader's pid, at the last thread's switch or the free.
test('in a pid namespace: CPU within 2 % of getrusage, as outside; every final record', async () => {
  const spin = tool('spin');
  const r = traced(
    [tool('rusage'), 'bash', '-c', `"${spin}" 200 2 & "${tool('thread_exit')}" 0 0 200 & "${spin}" 200; wait`],
    PID_NS,
  );
  assert.equal(r.status, 0, r.stderr);
  const measured = Number(r.stdout.toString().trim());
  const rows = await processes(r.out);
  const sum = rows.slice(1).reduce((s, x) => s + Number(x.cpu_ns), 0);
  assert.ok(Math.abs(sum - measured) / measured <= 0.02, `sum(cpu_ns) ${sum} vs getrusage ${measured}`);
  assert.ok(rows.filter((x) => x.filename === spin).every((x) => Number(x.cpu_ns) >= 200e6));
  const frees = await query(`SELECT pid, count(*)::INT AS n FROM ${sqlPath(path.join(r.out, 'events.parquet'))}
    WHERE type = 'free' GROUP BY pid ORDER BY pid`);
  const pids = [...new Set(rows.map((x) => x.pid))].sort((a, b) => a - b);
  assert.deepEqual(frees, pids.map((pid) => ({ pid, n: 1 })));
});

test('without CAP_BPF and CAP_SYS_ADMIN in a container: one line, exit 125, CMD not run', () => {
  const dir = tempDir();
  const marker = path.join(dir, 'ran');
  const r = runPipetrace(['touch', marker], {
    dir,
    prefix: [...PID_NS, 'capsh', '--drop=cap_bpf,cap_sys_admin,cap_perfmon', '--', '-c', 'exec "$0" "$@"'],
  });
  assert.equal(r.status, 125);
  assert.equal(lines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /^pipetrace: loading BPF probes needs CAP_BPF and CAP_PERFMON .*docs\/containers\.md\)?\n$/);
  assert.ok(!fs.existsSync(marker));
});

test('CAP_BPF and CAP_PERFMON without CAP_SYS_ADMIN are enough (tracefs already mounted)', async () => {
  const r = traced(['bash', '-c', 'cat /proc/version > /dev/null'], ['capsh', '--drop=cap_sys_admin', '--', '-c', 'exec "$0" "$@"'], ['--probes', 'cpu,files']);
  assert.equal(r.status, 0, r.stderr);
  const [opens] = await query(`SELECT count(*)::INT AS n FROM ${sqlPath(path.join(r.out, 'files.parquet'))} WHERE path = '/proc/version'`);
  assert.equal(opens.n, 1);
});

/** The cgroup2 mount point, or null. */
function cgroup2Mount() {
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.startsWith('cgroup2 ')) return left.split(' ')[4];
  }
  return null;
}

test('processes.cgroup: the cgroup v2 path each execution ran in', async (t) => {
  const mount = cgroup2Mount();
  if (!mount) return t.skip('no cgroup2 hierarchy mounted');
  const name = `pipetrace-test-${process.pid}`;
  const cgroup = path.join(mount, name);
  fs.mkdirSync(path.join(cgroup, 'inner'), { recursive: true });
  try {
    const r = traced(
      ['sh', '-c', `sh -c 'echo $$ > ${cgroup}/inner/cgroup.procs; exec /bin/true'; /bin/true`],
      ['sh', '-c', `echo $$ > ${cgroup}/cgroup.procs && exec "$0" "$@"`],
    );
    assert.equal(r.status, 0, r.stderr);
    const rows = await processes(r.out);
    // The shell that moved itself exec'd /bin/true in the inner cgroup; all else ran outside.
    const inner = rows.filter((x) => x.cgroup === `/${name}/inner`);
    assert.deepEqual(inner.map((x) => x.filename), ['/bin/true']);
    assert.ok(rows.length >= 3);
    assert.ok(rows.filter((x) => x !== inner[0]).every((x) => x.cgroup === `/${name}`),
      JSON.stringify(rows.map((x) => [x.filename, x.cgroup])));
  } finally {
    fs.rmdirSync(path.join(cgroup, 'inner'));
    fs.rmdirSync(cgroup);
  }
});

test('processes.cgroup past the 256 cgroups remembered: every row right, a cgroup seen again after it was forgotten too', async (t) => {
  const mount = cgroup2Mount();
  if (!mount) return t.skip('no cgroup2 hierarchy mounted');
  const base = path.join(mount, `pipetrace-many-${process.pid}`);
  const names = Array.from({ length: 300 }, (_, i) => `g${i}`);
  for (const name of names) fs.mkdirSync(path.join(base, name), { recursive: true });
  try {
    // Each /bin/true runs in its own cgroup (its subshell moves itself there first): g0..g299,
    // then g0..g9 again, forgotten by then.
    const order = [...names, ...names.slice(0, 10)];
    const script = order.map((name) => `(echo $BASHPID > ${base}/${name}/cgroup.procs && exec /bin/true ${name})`).join('; ');
    const r = traced(['bash', '-c', script]);
    assert.equal(r.status, 0, r.stderr);
    const rows = (await processes(r.out)).filter((x) => x.filename === '/bin/true');
    assert.equal(rows.length, order.length);
    const wrong = rows.filter((x) => x.cgroup !== `/${path.basename(base)}/${x.argv[1]}`);
    assert.deepEqual(wrong.map((x) => [x.argv[1], x.cgroup]), []);
  } finally {
    for (const name of names) fs.rmdirSync(path.join(base, name));
    fs.rmdirSync(base);
  }
});

test('processes.cgroup of a killed run recovered after its cgroup was removed: the path the run found', async (t) => {
  const mount = cgroup2Mount();
  if (!mount) return t.skip('no cgroup2 hierarchy mounted');
  const name = `pipetrace-gone-${process.pid}`;
  const cgroup = path.join(mount, name);
  fs.mkdirSync(cgroup);
  const r = await killedOnceJournaled(`echo $$ > ${cgroup}/cgroup.procs && `, 'moved', { options: ['-q'] });
  await waitFor(() => { try { fs.rmdirSync(cgroup); return true; } catch { return false; } }, 20000, 'the cgroup to empty');
  const recover = spawnSync(PIPETRACE, ['recover', r.out], { encoding: 'utf8' });
  assert.equal(recover.status, 0, recover.stderr);
  const rows = await processes(r.out);
  const moved = rows.find((x) => x.cmdline === '/bin/true moved');
  assert.ok(moved, JSON.stringify(rows.map((x) => x.cmdline)));
  assert.equal(moved.cgroup, `/${name}`);
});
