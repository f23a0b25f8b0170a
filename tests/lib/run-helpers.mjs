// Helpers shared by the tests of `pipetrace run` (tests/run-*.test.mjs).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { num } from './readers.mjs';

export const BASH = fs.realpathSync('/bin/bash');

export function ok(r) {
  assert.equal(r.status, 0, `pipetrace exited ${r.status} (signal ${r.signal}): ${r.stderr}`);
}

/** The rows whose parent_exec_id is ID. */
export function childrenOf(rows, id) {
  return rows.filter((r) => num(r.parent_exec_id) === num(id));
}

export function onlyRow(rows, predicate, what) {
  const found = rows.filter(predicate);
  assert.equal(found.length, 1, `exactly one ${what} row in ${JSON.stringify(rows, null, 1)}`);
  return found[0];
}

/** The process tree's root: the execution pipetrace started (no parent, no previous image). */
export function rootRow(rows) {
  return onlyRow(rows, (r) => r.parent_exec_id === null && r.prev_exec_id === null, 'root');
}

export function relDiff(a, b) {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1);
}

/** Deterministic bytes (xorshift32). */
export function pseudoRandom(n, seed = 12345) {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The documented decoding: every \xHH becomes its byte; everything else is literal. */
export function unescapeArg(s) {
  const b = Buffer.from(s, 'utf8');
  const out = [];
  const hex = (c) => /[0-9A-Fa-f]/.test(String.fromCharCode(c));
  for (let i = 0; i < b.length; ) {
    if (b[i] === 0x5c && b[i + 1] === 0x78 && i + 3 < b.length && hex(b[i + 2]) && hex(b[i + 3])) {
      out.push(parseInt(String.fromCharCode(b[i + 2], b[i + 3]), 16));
      i += 4;
    } else {
      out.push(b[i++]);
    }
  }
  return Buffer.from(out);
}
