// Journey: a study with two CT series. The patient uploads it, opens the viewer and checks the
// benchmark marks; switches to 1x2 by keyboard and 2x2 by button, puts series and slices into the
// viewports (click and drag), reloads (layout kept); draws an ellipse ROI and reads its mean/SD in
// HU, adds a text note through the in-page dialog and edits it, deletes measurements from the list
// and with the Delete key. Then a phone (390x844, touch): the toolbar is collapsed, the series are a drawer, a
// one-finger drag changes the window and a two-finger pinch (CDP touch events) zooms.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

const folder = process.env.SAMPLE_DICOM_DIR;
if (!folder) throw new Error('Set SAMPLE_DICOM_DIR to a folder of DICOM files (two series of one study)');
const files = readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(folder, f));

const sliceOf = async (page, pane) => {
  const text = await page.locator(`[data-pane="${pane}"] [data-testid^="slice-indicator"]`).innerText();
  const m = /Image (\d+) \/ (\d+)/.exec(text);
  assert.ok(m, text);
  return { index: Number(m[1]), count: Number(m[2]) };
};
const zoomOf = async (page) => Number(/Zoom (\d+)%/.exec(await page.getByTestId('zoom-indicator').innerText())?.[1]);
const canvasReady = (page, pane) =>
  page.waitForFunction((p) => {
    const canvas = document.querySelector(`[data-pane="${p}"] canvas`);
    return !!canvas && canvas.width > 0 && !!document.querySelector(`[data-pane="${p}"] [data-testid^="slice-indicator"]`);
  }, pane, { timeout: 30000 });

async function drag(page, from, to) {
  await page.mouse.move(from[0], from[1]);
  await page.mouse.down();
  await page.mouse.move((from[0] + to[0]) / 2, (from[1] + to[1]) / 2, { steps: 6 });
  await page.mouse.move(to[0], to[1], { steps: 6 });
  await page.mouse.up();
}

