// The browser half of bench/bench_viewer.py: time to the viewer's first image and to the whole stack.
// Run from frontend/ (its node_modules holds playwright-core):
//   node ../bench/viewer_ttfi.mjs '{"origin": "...", "path": "/cases/<id>/viewer?study=…&series=…",
//                                   "email": "...", "password": "...", "runs": 5, "timeoutMs": 60000,
//                                   "trace": "/tmp/trace.json" (optional: a Chrome trace of the first cold run)}'
// Signs in once, then per run: a NEW browser context (empty HTTP cache, same session cookie) navigates
// straight to the viewer, waits for performance.mark('viewer:first-image') and ('viewer:stack-loaded'),
// then reloads once in that context (warm cache). Prints one JSON line per navigation: the marks'
// startTime (ms from navigation start) and every resource's timing and size.
import { launch } from '../frontend/e2e/lib.mjs';

const config = JSON.parse(process.argv[2] ?? '{}');
for (const key of ['origin', 'path', 'email', 'password']) {
  if (!config[key]) throw new Error(`missing "${key}" in the JSON argument`);
}
const runs = Number(config.runs ?? 5);
const timeout = Number(config.timeoutMs ?? 60000);
const VIEWPORT = { width: 1280, height: 860 };
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-v8.cpu_profiler',
  'v8.execute',
  'v8',
  'blink.user_timing',
  'loading',
  'toplevel',
  '__metadata',
];

function collect() {
  const mark = (name) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? null;
  return {
    firstImage: mark('viewer:first-image'),
    stackLoaded: mark('viewer:stack-loaded'),
    // Every viewer:* mark (the steps before the first image, see frontend/src/viewer/engine.ts).
    marks: Object.fromEntries(
      performance.getEntriesByType('mark').filter((m) => m.name.startsWith('viewer:')).map((m) => [m.name, m.startTime]),
    ),
    resources: performance.getEntriesByType('resource').map((r) => {
      const url = new URL(r.name);
      return {
        path: url.pathname + url.search,
        start: r.startTime,
        responseStart: r.responseStart,
        end: r.responseEnd,
        transfer: r.transferSize,
        body: r.encodedBodySize,
      };
    }),
  };
}

async function measure(page, phase, run, navigate) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().includes('/api/')) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  await navigate();
  try {
    await page.waitForFunction(() => performance.getEntriesByName('viewer:stack-loaded', 'mark').length > 0, null, {
      timeout,
      polling: 50,
    });
  } catch (error) {
    const partial = await page.evaluate(collect).catch(() => null);
    if (config.screenshot) await page.screenshot({ path: config.screenshot.replace(/\.png$/, '-failure.png') });
    throw new Error(
      `${phase} run ${run}: no viewer:stack-loaded mark within ${timeout} ms (first image: ${partial?.firstImage}, ` +
        `${partial?.resources.length} requests); problems: ${problems.join('; ') || 'none'}`,
      { cause: error },
    );
  }
  const result = await page.evaluate(collect);
  if (result.firstImage === null) throw new Error(`${phase} run ${run}: stack loaded but no viewer:first-image mark`);
  console.log(JSON.stringify({ phase, run, problems, ...result }));
}

const browser = await launch();
try {
  const login = await browser.newContext({ baseURL: config.origin });
  const answer = await login.request.post('/api/auth/login', { data: { email: config.email, password: config.password } });
  if (!answer.ok()) throw new Error(`sign-in failed: HTTP ${answer.status()} ${await answer.text()}`);
  const storageState = await login.storageState();
  await login.close();

  for (let run = 0; run < runs; run += 1) {
    const context = await browser.newContext({ baseURL: config.origin, viewport: VIEWPORT, storageState });
    // The default buffer (250 entries) is too small for 200 frames plus the app's own requests.
    await context.addInitScript(() => performance.setResourceTimingBufferSize(5000));
    const page = await context.newPage();
    // A Chrome performance trace of the first cold navigation (main thread, workers, CPU samples), when asked.
    const tracing = run === Number(process.env.BENCH_TRACE_RUN ?? 0) && config.trace;
    if (tracing) await browser.startTracing(page, { path: config.trace, categories: TRACE_CATEGORIES });
    await measure(page, 'cold', run, () => page.goto(config.path, { waitUntil: 'commit' }));
    if (tracing) await browser.stopTracing();
    if (run === 0 && config.screenshot) await page.screenshot({ path: config.screenshot });
    await measure(page, 'warm', run, () => page.reload({ waitUntil: 'commit' }));
    await context.close();
  }
} finally {
  await browser.close();
}
