// Helpers for the probe-module and merge tests: loopback servers, SQL files, table checks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PIPETRACE, REPO, spawnPipetrace } from './pipetrace.mjs';
import { hyTable, num, query, sqlPath } from './readers.mjs';

/** A stream server listening with LISTEN (net.Server.listen's arguments) that counts and
 * closes connections. */
async function countingServer(...listen) {
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.on('error', () => {});
    socket.end();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(...listen, resolve);
  });
  return {
    server,
    accepted: () => accepted,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A TCP server on 127.0.0.1 (port 0) that counts and closes connections. */
export async function tcpServer() {
  const s = await countingServer(0, '127.0.0.1');
  return { ...s, port: s.server.address().port };
}

/** A unix stream socket server at PATH that counts and closes connections. */
export async function unixServer(socketPath) {
  return { ...(await countingServer(socketPath)), path: socketPath };
}

/** A loopback TCP port that nothing listens on (bound, then released). */
export async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * pipetrace run in the background, so this process's servers keep answering meanwhile;
 * resolves to { status, signal, stdout, stderr, dir, out }.
 */
export async function runAsync(cmd, opts = {}) {
  const run = spawnPipetrace(cmd, opts);
  const result = await run.done;
  return { ...result, dir: run.dir, out: run.out };
}

/** pipetrace SUBCOMMAND ARGS synchronously: { status, stdout, stderr } as strings. */
export function pipetraceCommand(args, opts = {}) {
  const r = spawnSync(PIPETRACE, args, { timeout: 60000, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** queries/NAME with DATASET replaced by DIR (quoted as DuckDB would need it inside '...'). */
export function seedQuery(name, dir) {
  const sql = fs.readFileSync(path.join(REPO, 'queries', name), 'utf8');
  return sql.replaceAll('DATASET', dir.replaceAll("'", "''"));
}

/** DIR/TABLE.parquet read by DuckDB with an optional WHERE / ORDER BY tail. */
export async function rows(dir, table, tail = '') {
  return query(`SELECT * FROM ${sqlPath(path.join(dir, `${table}.parquet`))} ${tail}`);
}

/** Row count of DIR/TABLE.parquet by DuckDB and by hyparquet, asserted equal. */
export async function countBoth(dir, table) {
  const [{ n }] = await query(
    `SELECT count(*)::INTEGER AS n FROM ${sqlPath(path.join(dir, `${table}.parquet`))}`,
  );
  const hy = await hyTable(dir, table);
  assert.equal(hy.length, num(n), `${table}: hyparquet and DuckDB row counts`);
  return num(n);
}

/** Tables a dataset folder holds (the *.parquet names without extension), sorted. */
export function tablesOf(dir) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.parquet'))
    .map((f) => f.slice(0, -'.parquet'.length))
    .sort();
}

/** Asserts a process exited with status 0, showing its stderr otherwise. */
export function assertOk(r, what = 'pipetrace') {
  assert.equal(r.status, 0, `${what} exited ${r.status} (signal ${r.signal}): ${r.stderr}`);
}
