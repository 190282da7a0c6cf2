// Journey: the patient opens a consult, uploads a CT series in the wizard (per-file progress and
// results), submits, and reads it in the viewer: scroll, window presets, a length measurement.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

const folder = process.env.SAMPLE_DICOM_DIR;
if (!folder) throw new Error('Set SAMPLE_DICOM_DIR to a folder of DICOM files');
const files = readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(folder, f));

await journey('patient-uploads-and-views', async ({ open }) => {
  const page = await open();
  const title = `CT phantom ${uniqueSuffix()}`;
  await signIn(page, demo('patient'));
  await page.goto('/cases/new');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Your question for the specialist').fill('Is this lesion worrying?');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();

  // Upload step: every file gets a progress bar and a result.
  await page.getByRole('heading', { name: /Images/ }).waitFor();
  await page.getByLabel('Files to upload').setInputFiles(files);
  await page.getByText(`Uploaded ${files.length} of ${files.length} files`).waitFor({ timeout: 60000 });
  const summary = await page.locator('.upload-summary').innerText();
  assert.match(summary, new RegExp(`^${files.length} stored`), summary);
  await screenshot(page, 'upload-01-wizard-done');

  // Sending the same files again stores nothing twice.
  await page.getByRole('button', { name: 'Clear finished' }).click();
  await page.getByLabel('Files to upload').setInputFiles(files.slice(0, 2));
  await page.getByText('Uploaded 2 of 2 files').waitFor({ timeout: 30000 });
  assert.match(await page.locator('.upload-summary').innerText(), /0 stored · 2 already there/);

  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('checkbox', { name: /I consent/ }).check();
  await page.getByRole('button', { name: 'Submit consult' }).click();
  await page.getByRole('heading', { name: title, level: 1 }).waitFor();

  // The case page lists the study; the viewer opens it.
  const images = page.getByRole('region', { name: 'Images' });
  await images.getByText('CT PHANTOM').first().waitFor();
  await screenshot(page, 'upload-02-case-images');
  // Cornerstone's chunk held back for a moment: the pane shows the server-rendered preview of the slice first.
  let releaseEngine = () => {};
  const engineHeld = new Promise((resolve) => {
    releaseEngine = resolve;
  });
  await page.route(/\/assets\/engine-[^/]*\.js$/, async (route) => {
    await engineHeld;
    await route.continue();
  });
  await images.getByRole('link', { name: 'Open viewer' }).first().click();
  const preview = page.getByTestId('viewport-preview');
  await preview.waitFor();
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid="viewport-preview"]');
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
  });
  assert.match(await preview.getAttribute('src'), /\/instances\/[0-9.]+\/frames\/1\/rendered$/);
  await page.getByText('Preview · loading full quality…').waitFor();
  await screenshot(page, 'upload-03-viewer-preview');
  releaseEngine();
  const indicator = page.getByTestId('slice-indicator');
  await indicator.waitFor({ timeout: 30000 });
  await page.waitForFunction(() => {
    const canvas = document.querySelector('[data-testid="viewport"] canvas');
    return !!canvas && canvas.width > 0;
  });
  // Cornerstone's own rendering replaces the preview.
  await preview.waitFor({ state: 'detached' });
  await page.unroute(/\/assets\/engine-[^/]*\.js$/);
  const start = await indicator.innerText();
  const m = /Image (\d+) \/ (\d+)/.exec(start);
  assert.ok(m, start);
  assert.equal(Number(m[2]), files.length);
  await page.getByTestId('viewport').click();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="slice-indicator"]')?.textContent?.includes(`Image ${n} /`),
    Number(m[1]) + 1,
  );
  await page.getByTestId('window-indicator').waitFor();
  await page.getByLabel('Window preset').selectOption('lung');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="window-indicator"]')?.textContent?.includes('C -600 / W 1500'),
  );
  await screenshot(page, 'viewer-01-lung-window');
  await page.getByLabel('Window preset').selectOption('abdomen');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="window-indicator"]')?.textContent?.includes('C 40 / W 400'),
  );

  // Draw a length measurement across the body.
  await page.getByRole('button', { name: 'Length' }).click();
  const box = await page.getByTestId('viewport').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx - 120, cy);
  await page.mouse.down();
  await page.mouse.move(cx, cy, { steps: 8 });
  await page.mouse.move(cx + 120, cy, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => /\d+(\.\d+)?\s*mm/.test(document.querySelector('[data-testid="viewport"] svg')?.textContent ?? ''));
  await page.getByRole('button', { name: 'Tags' }).click();
  await page.getByRole('complementary', { name: 'DICOM attributes' }).getByText('StudyInstanceUID').waitFor();
  await screenshot(page, 'viewer-02-length-and-tags');
});
