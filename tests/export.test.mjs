// pipetrace export (docs/export.md): the HTML timeline opened in headless Chromium with every
// network request refused, the Perfetto trace decoded with protobufjs against the field
// numbers of Perfetto's public protos (tests/perfetto_subset.proto), the Chrome JSON parsed
// and its nesting checked, and the Markdown report's Mermaid gantt. Datasets come from real
// traced runs and from tests/tools/report_fixture.c (fixed shapes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { chromium } from 'playwright-core';
import { PIPETRACE, REPO, tool, tempDir, cleanup, runPipetrace } from './lib/pipetrace.mjs';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { num } from './lib/readers.mjs';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const TraceMessage = protobuf.loadSync(path.join(REPO, 'tests', 'perfetto_subset.proto'))
  .lookupType('perfetto_subset.Trace');
const SLICE_BEGIN = 1, SLICE_END = 2, INSTANT = 3, COUNTER = 4;

let work, fanout, traced, browser;

// A table read by hyparquet, timestamps as BigInt nanoseconds (DuckDB reads them as
// microseconds), sorted.
async function tableRows(dir, name, order) {
  const file = await asyncBufferFromFile(path.join(dir, `${name}.parquet`));
  const rows = await parquetReadObjects({ file, compressors, parsers: { timestampFromNanoseconds: (ns) => ns } });
  return rows.sort(order);
}

const byId = (a, b) => Number(a.exec_id - b.exec_id);
const processRows = (dir) => tableRows(dir, 'processes', byId);
const sampleRows = (dir) => tableRows(dir, 'cpu_samples', (a, b) => byId(a, b) || Number(a.ts - b.ts));

