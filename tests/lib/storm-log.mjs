// The log a storm of /bin/true writes (each `true N` logged with the time it had ended), and
// the check that recovered rows hold exactly the executions that had ended before a kill.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { lines } from './pipetrace.mjs';
import { num } from './readers.mjs';

/** The storm's log: [{ n, t }] (t in seconds, CLOCK_REALTIME). */
export function readLog(log) {
  if (!fs.existsSync(log)) return [];
  return lines(fs.readFileSync(log, 'utf8'))
    .map((l) => l.split(' '))
    .filter((f) => f.length === 2 && f[1] !== '')
    .map(([n, t]) => ({ n: Number(n), t: Number(t) }));
}

/**
 * Checks the processes rows of a storm's datasets: every `/bin/true N` logged as ended after
 * `since` and at least 1 s before killedAt is there exactly once and ended; nothing is
 * duplicated (exec_ids unique), and none is invented (N at most one past the last logged:
 * that one may have ended unlogged). Returns how many ended executions were checked.
 */
export function checkStormRows(rows, log, killedAt, since = -Infinity) {
  const ids = rows.map((r) => num(r.exec_id));
  assert.equal(new Set(ids).size, ids.length, 'exec_ids are unique');
  const trues = new Map();
  for (const r of rows.filter((x) => x.filename === '/bin/true')) {
    const n = Number(r.argv[1]);
    assert.ok(!trues.has(n), `true ${n} appears once`);
    trues.set(n, r);
  }
  const logged = readLog(log);
  const last = logged.length ? logged[logged.length - 1].n : -1;
  for (const n of trues.keys()) assert.ok(n <= last + 1, `true ${n} was run (last logged: ${last})`);
  let ended = 0;
  for (const { n, t } of logged) {
    if (t <= since || t > killedAt - 1) continue;
    const r = trues.get(n);
    assert.ok(r, `true ${n}, ended ${(killedAt - t).toFixed(2)} s before the kill, is recovered`);
    assert.equal(r.end_reason, 'exit');
    assert.equal(num(r.exit_code), 0);
    ended++;
  }
  return ended;
}
