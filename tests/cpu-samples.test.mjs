// cpu_samples.rss_kb means one thing in every row, the final one included: the resident set at
// the execution's latest kernel sample, not its peak (processes.max_rss_kb is the peak).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, runPipetrace, tool } from './lib/pipetrace.mjs';
import { duckTable, hyTable, num, processes } from './lib/readers.mjs';
import { assertOk } from './lib/probes-helpers.mjs';

after(cleanup);

test('rss_kb is the latest sampled RSS in every row: after a 64 MiB peak is unmapped, the final row is small', async () => {
  // 64 MiB touched then unmapped, then 300 ms of CPU: 30 intervals of 10 ms to be sampled in.
  const r = runPipetrace([tool('rss_peak'), '64', '300'], { options: ['-q', '--interval', '10ms'] });
  assertOk(r);
  const [proc] = await processes(r.out);
  assert.ok(num(proc.max_rss_kb) >= 64 * 1024, `the peak: ${proc.max_rss_kb} KiB`);
  const samples = (await duckTable(r.out, 'cpu_samples', 'ts')).filter((s) => num(s.exec_id) === num(proc.exec_id));
  const hy = (await hyTable(r.out, 'cpu_samples')).filter((s) => num(s.exec_id) === num(proc.exec_id));
  assert.deepEqual(hy.map((s) => num(s.rss_kb)).sort(), samples.map((s) => num(s.rss_kb)).sort(),
    'rss_kb: hyparquet vs DuckDB');
  const final = samples.at(-1);
  assert.equal(BigInt(final.cpu_ns), BigInt(proc.cpu_ns), 'the final row is the one at the end');
  assert.ok(num(final.rss_kb) > 0, 'the final row carries the RSS last sampled');
  assert.ok(num(final.rss_kb) < 32 * 1024, `final rss_kb ${final.rss_kb} KiB: not the ${proc.max_rss_kb} KiB peak`);
  const periodic = samples.slice(0, -1).map((s) => num(s.rss_kb)).filter((kb) => kb !== null);
  assert.ok(periodic.some((kb) => kb < 32 * 1024), `periodic rows after the unmap: ${periodic}`);
});

test('an execution too short to be sampled has a null rss_kb, not 0', async () => {
  // /bin/true with a 1 h interval: no kernel sample can fire during it.
  const r = runPipetrace(['/bin/true'], { options: ['-q', '--interval', '1h'] });
  assertOk(r);
  const samples = await duckTable(r.out, 'cpu_samples');
  assert.equal(samples.length, 1, 'only the final row');
  assert.equal(samples[0].rss_kb, null);
  const [hy] = await hyTable(r.out, 'cpu_samples');
  assert.equal(hy.rss_kb, null, 'null for hyparquet too');
});
