// Reading pipetrace datasets with two independent Parquet readers: DuckDB and hyparquet.
import assert from 'node:assert/strict';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

let connection;

async function duck() {
  if (!connection) {
    const db = await DuckDBInstance.create();
    connection = await db.connect();
  }
  return connection;
}

/** Rows of a DuckDB query as JSON-friendly objects (BIGINT as strings, lists as arrays). */
export async function query(sql) {
  const c = await duck();
  return (await c.runAndReadAll(sql)).getRowObjectsJson();
}

/** A path quoted as a DuckDB string literal. */
export function sqlPath(file) {
  return `'${file.replaceAll("'", "''")}'`;
}

/** Every row of DIR/TABLE.parquet as read by DuckDB (exec_id order when there is one). */
export async function duckTable(dir, table, orderBy = table === 'processes' ? 'exec_id' : null) {
  const file = path.join(dir, `${table}.parquet`);
  return query(`SELECT * FROM ${sqlPath(file)}${orderBy ? ` ORDER BY ${orderBy}` : ''}`);
}

/** Every row of DIR/TABLE.parquet as read by hyparquet (INT64 as BigInt). */
export async function hyTable(dir, table) {
  const file = await asyncBufferFromFile(path.join(dir, `${table}.parquet`));
  return parquetReadObjects({ file, compressors });
}

/** A DuckDB JSON value or hyparquet value, as a number or null (for id/count columns). */
export function num(v) {
  return v === null || v === undefined ? null : Number(v);
}

/** processes.parquet read by both readers, checked equal on the key columns; DuckDB's rows. */
export async function processes(dir) {
  const duckRows = await duckTable(dir, 'processes');
  const hyRows = (await hyTable(dir, 'processes')).sort((a, b) => Number(a.exec_id - b.exec_id));
  assert.equal(hyRows.length, duckRows.length, 'row count: hyparquet vs DuckDB');
  const key = (r) => ({
    exec_id: num(r.exec_id),
    parent_exec_id: num(r.parent_exec_id),
    prev_exec_id: num(r.prev_exec_id),
    pid: num(r.pid),
    ppid: num(r.ppid),
    filename: r.filename,
    argv: [...r.argv],
    argv_truncated: r.argv_truncated,
    exit_code: num(r.exit_code),
    signal: num(r.signal),
    core_dumped: r.core_dumped,
    end_reason: r.end_reason,
    cpu_ns: String(r.cpu_ns),
  });
  assert.deepEqual(hyRows.map(key), duckRows.map(key), 'processes: hyparquet vs DuckDB');
  return duckRows;
}

/** The single runs.parquet row, read by both readers and checked equal on key columns. */
export async function runRow(dir) {
  const duckRows = await duckTable(dir, 'runs');
  const hyRows = await hyTable(dir, 'runs');
  assert.equal(duckRows.length, 1, 'runs.parquet has one row');
  assert.equal(hyRows.length, 1, 'runs.parquet has one row (hyparquet)');
  const key = (r) => ({
    run_id: r.run_id,
    command: [...r.command],
    exit_code: num(r.exit_code),
    signal: num(r.signal),
    processes: num(r.processes),
    lost_events: num(r.lost_events),
    status: r.status,
  });
  assert.deepEqual(key(hyRows[0]), key(duckRows[0]), 'runs: hyparquet vs DuckDB');
  return duckRows[0];
}
