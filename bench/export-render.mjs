// bench/export-render.mjs FILE.html — prints the best of 3 times to first render, in ms: the
// page's performance.now() (from navigation start) when its first frame is drawn, in headless
// Chromium with every network request refused.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const tests = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'node_modules');
const { chromium } = await import(path.join(tests, 'playwright-core', 'index.mjs'));
const file = path.resolve(process.argv[2]);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let best = Infinity;
for (let i = 0; i < 3; i++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.route('**/*', (route) => (route.request().url() === `file://${file}` ? route.continue() : route.abort()));
  await page.goto(`file://${file}`, { timeout: 120000 });
  await page.waitForFunction(() => document.body.dataset.rendered === 'true', null, { timeout: 120000 });
  best = Math.min(best, await page.evaluate(() => window.pipetraceTimeline.firstRenderMs));
  await page.close();
}
await browser.close();
console.log(best.toFixed(0));