function pipetrace(args) {
  return spawnSync(PIPETRACE, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
}

function fixture(name, ...args) {
  const dir = path.join(work, `${name}${args.join('-')}`);
  const r = spawnSync(tool('report_fixture'), [dir, name, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

function exportTo(dir, format, ...options) {
  const file = path.join(work, `${path.basename(dir)}.${format}`);
  const r = pipetrace(['export', dir, '--format', format, '-o', file, ...options]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return file;
}

// A real run: a fan-out of CPU burners, an exec chain, a failure, and a command line with
// markup, quotes, a backslash and a newline in it.
const HOSTILE = 'printf "%s" "</script><img src=x onerror=alert(1)> \\"q\\" \\\\ \n end" >/dev/null';
before(() => {
  work = tempDir('pipetrace-export-');
  fanout = fixture('fanout');
  const script = `${tool('spin')} 150 & ${tool('spin')} 150 & sh -c 'exec ${tool('spin')} 100'; ` +
    `sh -c 'exit 3'; sh -c '${HOSTILE.replaceAll("'", "'\\''")}'; wait`;
  const r = runPipetrace(['sh', '-c', script], { options: ['--interval', '20ms', '-q'] });
  assert.equal(r.status, 0, r.stderr);
  traced = r.out;
});

after(async () => {
  await browser?.close();
  cleanup();
});

async function openPage(file) {
  browser ??= await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  const problems = [], requests = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `file://${file}`) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => document.body.dataset.rendered === 'true', null, { timeout: 60000 });
  return { page, problems, requests };
}

// How many pixels of a canvas have this colour (within a small tolerance).
function countColour(page, canvasId, hex) {
  return page.evaluate(([id, colour]) => {
    const canvas = document.getElementById(id);
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const want = [1, 3, 5].map((k) => parseInt(colour.slice(k, k + 2), 16));
    let count = 0;
    for (let p = 0; p < pixels.length; p += 4) {
      if (want.every((v, c) => Math.abs(pixels[p + c] - v) <= 6) && pixels[p + 3] > 200) count++;
    }
    return count;
  }, [canvasId, hex]);
}

async function clickExecution(page, execId) {
  const index = await page.evaluate((id) => window.pipetraceTimeline.indexOfExecId(id), execId);
  assert.ok(index >= 0, `exec_id ${execId} is in the page`);
  const at = await page.evaluate((i) => window.pipetraceTimeline.scrollToExecution(i), index);
  await page.mouse.click(at.x, at.y);
  await page.waitForFunction(() => !document.getElementById('details').hidden);
  return page.evaluate(() => ({
    title: document.getElementById('details-title').textContent,
    argv: [...document.querySelectorAll('#details-argv li')].map((li) => li.textContent),
    fields: Object.fromEntries([...document.querySelectorAll('#details-fields dt')]
      .map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
  }));
}

test('html: the fixture opens offline, draws its bars, shows details on click and finds by search', async () => {
  const file = exportTo(fanout, 'html');
  const { page, problems, requests } = await openPage(file);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, []);
  const figures = await page.locator('#figures').innerText();
  assert.match(figures, /wall time\s+10\.0 s/);
  assert.match(figures, /executions\s+15 \(2 failed\)/);
  assert.match(figures, /lost events\s+3/);
  // Normal, critical-path and failed bars are drawn; the utilisation chart has its area.
  for (const colour of ['#5b8ff9', '#f08c00', '#e03131']) {
    assert.ok(await countColour(page, 'gantt', colour) > 200, `bars of ${colour}`);
  }
  assert.ok(await countColour(page, 'usage', '#3d6fd9') > 50, 'running executions drawn');
  const details = await clickExecution(page, 7);
  assert.equal(details.title, 'cc -O2 b.c');
  assert.deepEqual(details.argv, ['cc', '-O2', 'b.c']);
  assert.equal(details.fields['pid / ppid'], '1007 / 999');
  assert.equal(details.fields['critical path'], 'yes');
  assert.equal(details.fields['CPU user'], '4.05 s');
  await page.fill('#search', 'GZIP -9');
  await page.waitForFunction(() => document.getElementById('matches').textContent === '3 matches');
  assert.ok(await countColour(page, 'gantt', '#fab005') > 100, 'matches highlighted');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('details-title').textContent === 'gzip -9 part');
  const shot = path.join(work, 'fanout.png');
  await page.screenshot({ path: shot });
  assert.ok(fs.statSync(shot).size > 10000);
  await page.close();
});

test('html: wheel, drag and keys zoom and pan; hover summarises; a subtree collapses', async () => {
  const { page, problems } = await openPage(exportTo(fanout, 'html'));
  const view = () => page.evaluate(() => window.pipetraceTimeline.view());
  const box = await page.locator('#gantt').boundingBox();
  const whole = await view();
  assert.deepEqual([whole.from, whole.to], [0, 10e6], 'the whole run, in microseconds');
  await page.mouse.move(box.x + 300 + (box.width - 300) / 2, box.y + 100);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -500);
  await page.keyboard.up('Control');
  const zoomed = await view();
  assert.ok(zoomed.to - zoomed.from < 5e6, `ctrl+wheel zooms in: ${JSON.stringify(zoomed)}`);
  await page.mouse.move(box.x + 700, box.y + 150);
  await page.mouse.down();
  await page.mouse.move(box.x + 500, box.y + 150, { steps: 5 });
  await page.mouse.up();
  const dragged = await view();
  assert.ok(dragged.from > zoomed.from, 'dragging left pans later in time');
  assert.ok(Math.abs((dragged.to - dragged.from) - (zoomed.to - zoomed.from)) < 1, 'at the same zoom');
  await page.locator('#gantt').focus();
  await page.keyboard.press('s');
  assert.ok((await view()).to - (await view()).from > dragged.to - dragged.from, 'S zooms out');
  await page.keyboard.press('0');
  assert.deepEqual([(await view()).from, (await view()).to], [0, 10e6], '0 shows the whole run');
  // Hover over make -C c (exec_id 5): the summary names it and its status.
  const at = await page.evaluate((i) => window.pipetraceTimeline.scrollToExecution(i),
    await page.evaluate(() => window.pipetraceTimeline.indexOfExecId(5)));
  await page.mouse.move(at.x, at.y);
  await page.waitForFunction(() => !document.getElementById('tooltip').hidden);
  assert.match(await page.locator('#tooltip').innerText(), /^make -C c\n.*\n.*\nexit 2$/s);
  // The triangle left of "sh package.sh" folds its three gzip children away.
  const rows = (await view()).rows;
  const y = await page.evaluate((i) => window.pipetraceTimeline.scrollToExecution(i).y,
    await page.evaluate(() => window.pipetraceTimeline.indexOfExecId(9)));
  await page.mouse.click(box.x + 20, y);
  assert.equal((await view()).rows, rows - 3);
  assert.deepEqual(problems, []);
  await page.close();
});

test('html: a traced run with cpu_samples draws the cores in use; a hostile command line stays text', async () => {
  const file = exportTo(traced, 'html');
  const { page, problems, requests } = await openPage(file);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, []);
  assert.ok(await countColour(page, 'usage', '#2f9e44') > 20, 'CPU cores drawn');
  const rows = await processRows(traced);
  const hostile = rows.find((r) => r.argv.at(-1)?.includes('</script>'));
  const details = await clickExecution(page, num(hostile.exec_id));
  assert.deepEqual(details.argv, [...hostile.argv]);
  assert.equal(await page.locator('img').count(), 0, 'no markup from the dataset');
  const failed = rows.find((r) => num(r.exit_code) === 3);
  assert.equal((await clickExecution(page, num(failed.exec_id))).fields.status, 'exit 3 (exit)');
  await page.screenshot({ path: path.join(work, 'traced.png') });
  await page.close();
});