await journey('viewer-layouts-and-touch', async ({ open }) => {
  const page = await open();
  const title = `Two series ${uniqueSuffix()}`;
  await signIn(page, demo('patient'));
  await page.goto('/cases/new');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Your question for the specialist').fill('Compare the two series, please.');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Files to upload').setInputFiles(files);
  await page.getByText(`Uploaded ${files.length} of ${files.length} files`).waitFor({ timeout: 90000 });
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('checkbox', { name: /I consent/ }).check();
  await page.getByRole('button', { name: 'Submit consult' }).click();
  await page.getByRole('heading', { name: title, level: 1 }).waitFor();
  await page.getByRole('region', { name: 'Images' }).getByRole('link', { name: 'Open viewer' }).first().click();

  // One viewport (the default); the first image is marked before the whole stack is loaded.
  await canvasReady(page, 1);
  await page.waitForFunction(() => performance.getEntriesByName('viewer:stack-loaded', 'mark').length > 0, null, { timeout: 30000 });
  const marks = await page.evaluate(() => ['viewer:first-image', 'viewer:stack-loaded'].map((n) => performance.getEntriesByName(n, 'mark')[0]?.startTime));
  console.log(`marks: first image ${marks[0]?.toFixed(0)} ms, stack loaded ${marks[1]?.toFixed(0)} ms`);
  assert.ok(marks[0] > 0 && marks[1] >= marks[0], String(marks));
  assert.equal(await page.locator('[data-pane]').count(), 1);
  const series = page.getByRole('navigation', { name: 'Series' }).locator('.series-thumb');
  assert.equal(await series.count(), 2);
  const viewerUrl = new URL(page.url());

  // Shift+2 = 1x2 (the second viewport gets the other series), then the 2x2 button.
  await page.getByTestId('viewport').click();
  await page.keyboard.press('Shift+Digit2');
  await page.waitForFunction(() => document.querySelectorAll('[data-pane]').length === 2);
  await canvasReady(page, 2);
  assert.notEqual((await sliceOf(page, 1)).count, (await sliceOf(page, 2)).count, 'two different series side by side');
  await page.getByRole('button', { name: 'Layout 2x2' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-pane]').length === 4);
  await page.locator('[data-pane="3"]').getByText('Drop a series here').waitFor();

  // Viewport 3: make it active by clicking, then pick the first series; viewport 4: drag series 2 onto it.
  await page.locator('[data-pane="3"] .viewport').click();
  await page.waitForFunction(() => document.querySelector('[data-pane="3"]')?.classList.contains('active'));
  await series.nth(0).click();
  await canvasReady(page, 3);
  await series.nth(1).dragTo(page.locator('[data-pane="4"]'));
  await canvasReady(page, 4);
  assert.ok(await page.locator('[data-pane="4"]').evaluate((el) => el.classList.contains('active')), 'the drop target becomes active');
  // Different slices: viewport 3 goes to its last image with End; viewport 1 stays in the middle.
  await page.locator('[data-pane="3"] .viewport').click();
  await page.keyboard.press('End');
  await page.waitForFunction(() => /Image 12 \/ 12/.test(document.querySelector('[data-pane="3"]')?.textContent ?? ''));
  const s1 = await sliceOf(page, 1);
  const s3 = await sliceOf(page, 3);
  assert.equal(s1.count, s3.count, 'same series');
  assert.notEqual(s1.index, s3.index, 'different slices');
  // Viewports made in 1x1/1x2 are fitted to their new box after the layout change.
  await page.waitForTimeout(300);
  for (const pane of [1, 2, 4]) {
    assert.match(await page.locator(`[data-pane="${pane}"] [data-testid^="zoom-indicator"]`).innerText(), /Zoom 100%/);
  }
  // Toolbar actions go to the active viewport only: invert viewport 3.
  await page.getByRole('button', { name: 'Invert' }).click();
  await screenshot(page, 'viewer-layout-01-2x2');

  // The layout and the series per viewport survive a reload.
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('layout'), '2x2');
  assert.equal(url.searchParams.get('panes').split(',').filter(Boolean).length, 4);
  assert.equal(url.searchParams.get('active'), '3');
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('[data-pane]').length === 4);
  for (const pane of [1, 2, 3, 4]) await canvasReady(page, pane);
  // A fresh document: the marks now time the viewer alone (4 viewports loading at once, warm HTTP cache).
  await page.waitForFunction(() => performance.getEntriesByName('viewer:stack-loaded', 'mark').length > 0, null, { timeout: 30000 });
  const reloaded = await page.evaluate(() => ['viewer:first-image', 'viewer:stack-loaded'].map((n) => performance.getEntriesByName(n, 'mark')[0]?.startTime));
  console.log(`marks after reload (2x2): first image ${reloaded[0]?.toFixed(0)} ms, stack loaded ${reloaded[1]?.toFixed(0)} ms`);
  assert.equal((await sliceOf(page, 2)).count, (await sliceOf(page, 4)).count);
  assert.ok(await page.locator('[data-pane="3"]').evaluate((el) => el.classList.contains('active')));

  // Back to one viewport showing the active viewport's series, then measure on it.
  await page.getByRole('button', { name: 'Layout 1x1' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-pane]').length === 1);
  await canvasReady(page, 1);
  await page.getByRole('button', { name: 'Ellipse ROI' }).click();
  const box = await page.getByTestId('viewport').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await drag(page, [cx - 60, cy - 40], [cx + 60, cy + 40]);
  await page.waitForFunction(() => /Mean: -?\d+(\.\d+)? HU/.test(document.querySelector('[data-testid="viewport"] svg')?.textContent ?? ''));
  const svgText = await page.locator('[data-testid="viewport"] svg').textContent();
  assert.match(svgText, /Std Dev: \d+(\.\d+)? HU/);
  assert.match(svgText, /Area: \d+(\.\d+)? mm/);
  const mean = Number(/Mean: (-?\d+(\.\d+)?) HU/.exec(svgText)[1]);
  // The ROI sits inside the water body (40 HU) with some bone ring/lesion: a plausible CT mean.
  assert.ok(mean > -1000 && mean < 1000, `mean ${mean}`);
  console.log(`ellipse ROI: ${/Mean[^A-Z]*HU/.exec(svgText)[0]}; ${/Std Dev[^A-Z]*HU/.exec(svgText)[0]}`);

  // A length and a text note; the list shows all three with values and slices.
  await page.getByRole('button', { name: 'Length', exact: true }).click();
  await drag(page, [cx - 100, cy + 90], [cx + 100, cy + 90]);
  await page.getByRole('button', { name: 'Text', exact: true }).click();
  await page.mouse.click(cx - 80, cy - 90);
  const dialog = page.getByRole('dialog', { name: 'Text for the annotation' });
  await dialog.getByLabel('Text for the annotation').fill('Cyst?');
  await dialog.getByRole('button', { name: 'OK' }).click();
  await page.waitForFunction(() => (document.querySelector('[data-testid="viewport"] svg')?.textContent ?? '').includes('Cyst?'));
  await page.getByRole('button', { name: /^Measurements/ }).click();
  const list = page.getByRole('complementary', { name: 'Measurements' });
  const rows = list.getByTestId('measurement');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="measurement"]').length === 3);
  const listText = await list.innerText();
  assert.match(listText, /Ellipse ROI\s+Mean -?\d+(\.\d+)? HU · SD \d+(\.\d+)? HU · Area \d+(\.\d+)? mm²/);
  assert.match(listText, /Length\s+\d+(\.\d+)? mm/);
  assert.match(listText, /Text\s+Cyst\?/);
  // The list shows the same statistics as the text box on the image.
  const boxMean = /Mean: (-?\d+(\.\d+)?) HU/.exec(await page.locator('[data-testid="viewport"] svg').textContent())[1];
  const listMean = /Mean (-?\d+(\.\d+)?) HU/.exec(await list.innerText())[1];
  assert.ok(Math.abs(Number(boxMean) - Number(listMean)) < 0.1, `${boxMean} vs ${listMean}`);
  await screenshot(page, 'viewer-layout-02-measurements');

  // Edit the note's text from the list (the same dialog, prefilled).
  await list.getByRole('button', { name: /^Edit Text/ }).click();
  const edit = page.getByRole('dialog', { name: 'Edit the text' });
  assert.equal(await edit.getByLabel('Edit the text').inputValue(), 'Cyst?');
  await edit.getByLabel('Edit the text').fill('Simple cyst');
  await edit.getByRole('button', { name: 'OK' }).click();
  await page.waitForFunction(() => (document.querySelector('[data-testid="viewport"] svg')?.textContent ?? '').includes('Simple cyst'));
  await list.getByText('Simple cyst').waitFor();

  // Delete the length with its ×; select the ellipse from the list and press Delete.
  await list.getByRole('button', { name: /^Delete Length/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="measurement"]').length === 2);
  await list.getByRole('button', { name: /^Ellipse ROI Mean/ }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="measurement"].selected')?.textContent?.includes('Ellipse'));
  await page.getByTestId('viewport').focus();
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="measurement"]').length === 1);
  assert.match(await list.innerText(), /Simple cyst/);
  assert.doesNotMatch(await page.locator('[data-testid="viewport"] svg').textContent(), /Mean:/);
  await screenshot(page, 'viewer-layout-03-after-delete');
  await page.keyboard.press('?');
  await page.getByRole('complementary', { name: 'Keyboard shortcuts' }).getByText('2 × 2 viewports').waitFor();

  // A phone: collapsed toolbar, series drawer, one-finger window/level, two-finger pinch zoom.
  const phone = await open({ viewport: { width: 390, height: 844 }, isMobile: true });
  await signIn(phone, demo('patient'));
  await phone.goto(`${viewerUrl.pathname}${viewerUrl.search}`);
  await canvasReady(phone, 1);
  assert.equal(await phone.getByRole('toolbar', { name: 'Viewer tools' }).isVisible(), false, 'tools collapsed on a phone');
  await screenshot(phone, 'viewer-phone-01-collapsed');
  await phone.getByRole('button', { name: 'Series' }).click();
  await phone.getByRole('navigation', { name: 'Series' }).locator('.series-thumb').nth(1).click();
  await phone.waitForFunction(() => /Image \d+ \/ 8/.test(document.querySelector('[data-testid="slice-indicator"]')?.textContent ?? ''));
  assert.equal(await phone.locator('.series-browser.open').count(), 0, 'the drawer closes after picking a series');

  const pbox = await phone.getByTestId('viewport').boundingBox();
  const px = pbox.x + pbox.width / 2;
  const py = pbox.y + pbox.height / 2;
  const cdp = await phone.context().newCDPSession(phone);
  const touch = (type, points) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y], id) => ({ x, y, id, radiusX: 2, radiusY: 2, force: 1 })) });

  const windowBefore = await phone.getByTestId('window-indicator').innerText();
  await touch('touchStart', [[px, py]]);
  for (let i = 1; i <= 8; i += 1) await touch('touchMove', [[px + i * 10, py + i * 6]]);
  await touch('touchEnd', []);
  await phone.waitForFunction((before) => document.querySelector('[data-testid="window-indicator"]')?.textContent !== before, windowBefore);

  const zoomBefore = await zoomOf(phone);
  await touch('touchStart', [[px - 30, py], [px + 30, py]]);
  for (let i = 1; i <= 10; i += 1) await touch('touchMove', [[px - 30 - i * 10, py], [px + 30 + i * 10, py]]);
  await touch('touchEnd', []);
  await phone.waitForFunction((before) => {
    const m = /Zoom (\d+)%/.exec(document.querySelector('[data-testid="zoom-indicator"]')?.textContent ?? '');
    return !!m && Number(m[1]) > before;
  }, zoomBefore);
  const zoomAfter = await zoomOf(phone);
  console.log(`phone: window ${windowBefore} -> ${await phone.getByTestId('window-indicator').innerText()}; pinch zoom ${zoomBefore}% -> ${zoomAfter}%`);
  assert.ok(zoomAfter > zoomBefore);
  await screenshot(phone, 'viewer-phone-02-pinched');
  await phone.getByRole('button', { name: 'Tools' }).click();
  assert.ok(await phone.getByRole('toolbar', { name: 'Viewer tools' }).isVisible());
  // The viewport got smaller; the zoom the user pinched is kept.
  await phone.waitForTimeout(300);
  assert.equal(await zoomOf(phone), zoomAfter, 'zoom kept when the toolbar opened');
  await screenshot(phone, 'viewer-phone-03-tools-open');
});
