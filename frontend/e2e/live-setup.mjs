// Shared start of the live-session journeys: the patient uploads a CT to a musculoskeletal consult,
// the MSK specialist accepts it and starts a live session (host and presenter), the patient joins.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, demo, signIn, uniqueSuffix } from './lib.mjs';

/** Fake camera and microphone, allowed without a prompt (for the audio/video steps). */
export function useFakeMedia() {
  for (const flag of ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required']) {
    if (!CHROMIUM_ARGS.includes(flag)) CHROMIUM_ARGS.push(flag);
  }
}

export function sampleFiles() {
  const folder = process.env.SAMPLE_DICOM_DIR;
  if (!folder) throw new Error('Set SAMPLE_DICOM_DIR to a folder of DICOM files');
  return readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(folder, f));
}

/** Returns {patient, specialist} pages, both in the session's viewer, the specialist presenting. */
export async function startLiveCase(open, files) {
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

  await patient.goto(caseUrl);
  await patient.getByRole('button', { name: /^Join / }).click();
  await patient.getByTestId('slice-indicator').waitFor({ timeout: 30000 });
  await patient.getByRole('button', { name: 'Following' }).waitFor();
  await specialist.getByText(/Pat Jones/).first().waitFor();
  return { patient, specialist, caseUrl };
}