function decodePerfetto(file) {
  const trace = TraceMessage.toObject(TraceMessage.decode(fs.readFileSync(file)), { longs: String });
  const names = new Map(), annotationNames = new Map();
  for (const p of trace.packet) {
    for (const n of p.internedData?.eventNames ?? []) names.set(n.iid, n.name);
    for (const n of p.internedData?.debugAnnotationNames ?? []) annotationNames.set(n.iid, n.name);
  }
  const tracks = new Map(trace.packet.filter((p) => p.trackDescriptor)
    .map((p) => [p.trackDescriptor.uuid, p.trackDescriptor]));
  const events = trace.packet.filter((p) => p.trackEvent).map((p) => ({
    ...p.trackEvent, ts: BigInt(p.timestamp), name: names.get(p.trackEvent.nameIid),
    args: Object.fromEntries((p.trackEvent.debugAnnotations ?? []).map((a) => [annotationNames.get(a.nameIid),
      a.arrayValues ? a.arrayValues.map((v) => v.stringValue) : a.stringValue ?? Number(a.intValue)])),
  }));
  assert.equal(trace.packet[0].sequenceFlags, 1, 'the first packet clears the incremental state');
  assert.ok(trace.packet.every((p) => p.trustedPacketSequenceId === 1));
  return { tracks, events };
}

