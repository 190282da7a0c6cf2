// Journey: everything shared in a live session between two browsers beyond the view: the shared
// pointer, annotations edited and deleted on one side and shown on the other, an annotation drawn
// while disconnected and sent after the reconnection, chat (with an error that keeps the text),
// presenter hand-off on request, and audio/video over WebRTC (fake devices) with mute and camera off.
import assert from 'node:assert/strict';
import { journey, screenshot } from './lib.mjs';
import { sampleFiles, startLiveCase, useFakeMedia } from './live-setup.mjs';

useFakeMedia();
const files = sampleFiles();
const SYNC_MS = 2000;

const mmValues = (page) =>
  page.evaluate(() =>
    [...(document.querySelector('[data-testid="viewport"] svg')?.querySelectorAll('text') ?? [])]
      .map((t) => /(\d+(\.\d+)?)\s*mm$/.exec(t.textContent ?? '')?.[1])
      .filter(Boolean)
      .map(Number),
  );

async function trails(pages) {
  for (const [name, page] of Object.entries(pages)) console.log(`${name} trail:`, await page.evaluate(() => window.__liveDebug));
}

await journey('live-collab', async ({ open }) => {
  const { patient, specialist } = await startLiveCase(open, files);
  const box = await specialist.getByTestId('viewport').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;

  // Pointer: the specialist's pointer shows on the patient's image, named, at the same place.
  await specialist.mouse.move(cx + 60, cy - 50, { steps: 5 });
  const marker = patient.getByTestId('live-pointer');
  await marker.waitFor({ timeout: SYNC_MS });
  assert.match(await marker.innerText(), /Max Bones/);
  // The marker first shows an intermediate point of the move; the throttled last position follows.
  const want = [(cx + 60 - box.x) / box.width, (cy - 50 - box.y) / box.height];
  const pbox = await patient.getByTestId('viewport').boundingBox();
  let fx = NaN;
  let fy = NaN;
  for (const deadline = Date.now() + SYNC_MS; Date.now() < deadline; await patient.waitForTimeout(25)) {
    const mbox = await marker.locator('.live-pointer-dot').boundingBox();
    fx = (mbox.x + mbox.width / 2 - pbox.x) / pbox.width;
    fy = (mbox.y + mbox.height / 2 - pbox.y) / pbox.height;
    if (Math.abs(fx - want[0]) < 0.03 && Math.abs(fy - want[1]) < 0.03) break;
  }
  console.log(`pointer at ${fx.toFixed(3)}, ${fy.toFixed(3)} of the follower's viewport (sent at ${want[0].toFixed(3)}, ${want[1].toFixed(3)})`);
  assert.ok(Math.abs(fx - want[0]) < 0.03 && Math.abs(fy - want[1]) < 0.03);
  await screenshot(patient, 'live-collab-01-pointer');

  // A length drawn by the specialist, then edited (a handle dragged): the patient shows the new value.
  await specialist.getByRole('button', { name: 'Length', exact: true }).click();
  await specialist.mouse.move(cx - 120, cy + 40);
  await specialist.mouse.down();
  await specialist.mouse.move(cx + 120, cy + 40, { steps: 8 });
  await specialist.mouse.up();
  await patient.waitForFunction(() => /\d\s*mm/.test(document.querySelector('[data-testid="viewport"] svg')?.textContent ?? ''), undefined, { timeout: SYNC_MS });
  const [first] = await mmValues(specialist);
  await specialist.mouse.move(cx + 120, cy + 40);
  await specialist.mouse.down();
  await specialist.mouse.move(cx + 120, cy + 120, { steps: 8 });
  await specialist.mouse.up();
  await specialist.waitForTimeout(300);
  const [edited] = await mmValues(specialist);
  assert.ok(edited > first + 1, `the edit changed the length (${first} -> ${edited})`);
  try {
    await patient.waitForFunction(
      (want) => [...(document.querySelector('[data-testid="viewport"] svg')?.querySelectorAll('text') ?? [])].some((t) => Math.abs(parseFloat(t.textContent ?? '') - want) < 0.2),
      edited,
      { timeout: SYNC_MS },
    );
  } catch (error) {
    await trails({ specialist, patient });
    throw error;
  }
  console.log(`edited length ${first} -> ${edited} mm shown on the follower`);
  await screenshot(patient, 'live-collab-02-edited');

  // The specialist deletes it from the measurements list: it disappears on the patient's side.
  await specialist.getByRole('button', { name: 'Measurements', exact: true }).click();
  await specialist.getByRole('button', { name: /^Delete .*length/i }).first().click();
  await patient.waitForFunction(() => !/\d\s*mm/.test(document.querySelector('[data-testid="viewport"] svg')?.textContent ?? ''), undefined, { timeout: SYNC_MS });
  await specialist.getByRole('button', { name: 'Close measurements' }).click();

  // Other kinds: a rectangle and an ellipse ROI drawn by the specialist show on the patient's image.
  const areaTexts = (page) =>
    page.evaluate(() => [...(document.querySelector('[data-testid="viewport"] svg')?.querySelectorAll('text') ?? [])].filter((t) => /Area/.test(t.textContent ?? '')).length);
  for (const [tool, dy] of [['Rectangle ROI', -140], ['Ellipse ROI', 80]]) {
    await specialist.getByRole('button', { name: tool, exact: true }).click();
    await specialist.mouse.move(cx - 200, cy + dy);
    await specialist.mouse.down();
    await specialist.mouse.move(cx - 110, cy + dy + 60, { steps: 6 });
    await specialist.mouse.up();
  }
  await specialist.waitForFunction(() => document.querySelectorAll('[data-testid="viewport"] svg text').length > 0);
  assert.equal(await areaTexts(specialist), 2);
  await patient.waitForFunction(
    () => [...(document.querySelector('[data-testid="viewport"] svg')?.querySelectorAll('text') ?? [])].filter((t) => /Area/.test(t.textContent ?? '')).length === 2,
    undefined,
    { timeout: SYNC_MS },
  );
  console.log(`ROIs shown on the follower: ${await areaTexts(patient)}`);
  await screenshot(patient, 'live-collab-02b-rois');
  await specialist.getByRole('button', { name: 'Window/level', exact: true }).click();

  // Chat both ways.
  await patient.getByRole('button', { name: /^Chat/ }).click();
  await patient.getByRole('textbox', { name: 'Message' }).fill('Can you see the lesion?');
  await patient.getByRole('button', { name: 'Send' }).click();
  await specialist.getByRole('button', { name: /^Chat \(1\)/ }).waitFor({ timeout: SYNC_MS });
  await specialist.getByRole('button', { name: /^Chat/ }).click();
  await specialist.getByText('Can you see the lesion?').waitFor();
  await specialist.getByRole('textbox', { name: 'Message' }).fill('Yes, on this slice.');
  await specialist.keyboard.press('Enter');
  await patient.getByText('Yes, on this slice.').waitFor({ timeout: SYNC_MS });
  await screenshot(specialist, 'live-collab-03-chat');

  // The patient loses the connection: a chat line fails and keeps its text; a length drawn meanwhile
  // waits, and both reach the specialist after the reconnection.
  await patient.evaluate(() => window.__liveTest.disconnect());
  await patient.getByTestId('live-status').filter({ hasText: 'disconnected' }).waitFor();
  await patient.getByRole('textbox', { name: 'Message' }).fill('Drawn while offline');
  await patient.getByRole('button', { name: 'Send' }).click();
  await patient.getByRole('alert').filter({ hasText: 'Not connected' }).waitFor();
  assert.equal(await patient.getByRole('textbox', { name: 'Message' }).inputValue(), 'Drawn while offline');
  await patient.getByRole('button', { name: /^Chat/ }).click(); // close the drawer to draw
  await patient.getByRole('button', { name: 'Following' }).click(); // free: the presenter's view stays put meanwhile
  await patient.getByRole('button', { name: 'Length', exact: true }).click();
  await patient.mouse.move(cx - 100, cy - 80);
  await patient.mouse.down();
  await patient.mouse.move(cx + 40, cy - 80, { steps: 8 });
  await patient.mouse.up();
  await patient.getByText(/1 change\(s\) waiting to be sent/).waitFor();
  await specialist.waitForTimeout(500);
  assert.deepEqual(await mmValues(specialist), [], 'nothing reached the specialist while disconnected');
  await patient.evaluate(() => window.__liveTest.connect());
  await patient.getByTestId('live-status').filter({ hasText: /^connected$/ }).waitFor();
  await specialist.waitForFunction(
    () => [...(document.querySelector('[data-testid="viewport"] svg')?.querySelectorAll('text') ?? [])].some((t) => /\d\s*mm$/.test(t.textContent ?? '')),
    undefined,
    { timeout: 5000 },
  );
  const [offlineMm] = await mmValues(patient);
  const [specialistSees] = await mmValues(specialist);
  assert.ok(Math.abs(offlineMm - specialistSees) < 0.2, `${offlineMm} vs ${specialistSees}`);
  await patient.getByRole('button', { name: /^Chat/ }).click();
  await patient.getByRole('button', { name: 'Send' }).click();
  await specialist.getByText('Drawn while offline').waitFor({ timeout: SYNC_MS });
  await patient.getByRole('button', { name: 'Follow presenter' }).click();
  await screenshot(specialist, 'live-collab-04-after-reconnect');

  // Hand-off: the patient asks for control, the specialist (presenter and host) grants it.
  await patient.getByRole('button', { name: 'Ask for control' }).click();
  await specialist.getByRole('button', { name: /People \(1 asking\)/ }).click({ timeout: SYNC_MS });
  await specialist.getByText('asks for control').waitFor();
  await specialist.getByRole('button', { name: 'Make presenter' }).click();
  await patient.getByText('Presenter: Pat Jones (you)').waitFor({ timeout: SYNC_MS });
  await specialist.getByRole('button', { name: 'Following' }).waitFor();
  const sliceBefore = await patient.getByTestId('slice-indicator').innerText();
  await patient.getByRole('button', { name: 'Window/level', exact: true }).click();
  await patient.getByTestId('viewport').click();
  await patient.keyboard.press('ArrowDown');
  await patient.keyboard.press('ArrowDown');
  await patient.keyboard.press('ArrowDown');
  await patient.waitForFunction((s) => document.querySelector('[data-testid="slice-indicator"]')?.textContent !== s, sliceBefore);
  await patient.waitForTimeout(200);
  const patientSlice = await patient.getByTestId('slice-indicator').innerText();
  console.log(`new presenter moved from ${sliceBefore} to ${patientSlice}`);
  await specialist.waitForFunction((s) => document.querySelector('[data-testid="slice-indicator"]')?.textContent === s, patientSlice, { timeout: SYNC_MS });
  await screenshot(specialist, 'live-collab-05-handoff');
  await specialist.getByRole('button', { name: /People/ }).click();

  // Audio/video: both join the call; each receives the other's live video; mute and camera off.
  for (const page of [specialist, patient]) {
    await page.getByRole('button', { name: /^Call/ }).click();
    await page.getByRole('button', { name: 'Join with camera and microphone' }).click();
    await page.getByTestId('local-video').waitFor();
  }
  for (const page of [specialist, patient]) {
    await page.waitForFunction(
      () => {
        const v = document.querySelector('[data-testid="remote-video"] video');
        return v && v.readyState >= 2 && v.srcObject?.getVideoTracks().some((t) => t.readyState === 'live');
      },
      undefined,
      { timeout: 15000 },
    );
    const states = await page.evaluate(() => window.__liveMedia());
    console.log('peer connections:', JSON.stringify(states));
    assert.ok(Object.values(states).includes('connected'));
  }
  await patient.getByRole('button', { name: 'Mute' }).click();
  await patient.getByRole('button', { name: 'Camera off' }).click();
  const local = await patient.evaluate(() => {
    const s = document.querySelector('[data-testid="local-video"] video').srcObject;
    return { audio: s.getAudioTracks().map((t) => t.enabled), video: s.getVideoTracks().map((t) => t.enabled) };
  });
  assert.deepEqual(local, { audio: [false], video: [false] });
  await screenshot(specialist, 'live-collab-06-call');
  await screenshot(patient, 'live-collab-07-call-muted');

  // The patient leaves: the specialist's tile and peer connection go away.
  await patient.close();
  await specialist.waitForFunction(() => !document.querySelector('[data-testid="remote-video"]'), undefined, { timeout: 10000 });
  assert.deepEqual(await specialist.evaluate(() => window.__liveMedia()), {});
  await specialist.getByRole('button', { name: /^People/ }).click();
  await specialist.locator('li.live-away', { hasText: 'Pat Jones' }).getByText('offline').waitFor({ timeout: SYNC_MS });
  await screenshot(specialist, 'live-collab-08-people-after-leave');
});
