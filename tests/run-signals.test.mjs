// End-to-end tests of `pipetrace run`: signals sent to pipetrace are forwarded to CMD.
// Real BPF, real processes, the dataset read back with DuckDB and hyparquet; every wait is a
// bounded wait for a condition, never a sleep. Shared helpers: tests/lib/run-helpers.mjs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, spawnPipetrace, tempDir, tool, waitFor } from './lib/pipetrace.mjs';
import { num, processes, runRow } from './lib/readers.mjs';
import { rootRow } from './lib/run-helpers.mjs';

after(cleanup);

for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT']) {
  test(`${sig} sent to pipetrace reaches CMD, whose trap exits 42`, async () => {
    const dir = tempDir();
    const ready = path.join(dir, 'ready');
    const never = path.join(dir, 'never');
    const marker = path.join(dir, 'marker');
    const name = sig.slice(3);
    const p = spawnPipetrace(
      [
        'bash',
        '-c',
        `trap 'echo trapped > "${marker}"; exit 42' ${name}; touch "${ready}";` +
          ` "${tool('waitfile')}" "${never}" 60 </dev/null >/dev/null 2>&1 & wait $!; exit 1`,
      ],
      { dir, options: ['-q'] },
    );
    try {
      await waitFor(() => fs.existsSync(ready), 20000, 'the trap to be set');
      p.child.kill(sig);
      const r = await p.done;
      assert.equal(r.status, 42, `status ${r.status}, signal ${r.signal}: ${r.stderr}`);
      assert.equal(fs.readFileSync(marker, 'utf8'), 'trapped\n');
      const run = await runRow(p.out);
      assert.equal(num(run.exit_code), 42);
      const rows = await processes(p.out);
      assert.equal(num(rootRow(rows).exit_code), 42);
    } finally {
      fs.writeFileSync(never, '');
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await p.done;
    }
  });
}