test('perfetto: a slice per execution on its process track, nested along the tree; counters equal cpu_samples', async () => {
  for (const dir of [traced, fanout]) {
    const { tracks, events } = decodePerfetto(exportTo(dir, 'perfetto'));
    const rows = await processRows(dir);
    const begins = events.filter((e) => e.type === SLICE_BEGIN);
    assert.equal(begins.length, rows.length, 'one slice per execution');
    assert.equal(events.filter((e) => e.type === SLICE_END).length, rows.length);
    const trackOf = new Map();
    for (const row of rows) {
      const slice = begins.filter((e) => e.args.exec_id === num(row.exec_id));
      assert.equal(slice.length, 1, `exec_id ${row.exec_id}`);
      assert.deepEqual(slice[0].args.argv, [...row.argv]);
      assert.equal(slice[0].args.pid, num(row.pid));
      assert.equal(slice[0].args.cpu_user_ns, num(row.cpu_user_ns));
      assert.equal(slice[0].ts, row.start_time);
      trackOf.set(num(row.exec_id), slice[0].trackUuid);
    }
    // An exec chain shares its track; a child's track hangs under its parent's.
    for (const row of rows) {
      const own = trackOf.get(num(row.exec_id));
      if (row.prev_exec_id != null) assert.equal(own, trackOf.get(num(row.prev_exec_id)));
      else if (row.parent_exec_id != null && trackOf.has(num(row.parent_exec_id))) {
        assert.equal(tracks.get(own).parentUuid, trackOf.get(num(row.parent_exec_id)));
      }
    }
    const failures = rows.filter((r) => (r.exit_code != null && num(r.exit_code) !== 0) || r.signal != null);
    assert.equal(events.filter((e) => e.type === INSTANT).length, failures.length, 'an instant per failure');
    // Counters: RSS equals each sample's rss_kb (KiB, multiplier 1024); CPU is the rate between samples.
    const samples = await sampleRows(dir);
    assert.ok(samples.length > 0);
    const counters = events.filter((e) => e.type === COUNTER);
    const withRss = samples.filter((s) => s.rss_kb != null);
    assert.equal(counters.length, samples.length + withRss.length, 'CPU per sample, RSS when known');
    const startOf = new Map(rows.map((r) => [num(r.exec_id), r.start_time]));
    let previous = null;
    for (const s of samples) {
      const execId = num(s.exec_id), ts = s.ts;
      const processTrack = trackOf.get(execId);
      const onTrack = (name) => [...tracks.values()].find((t) => t.parentUuid === processTrack && t.name === name).uuid;
      const at = (uuid) => counters.filter((c) => c.trackUuid === uuid && c.ts === ts);
      if (s.rss_kb != null) {
        const rss = at(onTrack('RSS'));
        assert.ok(rss.some((c) => Number(c.counterValue) === num(s.rss_kb)), `RSS of ${execId} at ${ts}`);
      }
      const first = previous === null || previous.exec_id !== s.exec_id;
      const from = first ? startOf.get(execId) : previous.ts;
      const cpu = num(s.cpu_ns) - (first ? 0 : num(previous.cpu_ns));
      const rate = ts > from ? cpu / Number(ts - from) : 0;
      assert.ok(at(onTrack('CPU (cores)')).some((c) => Math.abs(c.doubleCounterValue - rate) < 1e-9),
        `CPU rate of ${execId} at ${ts}`);
      previous = s;
    }
  }
});

// Every track's X events nest: sorted by start (longer first), each ends within the last open one.
// Times are microseconds printed to the nanosecond, so sums of them compare within a tenth of one
// (0.1 + 0.2 is not 0.3 in a double): an image ending where the next begins is not an overlap.
const HALF_RESOLUTION_US = 1e-4;
function assertNesting(events) {
  const byTrack = new Map();
  for (const e of events) byTrack.set(`${e.pid}/${e.tid}`, [...(byTrack.get(`${e.pid}/${e.tid}`) ?? []), e]);
  for (const [track, slices] of byTrack) {
    slices.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const open = [];
    for (const e of slices) {
      while (open.length && open.at(-1) <= e.ts + HALF_RESOLUTION_US) open.pop();
      if (open.length) assert.ok(e.ts + e.dur <= open.at(-1) + HALF_RESOLUTION_US, `track ${track}: ${e.name} overlaps`);
      open.push(e.ts + e.dur);
    }
  }
}

test('chrome: one complete event per execution, nesting valid on every track, any argv escaped', async () => {
  for (const dir of [traced, fanout, fixture('links')]) {
    const trace = JSON.parse(fs.readFileSync(exportTo(dir, 'chrome'), 'utf8'));
    const rows = await processRows(dir);
    const complete = trace.traceEvents.filter((e) => e.ph === 'X');
    assert.equal(complete.length, rows.length, 'one X event per execution');
    assert.deepEqual(complete.map((e) => e.args.exec_id).sort((a, b) => a - b),
      rows.map((r) => num(r.exec_id)).sort((a, b) => a - b));
    for (const row of rows) {
      const e = complete.find((c) => c.args.exec_id === num(row.exec_id) && c.args.duration_ns === num(row.duration_ns));
      assert.deepEqual(e.args.argv, [...row.argv], 'argv through JSON escaping');
    }
    assertNesting(complete);
    const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name');
    assert.equal(new Set(names.map((e) => e.pid)).size, names.length, 'one named track per process');
    assert.ok(complete.every((e) => names.some((n) => n.pid === e.pid)));
  }
  const trace = JSON.parse(fs.readFileSync(exportTo(traced, 'chrome'), 'utf8'));
  const counters = trace.traceEvents.filter((e) => e.ph === 'C');
  const samples = await sampleRows(traced);
  assert.equal(counters.filter((c) => c.name === 'CPU').length, samples.length);
  const sorted = (values) => values.sort((a, b) => a - b);
  assert.deepEqual(sorted(counters.filter((c) => c.name === 'RSS').map((c) => c.args.rss_kb)),
    sorted(samples.filter((s) => s.rss_kb != null).map((s) => num(s.rss_kb))));
});

