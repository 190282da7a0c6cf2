// Journey: a patient asks for a musculoskeletal second opinion; routing offers it to the MSK
// specialist, who accepts it from the worklist, starts the review, writes and signs the report;
// the patient then downloads the PDF.
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

await journey('consult-to-report', async ({ open }) => {
  const patient = await open();
  const title = `Knee pain second opinion ${uniqueSuffix()}`;
  await signIn(patient, demo('patient'));
  await patient.goto('/cases/new');
  await patient.getByLabel('Title').fill(title);
  await patient.getByLabel('Your question for the specialist').fill('Is the meniscus torn?');
  await patient.getByLabel('Requested specialty').selectOption('musculoskeletal');
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByRole('checkbox', { name: /I consent/ }).check();
  await patient.getByRole('button', { name: 'Submit consult' }).click();
  await patient.getByRole('heading', { name: title, level: 1 }).waitFor();
  const caseUrl = patient.url();

  // The specialist finds the offer on their worklist (routing may take a moment).
  const specialist = await open();
  await signIn(specialist, demo('msk'));
  await specialist.getByRole('heading', { name: 'Your worklist' }).waitFor();
  const accept = specialist.getByRole('button', { name: `Accept ${title}` });
  for (let i = 0; i < 20 && !(await accept.isVisible()); i += 1) {
    await specialist.waitForTimeout(1000);
    await specialist.reload();
    await specialist.getByRole('heading', { name: 'Your worklist' }).waitFor();
  }
  await screenshot(specialist, 'report-01-worklist-offer');
  await accept.click();
  await specialist.getByText('You accepted the case.').waitFor();
  await specialist.getByRole('button', { name: 'Start review' }).click();
  await specialist.getByText('In review', { exact: true }).first().waitFor();
  await specialist.getByRole('button', { name: 'Start the report' }).click();

  const editor = specialist.getByRole('region', { name: 'Report' });
  await editor.getByLabel('Technique').fill('MRI of the right knee, standard protocol.');
  const findings = editor.getByLabel(/^Findings/);
  const count = await findings.count();
  for (let i = 0; i < count; i += 1) await findings.nth(i).fill('Horizontal tear of the posterior horn of the medial meniscus.');
  await editor.getByLabel('Impression').fill('Medial meniscus tear.\nNo ligament injury.');
  await editor.getByLabel('Recommendations').fill('Orthopaedic consultation.');
  await editor.getByLabel('Agreement with the original read').selectOption('concordant');
  await editor.getByText('All changes saved').waitFor({ timeout: 15000 });
  await screenshot(specialist, 'report-02-editor');
  await editor.getByLabel('Password to sign').fill(DEMO_PASSWORD);
  await editor.getByRole('button', { name: 'Sign report' }).click();
  await editor.getByRole('link', { name: 'Download PDF' }).waitFor({ timeout: 30000 });
  await editor.getByText(/Signed by/).waitFor();

  // The patient sees the report and downloads the PDF.
  await patient.goto(caseUrl);
  const report = patient.getByRole('region', { name: 'Report' });
  await report.getByText('Medial meniscus tear.').waitFor();
  const href = await report.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
  const pdf = await patient.request.get(href);
  assert.equal(pdf.status(), 200);
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  await screenshot(patient, 'report-03-patient-sees-report');
});
