// Journey: the report editor end to end. A referrer sends a CT for a musculoskeletal opinion; the MSK
// specialist accepts, starts the report, opens a live session where a length is shared (from a
// second device of the same specialist, over the live socket), adds a key image from the viewer,
// imports the live measurement, previews the PDF, signs, amends with a reason and signs again.
// The referrer then sees the amended report and downloads the PDF and the DICOM SR.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { BASE_URL, DEMO_PASSWORD, demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

const folder = process.env.SAMPLE_DICOM_DIR;
if (!folder) throw new Error('Set SAMPLE_DICOM_DIR to a folder of DICOM files');
const files = readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(folder, f));

/** A person's bearer token (what a script or a second device uses). */
async function bearer(email) {
  const r = await fetch(`${BASE_URL}/api/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const body = await r.text();
  assert.equal(r.status, 200, body);
  return JSON.parse(body).access_token;
}

async function getJson(token, path, accept = 'application/json') {
  const r = await fetch(`${BASE_URL}${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: accept } });
  const body = await r.text();
  assert.equal(r.status, 200, `${path}: ${r.status} ${body}`);
  return JSON.parse(body);
}

/** Joins the live session over Socket.IO and shares a 40-pixel length on the series' first image. */
async function shareLength(token, caseId, sessionId, studyUid, seriesUid) {
  const instances = await getJson(token, `/api/cases/${caseId}/dicomweb/studies/${studyUid}/series/${seriesUid}/instances`, 'application/dicom+json');
  const first = instances.sort((a, b) => (a['00200013']?.Value?.[0] ?? 0) - (b['00200013']?.Value?.[0] ?? 0))[0];
  const sop = first['00080018'].Value[0];
  const socket = io(`${BASE_URL}/live`, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
  try {
    const joined = await socket.timeout(10000).emitWithAck('join', { session_id: sessionId });
    assert.ok(!joined?.error, JSON.stringify(joined));
    const added = await socket.timeout(10000).emitWithAck('annotation:add', {
      session_id: sessionId,
      annotation: {
        id: randomUUID(),
        kind: 'length',
        study_instance_uid: studyUid,
        series_instance_uid: seriesUid,
        sop_instance_uid: sop,
        frame_number: 1,
        graphic_type: 'POLYLINE',
        points: [
          [40, 64],
          [80, 64],
        ],
        measurements: [{ name: 'length', value: 31.25, unit: 'mm' }],
        label: 'Posterior horn',
      },
    });
    assert.equal(added?.ok, true, JSON.stringify(added));
  } finally {
    socket.close();
  }
}

await journey('report-editor', async ({ open }) => {
  // The referrer sends the consult with a CT.
  const referrer = await open();
  const title = `Knee CT report ${uniqueSuffix()}`;
  await signIn(referrer, demo('referrer'));
  await referrer.goto('/cases/new');
  await referrer.getByLabel('Title').fill(title);
  await referrer.getByLabel('Your question for the specialist').fill('Is the meniscus torn?');
  await referrer.getByLabel('Requested specialty').selectOption('musculoskeletal');
  await referrer.getByRole('button', { name: 'Continue' }).click();
  await referrer.getByLabel('Patient name').fill('Erik Example');
  await referrer.getByRole('button', { name: 'Continue' }).click();
  await referrer.getByLabel('Files to upload').setInputFiles(files);
  await referrer.getByText(`Uploaded ${files.length} of ${files.length} files`).waitFor({ timeout: 60000 });
  await referrer.getByRole('button', { name: 'Continue' }).click();
  await referrer.getByRole('checkbox', { name: /I consent/ }).check();
  await referrer.getByRole('button', { name: 'Submit consult' }).click();
  await referrer.getByRole('heading', { name: title, level: 1 }).waitFor();
  const caseUrl = referrer.url();
  const caseId = caseUrl.split('/cases/')[1].split(/[/?#]/)[0];

  // The MSK specialist accepts and starts the report.
  const specialist = await open();
  await signIn(specialist, demo('msk'));
  const accept = specialist.getByRole('button', { name: `Accept ${title}` });
  for (let i = 0; i < 20 && !(await accept.isVisible()); i += 1) {
    await specialist.waitForTimeout(1000);
    await specialist.reload();
  }
  await accept.click();
  await specialist.getByText('You accepted the case.').waitFor();
  await specialist.getByRole('button', { name: 'Start the report' }).click();
  const editor = specialist.getByRole('region', { name: 'Report' });
  await editor.getByLabel('Technique').waitFor();

  // A live session: the viewer opens; a length is shared in it.
  await specialist.getByRole('button', { name: 'Start live session' }).click();
  await specialist.getByTestId('slice-indicator').waitFor({ timeout: 30000 });
  const viewerUrl = new URL(specialist.url());
  const studyUid = viewerUrl.searchParams.get('study');
  const sessionId = viewerUrl.searchParams.get('session');
  const token = await bearer(demo('msk'));
  const seriesUid = (await getJson(token, `/api/cases/${caseId}/dicomweb/studies/${studyUid}/series`, 'application/dicom+json'))[0]['0020000E'].Value[0];
  await shareLength(token, caseId, sessionId, studyUid, seriesUid);

  // Key image from the viewer: the shown frame with the lung window and a caption.
  await specialist.getByTestId('viewport').click();
  await specialist.getByLabel('Window preset').selectOption('lung');
  await specialist.waitForFunction(() => document.querySelector('[data-testid="window-indicator"]')?.textContent?.includes('C -600 / W 1500'));
  await specialist.getByRole('button', { name: 'Add key image' }).click();
  await specialist.getByLabel('Caption (optional)').fill('Posterior horn, lung window');
  await specialist.getByRole('button', { name: 'Add to report' }).click();
  await specialist.getByText('Key image 1 added to the report draft.').waitFor();
  await screenshot(specialist, 'report-editor-01-key-image-added');
  // The same frame with the same window is not added twice.
  await specialist.getByRole('button', { name: 'Add key image' }).click();
  await specialist.getByRole('button', { name: 'Add to report' }).click();
  await specialist.getByText(/already a key image/).waitFor();

  // Back on the case: the key image is listed with a thumbnail; the live measurement is imported.
  await specialist.goto(caseUrl);
  await editor.getByLabel('Caption of key image 1').waitFor();
  assert.equal(await editor.getByLabel('Caption of key image 1').inputValue(), 'Posterior horn, lung window');
  const thumb = editor.getByRole('img', { name: /^Key image 1/ });
  await specialist.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle());
  assert.match(await thumb.getAttribute('src'), /\/rendered\?viewport=160%2C160&window=-600%2C1500$/);
  await editor.getByRole('button', { name: 'Import measurements from live sessions' }).click();
  const choice = editor.getByRole('checkbox', { name: /Length 31\.25 mm · Posterior horn/ });
  await choice.waitFor();
  assert.equal(await choice.isChecked(), true);
  await screenshot(specialist, 'report-editor-02-import');
  await editor.getByRole('button', { name: 'Add 1 selected' }).click();
  await editor.getByText('1 measurement added to the report.').waitFor();
  await editor.getByLabel('Finding for Length 31.25 mm').fill('Medial meniscus posterior horn');
  await editor.getByLabel('Caption of key image 1').fill('Posterior horn tear');

  await editor.getByLabel('Technique').fill('CT of the right knee, 1 mm slices.');
  const findings = editor.getByLabel(/^Findings/);
  for (let i = 0; i < (await findings.count()); i += 1) await findings.nth(i).fill('Horizontal tear of the posterior horn of the medial meniscus.');
  await editor.getByLabel('Impression').fill('Medial meniscus tear.');
  await editor.getByText('All changes saved').waitFor({ timeout: 15000 });

  // Preview: the PDF's own page, with the key image and the measurement.
  await editor.getByRole('button', { name: 'Preview PDF' }).click();
  const preview = specialist.frameLocator('iframe[title="PDF preview"]');
  await preview.getByText('Posterior horn tear').waitFor({ timeout: 30000 });
  await preview.getByRole('img', { name: 'Key image 1' }).waitFor();
  await preview.getByText(/31\.2|31\.3/).first().waitFor();
  await screenshot(specialist, 'report-editor-03-preview');
  const draftPdf = await specialist.request.get(`/api/cases/${caseId}/report.pdf?version=1`);
  assert.equal(draftPdf.status(), 200);
  assert.equal((await draftPdf.body()).subarray(0, 5).toString(), '%PDF-');

  // Sign.
  await editor.getByLabel('Password to sign').fill(DEMO_PASSWORD);
  await editor.getByRole('button', { name: 'Sign report' }).click();
  await editor.getByRole('link', { name: 'Download PDF', exact: true }).waitFor({ timeout: 30000 });
  await editor.getByText('Length 31.25 mm — Medial meniscus posterior horn').waitFor();
  await specialist.getByText('Report ready', { exact: true }).first().waitFor();

  // Amend: the reason is required; a new draft version opens with the signed content.
  await editor.getByRole('button', { name: 'Amend report' }).click();
  await editor.getByRole('button', { name: 'Start the amendment' }).click();
  await editor.getByText(/Say why the report is amended/).waitFor();
  await editor.getByLabel('Reason for the amendment').fill('Tear extends to the root.');
  await editor.getByRole('button', { name: 'Start the amendment' }).click();
  await editor.getByText('Amendment of version 1: Tear extends to the root.').waitFor();
  assert.equal(await editor.getByLabel('Caption of key image 1').inputValue(), 'Posterior horn tear');
  await editor.getByLabel('Impression').fill('Medial meniscus tear extending to the posterior root.');
  await editor.getByText('All changes saved').waitFor({ timeout: 15000 });
  await editor.getByRole('link', { name: 'Download PDF of version 1' }).waitFor();
  await screenshot(specialist, 'report-editor-04-amendment-draft');
  await editor.getByLabel('Password to sign').fill(DEMO_PASSWORD);
  await editor.getByRole('button', { name: 'Sign report' }).click();
  await editor.getByText(/This report was amended: Tear extends to the root\./).waitFor({ timeout: 30000 });
  await editor.getByRole('link', { name: 'Download PDF of version 2' }).waitFor();
  await screenshot(specialist, 'report-editor-05-amended');

  // The referrer sees the amended report and downloads the PDF and the SR (each version too).
  await referrer.goto(caseUrl);
  const report = referrer.getByRole('region', { name: 'Report' });
  await report.getByText('Medial meniscus tear extending to the posterior root.').waitFor();
  await report.getByText(/This report was amended: Tear extends to the root\./).waitFor();
  assert.equal(await report.getByRole('button', { name: 'Amend report' }).count(), 0);
  await screenshot(referrer, 'report-editor-06-referrer');
  const pdf = await referrer.request.get(await report.getByRole('link', { name: 'Download PDF', exact: true }).getAttribute('href'));
  assert.equal(pdf.status(), 200);
  assert.equal((await pdf.body()).subarray(0, 4).toString(), '%PDF');
  const sr = await referrer.request.get(await report.getByRole('link', { name: 'DICOM SR', exact: true }).getAttribute('href'));
  assert.equal(sr.status(), 200);
  assert.equal((await sr.body()).subarray(128, 132).toString(), 'DICM');
  const first = await referrer.request.get(await report.getByRole('link', { name: 'Download PDF of version 1' }).getAttribute('href'));
  assert.equal((await first.body()).subarray(0, 4).toString(), '%PDF');
  console.log(`referrer downloaded PDF (${(await pdf.body()).length} bytes) and SR (${(await sr.body()).length} bytes)`);

  // Key images are for the reading specialist's draft: the referrer's viewer has no such button.
  await referrer.goto(`/cases/${caseId}/viewer?study=${encodeURIComponent(studyUid)}`);
  await referrer.getByTestId('slice-indicator').waitFor({ timeout: 30000 });
  await referrer.getByRole('button', { name: 'Tags' }).waitFor();
  assert.equal(await referrer.getByRole('button', { name: 'Add key image' }).count(), 0);
});
