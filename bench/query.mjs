// node bench/query.mjs [-t] SQL — runs SQL in an in-memory DuckDB (the one tests/ installs)
// and prints the rows: a JSON array of objects, or with -t one line per row of tab-separated
// values (for shell scripts). Integers beyond 2^53 print as strings, timestamps as ISO 8601.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const args = process.argv.slice(2);
const tabs = args[0] === '-t';
if (args.length !== (tabs ? 2 : 1)) {
	console.error('usage: node bench/query.mjs [-t] SQL');
	process.exit(2);
}
const sql = args.at(-1);

const plain = (v) => {
	if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
	if (v instanceof Date) return v.toISOString();
	return v;
};
const json = (v) => JSON.stringify(v, (_, x) => plain(x));
const cell = (v) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? json(v) : String(plain(v)));

let rows;
try {
	const conn = await (await DuckDBInstance.create()).connect();
	rows = (await conn.runAndReadAll(sql)).getRowObjectsJS();
} catch (err) {
	console.error(`query.mjs: ${err.message}`);
	process.exit(1);
}
if (tabs)
	for (const row of rows) console.log(Object.values(row).map(cell).join('\t'));
else
	console.log(json(rows));