function mermaidBlock(markdown) {
  const match = markdown.match(/\n```mermaid\n([\s\S]*?)\n```\n/);
  assert.ok(match, 'a mermaid block');
  return match[1];
}

test('report --format markdown: a Mermaid gantt of the critical path, within its cap', () => {
  const r = pipetrace(['report', fanout, '--format', 'markdown']);
  assert.equal(r.status, 0, r.stderr);
  const block = mermaidBlock(r.stdout);
  const bars = block.split('\n').filter((l) => / :crit, step\d+, \d+, \d+$/.test(l));
  assert.deepEqual(block.split('\n').slice(0, 4), ['gantt', '  title Critical path', '  dateFormat x',
    '  axisFormat %H:%M:%S']);
  assert.equal(bars.length, 9);
  assert.equal(bars[3], '  make -C b :crit, step4, 1700000001200, 1700000007200');
  // The python step's name: shortened, with Mermaid's syntax characters (the backtick) blanked.
  assert.ok(!/[`;#]/.test(bars[2].split(' :crit')[0]));
  const big = pipetrace(['report', fixture('chain', 3000), '--format', 'markdown', '--top', '1000']);
  const capped = mermaidBlock(big.stdout);
  assert.equal(capped.split('\n').filter((l) => l.includes(':crit,')).length, 20, 'at most 20 bars');
  assert.ok(Buffer.byteLength(capped) < 3072, `${Buffer.byteLength(capped)} bytes`);
  assert.doesNotMatch(pipetrace(['report', fanout]).stdout, /mermaid/, 'not in the text report');
});

test('report: a newline in a command line shows as \\n in the Markdown tables', async () => {
  const r = pipetrace(['report', traced, '--format', 'markdown']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\\n end/);
  assert.doesNotMatch(r.stdout, /\?\? end|\? end/);
});

test('export: usage errors, unreadable datasets and runs to choose', () => {
  const out = path.join(work, 'x.html');
  const cases = [
    [['export', fanout, '-o', out], 2, /no format given/],
    [['export', fanout, '--format', 'svg', '-o', out], 2, /--format takes 'html', 'perfetto' or 'chrome', not 'svg'; try 'pipetrace export --help'/],
    [['export', fanout, '--format', 'html'], 2, /no output file given/],
    [['export', '--format', 'html', '-o', out], 2, /one dataset folder is needed/],
    [['export', fanout, fanout, '--format', 'html', '-o', out], 2, /one dataset folder is needed/],
    [['export', path.join(work, 'missing'), '--format', 'html', '-o', out], 1, /missing: No such file/],
    [['export', fixture('merged'), '--format', 'chrome', '-o', out], 1, /holds 2 runs; choose one with --run RUN_ID/],
    [['export', fixture('merged'), '--format', 'chrome', '-o', out, '--run', 'nope'], 1, /no run "nope"/],
    [['export', fanout, '--format', 'chrome', '-o', path.join(work, 'no', 'such', 'dir.json')], 1,
      /cannot write .*dir\.json: No such file or directory/],
  ];
  for (const [args, status, message] of cases) {
    const r = pipetrace(args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.ok(!fs.existsSync(out));
  }
  assert.deepEqual(fs.readdirSync(work).filter((f) => f.includes('.partial-')), [], 'no partial file left');
  const chosen = exportTo(fixture('merged'), 'chrome', '--run', 'fixture-b');
  const events = JSON.parse(fs.readFileSync(chosen, 'utf8')).traceEvents.filter((e) => e.ph === 'X');
  assert.equal(events.length, 11, "the run's executions only");
  const help = pipetrace(['export', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--format FORMAT/);
  assert.match(pipetrace(['--help']).stdout, /export DIR --format FORMAT -o FILE/);
});
