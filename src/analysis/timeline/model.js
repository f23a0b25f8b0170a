// The run's data as embedded by pipetrace export (src/analysis/export_html.c): columnar
// arrays, strings as numbers into one string table, times in microseconds from the run's
// start. This part derives what drawing needs: the visible rows of the process tree, the
// utilisation series and the search matches.
const data = JSON.parse(document.getElementById("pipetrace-data").textContent);
const strings = data.strings;
const exec = data.exec;
const rows = data.rows;
const execCount = exec.start.length;
const rowCount = rows.parent.length;

function text(index) {
  return index < 0 ? null : strings[index];
}

// Row r holds executions rows.images[first[r] .. first[r] + count[r]), an exec chain in order.
function imagesOf(r) {
  return rows.images.slice(rows.first[r], rows.first[r] + rows.count[r]);
}

const collapsed = new Uint8Array(rowCount);
let visibleRows = new Int32Array(0); // process rows shown, top to bottom
const lineOfRow = new Int32Array(rowCount); // visible line of a row, -1 when hidden

function layoutRows() {
  const shown = [];
  for (let r = 0; r < rowCount;) {
    shown.push(r);
    r = collapsed[r] ? rows.end[r] : r + 1;
  }
  visibleRows = Int32Array.from(shown);
  lineOfRow.fill(-1);
  visibleRows.forEach((r, line) => { lineOfRow[r] = line; });
}

function hasChildren(r) {
  return rows.end[r] > r + 1;
}

// Shows row r: expands every collapsed ancestor.
function reveal(r) {
  for (let p = rows.parent[r]; p >= 0; p = rows.parent[p]) collapsed[p] = 0;
  layoutRows();
}

// Index of the first element of sorted that is not below t (after t, when strictly).
function lowerBound(sorted, t, strictly = false) {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < t || (strictly && sorted[mid] === t)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// A step function as parallel arrays: value[k] holds from time[k] to time[k + 1]. Built from
// edges (a time and a change of level each): the distinct times sorted (a native numeric
// sort, no comparator: fast at 100k executions), each edge's change added at its time.
function stepSeries(times, deltas) {
  const sorted = Float64Array.from(times).sort();
  let n = 0;
  for (let k = 0; k < sorted.length; k++) if (n === 0 || sorted[k] !== sorted[n - 1]) sorted[n++] = sorted[k];
  const time = sorted.subarray(0, n), value = new Float64Array(n);
  for (let k = 0; k < times.length; k++) value[lowerBound(time, times[k])] += deltas[k];
  for (let k = 1; k < n; k++) value[k] += value[k - 1];
  return { time, value };
}

// Executions running at each instant: over [start, end), an instant one over its microsecond
// (as the report's peak counts it).
function runningSeries() {
  const times = new Float64Array(2 * execCount), deltas = new Float64Array(2 * execCount);
  for (let i = 0; i < execCount; i++) {
    times[2 * i] = exec.start[i];
    deltas[2 * i] = 1;
    times[2 * i + 1] = Math.max(exec.end[i], exec.start[i] + 1);
    deltas[2 * i + 1] = -1;
  }
  return stepSeries(times, deltas);
}

// CPU cores in use: each sample spreads its CPU time evenly since the previous sample of the
// same execution (or the execution's start).
function coresSeries() {
  const s = data.samples, count = s.exec.length;
  const times = new Float64Array(2 * count), deltas = new Float64Array(2 * count);
  let n = 0;
  for (let k = 0; k < count; k++) {
    const i = s.exec[k], first = k === 0 || s.exec[k - 1] !== i;
    const from = first ? exec.start[i] : s.ts[k - 1], to = s.ts[k];
    const cpu = s.cpu[k] - (first ? 0 : s.cpu[k - 1]);
    if (to > from && cpu > 0) {
      times[n] = from;
      deltas[n++] = cpu / (to - from);
      times[n] = to;
      deltas[n++] = -cpu / (to - from);
    }
  }
  return stepSeries(times.subarray(0, n), deltas.subarray(0, n));
}

const running = runningSeries();
const cores = coresSeries();
const hasSamples = data.samples.exec.length > 0;

// The highest value of a series over [from, to).
function seriesMax(series, from, to) {
  const { time, value } = series;
  const lo = lowerBound(time, from, true);
  let best = lo > 0 ? value[lo - 1] : 0;
  for (let k = lo; k < time.length && time[k] < to; k++) best = Math.max(best, value[k]);
  return best;
}

function peakOf(series) {
  let peak = 0;
  for (const v of series.value) peak = Math.max(peak, v);
  return peak;
}

// Search: executions whose command line (or an argument) holds the query, case-insensitive.
let matches = new Uint8Array(execCount);
let matchList = [];

function search(query) {
  matches = new Uint8Array(execCount);
  matchList = [];
  const needle = query.toLowerCase();
  if (!needle) return 0;
  const hit = new Uint8Array(strings.length);
  strings.forEach((s, k) => { if (s.toLowerCase().includes(needle)) hit[k] = 1; });
  for (let i = 0; i < execCount; i++) {
    if (hit[exec.cmdline[i]] || exec.argv[i].some((k) => hit[k])) {
      matches[i] = 1;
      matchList.push(i);
    }
  }
  return matchList.length;
}
