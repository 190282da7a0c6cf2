// Journey: a live session with two browsers. The patient uploads a CT to a musculoskeletal consult,
// the MSK specialist accepts and starts a live session (presenter), the patient joins and follows:
// the presenter scrolls and changes the window; the follower shows the same slice and window
// within 500 ms.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

const folder = process.env.SAMPLE_DICOM_DIR;
if (!folder) throw new Error('Set SAMPLE_DICOM_DIR to a folder of DICOM files');
const files = readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(folder, f));
const FOLLOW_MS = 500;

const text = (page, id) => page.getByTestId(id).innerText();

await journey('live-session', async ({ open }) => {
  const patient = await open();
  const title = `Live review ${uniqueSuffix()}`;
  await signIn(patient, demo('patient'));
  await patient.goto('/cases/new');
  await patient.getByLabel('Title').fill(title);
  await patient.getByLabel('Your question for the specialist').fill('Please look at this with me.');
  await patient.getByLabel('Requested specialty').selectOption('musculoskeletal');
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByLabel('Files to upload').setInputFiles(files);
  await patient.getByText(`Uploaded ${files.length} of ${files.length} files`).waitFor({ timeout: 60000 });
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByRole('checkbox', { name: /I consent/ }).check();
  await patient.getByRole('button', { name: 'Submit consult' }).click();
  await patient.getByRole('heading', { name: title, level: 1 }).waitFor();
  const caseUrl = patient.url();

  const specialist = await open();
  await signIn(specialist, demo('msk'));
  const accept = specialist.getByRole('button', { name: `Accept ${title}` });
  for (let i = 0; i < 20 && !(await accept.isVisible()); i += 1) {
    await specialist.waitForTimeout(1000);
    await specialist.reload();
  }
  await accept.click();
  await specialist.getByText('You accepted the case.').waitFor();
  await specialist.getByRole('button', { name: 'Start live session' }).click();
  await specialist.getByTestId('slice-indicator').waitFor({ timeout: 30000 });
  await specialist.getByText('Presenter: Dr. Max Bones (you)').waitFor({ timeout: 15000 });

  // The patient joins from the case page and follows.
  await patient.goto(caseUrl);
  await patient.getByRole('button', { name: /^Join / }).click();
  await patient.getByTestId('slice-indicator').waitFor({ timeout: 30000 });
  await patient.getByRole('button', { name: 'Following' }).waitFor();
  await specialist.getByText(/Pat Jones/).first().waitFor();

  // Presenter scrolls two slices and picks the lung window.
  await specialist.getByTestId('viewport').click();
  await specialist.keyboard.press('ArrowDown');
  await specialist.keyboard.press('ArrowDown');
  await specialist.getByLabel('Window preset').selectOption('lung');
  await specialist.waitForFunction(() =>
    document.querySelector('[data-testid="window-indicator"]')?.textContent?.includes('C -600 / W 1500'),
  );
  const presenterSlice = await text(specialist, 'slice-indicator');
  const started = Date.now();
  await patient.waitForFunction(
    ([slice]) =>
      document.querySelector('[data-testid="slice-indicator"]')?.textContent === slice &&
      document.querySelector('[data-testid="window-indicator"]')?.textContent?.includes('C -600 / W 1500'),
    [presenterSlice],
    { timeout: FOLLOW_MS },
  );
  console.log(`follower matched the presenter in ${Date.now() - started} ms`);
  assert.equal(await text(patient, 'slice-indicator'), presenterSlice);

  // The presenter draws a length; the follower shows the same measurement.
  await specialist.getByRole('button', { name: 'Length' }).click();
  const box = await specialist.getByTestId('viewport').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await specialist.mouse.move(cx - 150, cy + 40);
  await specialist.mouse.down();
  await specialist.mouse.move(cx, cy + 40, { steps: 6 });
  await specialist.mouse.move(cx + 150, cy + 40, { steps: 6 });
  await specialist.mouse.up();
  const drawn = Date.now();
  const mmText = () => /(\d+(\.\d+)?)\s*mm/.exec(document.querySelector('[data-testid="viewport"] svg')?.textContent ?? '')?.[1] ?? null;
  try {
    await patient.waitForFunction(mmText, undefined, { timeout: FOLLOW_MS });
  } catch (error) {
    console.log('presenter trail:', await specialist.evaluate(() => window.__liveDebug));
    console.log('follower trail:', await patient.evaluate(() => window.__liveDebug));
    throw error;
  }
  const shownAfter = Date.now() - drawn;
  await specialist.waitForTimeout(300); // both sides settle on the final geometry
  const presenterMm = await specialist.evaluate(mmText);
  const followerMm = await patient.evaluate(mmText);
  console.log(`follower showed the length (${followerMm} mm; presenter ${presenterMm} mm) ${shownAfter} ms after it was drawn`);
  assert.ok(Math.abs(Number(followerMm) - Number(presenterMm)) < 0.2, `${followerMm} vs ${presenterMm}`);
  await screenshot(specialist, 'live-01-presenter');
  await screenshot(patient, 'live-02-follower');

  // A follower who goes free stops following; back to following catches up again.
  await patient.getByRole('button', { name: 'Following' }).click();
  await specialist.getByTestId('viewport').click();
  await specialist.keyboard.press('ArrowUp');
  await specialist.waitForTimeout(300);
  assert.equal(await text(patient, 'slice-indicator'), presenterSlice);
  await patient.getByRole('button', { name: 'Follow presenter' }).click();
  const now = await text(specialist, 'slice-indicator');
  await patient.waitForFunction(
    (slice) => document.querySelector('[data-testid="slice-indicator"]')?.textContent === slice,
    now,
    { timeout: 2000 },
  );
});
