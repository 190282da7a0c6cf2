// Journey: a large ZIP goes through the resumable (tus) upload. (1) In the wizard the network drops
// after the first chunk; when it is back the upload continues from the server's offset, not from 0.
// (2) On the case page the page is reloaded mid-upload; choosing the same file again resumes it.
import assert from 'node:assert/strict';
import { demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

const dropZip = process.env.LARGE_ZIP;
const reloadZip = process.env.LARGE_ZIP_2;
const instances = Number(process.env.LARGE_ZIP_INSTANCES ?? 0);
if (!dropZip || !reloadZip || !instances) throw new Error('Set LARGE_ZIP, LARGE_ZIP_2 and LARGE_ZIP_INSTANCES');
const CHUNK = 4 * 1024 * 1024;

/** Records every tus request (method, Upload-Offset) and lets the journey cut the connection. */
function tusTraffic(page) {
  const state = { requests: [], cut: false, patches: 0, cutAtPatch: null, uploadUrl: null, caseId: null };
  page.on('response', (response) => {
    const req = response.request();
    if (req.method() === 'POST' && /\/api\/cases\/[^/]+\/tus$/.test(req.url()) && response.status() === 201) {
      state.uploadUrl = response.headers().location;
      state.caseId = /\/api\/cases\/([^/]+)\/tus/.exec(req.url())[1];
    }
  });
  const handler = async (route) => {
    const req = route.request();
    if (req.method() === 'PATCH') {
      state.patches += 1;
      if (state.patches === state.cutAtPatch) state.cut = true;
    }
    state.requests.push({ method: req.method(), offset: req.headers()['upload-offset'] ?? null, cut: state.cut });
    if (state.cut) return route.abort('internetdisconnected');
    return route.continue();
  };
  return { state, install: () => page.route('**/api/cases/*/tus**', handler) };
}

async function serverOffset(page, uploadUrl) {
  const head = await page.context().request.fetch(uploadUrl, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
  assert.equal(head.status(), 200);
  return Number(head.headers()['upload-offset']);
}

await journey('portal-resumable-upload', async ({ open }) => {
  const page = await open();
  await signIn(page, demo('patient'));
  await page.goto('/cases/new');
  await page.getByLabel('Title').fill(`Large CT ${uniqueSuffix()}`);
  await page.getByLabel('Your question for the specialist').fill('Please compare with the old scan.');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /Images/ }).waitFor();

  // (1) The connection drops on the second chunk and comes back a few seconds later.
  const drop = tusTraffic(page);
  drop.state.cutAtPatch = 2;
  await drop.install();
  await page.getByLabel('Files to upload').setInputFiles(dropZip);
  const until = Date.now() + 60000;
  while (!drop.state.cut && Date.now() < until) await page.waitForTimeout(100);
  assert.ok(drop.state.cut, 'the second chunk was never sent');
  await page.waitForTimeout(2500); // a few retries fail while offline
  await page.getByText('The connection dropped. Trying again').waitFor();
  const kept = await serverOffset(page, drop.state.uploadUrl);
  assert.equal(kept, CHUNK, `the server kept ${kept} bytes before the cut`);
  await screenshot(page, 'portal-upload-01-offline');
  drop.state.cut = false;
  await page.getByText('Uploaded 1 of 1 files').waitFor({ timeout: 120000 });
  const summary = await page.locator('.upload-summary').innerText();
  assert.match(summary, new RegExp(`^${instances} stored`), summary);
  const patches = drop.state.requests.filter((r) => r.method === 'PATCH' && !r.cut);
  const posts = drop.state.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 1, 'the upload was created once');
  assert.deepEqual(
    patches.map((r) => Number(r.offset)),
    Array.from({ length: patches.length }, (_, i) => i * CHUNK),
    `each chunk was sent once, from the server's offset: ${JSON.stringify(drop.state.requests)}`,
  );
  assert.ok(drop.state.requests.some((r) => r.method === 'HEAD' && !r.cut), 'the client asked the server for its offset');
  console.log(`after the cut: ${patches.length} PATCH requests, offsets ${patches.map((r) => r.offset).join(', ')}`);
  await screenshot(page, 'portal-upload-02-resumed-done');
  const caseId = drop.state.caseId;
  await page.unrouteAll();

  // (2) On the case page, the page is reloaded while the second chunk is on its way.
  await page.goto(`/cases/${caseId}`);
  await page.getByRole('button', { name: 'Add images' }).click();
  const first = tusTraffic(page);
  first.state.cutAtPatch = 2;
  await first.install();
  await page.getByLabel('Files to upload').setInputFiles(reloadZip);
  const until2 = Date.now() + 60000;
  while (!first.state.cut && Date.now() < until2) await page.waitForTimeout(100);
  assert.ok(first.state.cut, 'the second chunk was never sent');
  console.log('storage before reload', await page.evaluate(() => Object.keys(localStorage)));
  await page.reload();
  await page.unrouteAll();
  console.log('storage after reload', await page.evaluate(() => Object.keys(localStorage)));
  assert.equal(await serverOffset(page, first.state.uploadUrl), CHUNK);

  const second = tusTraffic(page);
  await second.install();
  const notice = page.getByRole('status', { name: 'Unfinished uploads' });
  await notice.getByText(/4\.0 MB of \d+ MB uploaded/).waitFor();
  await screenshot(page, 'portal-upload-03-after-reload');
  await page.getByLabel('Files to upload').setInputFiles(reloadZip);
  await page.getByText('Uploaded 1 of 1 files').waitFor({ timeout: 120000 });
  const after = await page.locator('.upload-summary').innerText();
  assert.match(after, new RegExp(`^${instances} stored`), after);
  const resumed = second.state.requests;
  assert.equal(resumed.filter((r) => r.method === 'POST').length, 0, `no new upload was created: ${JSON.stringify(resumed)}`);
  assert.equal(resumed[0].method, 'HEAD', 'the client first asked for the offset');
  assert.equal(Number(resumed.find((r) => r.method === 'PATCH').offset), CHUNK, 'it resumed at the offset');
  console.log(`after the reload: ${resumed.map((r) => `${r.method}@${r.offset ?? '-'}`).join(' ')}`);
  await notice.waitFor({ state: 'detached' });
  await screenshot(page, 'portal-upload-04-reload-resumed-done');
});
