// Journey: the patient shares the images of a consult with a passcode-protected link; a recipient
// without an account enters the passcode, sees the study and reads it in the read-only viewer; the
// patient sees the use in the link's log and revokes it; the recipient's next visit is refused.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

const folder = process.env.SAMPLE_DICOM_DIR;
if (!folder) throw new Error('Set SAMPLE_DICOM_DIR to a folder of DICOM files');
const files = readdirSync(folder).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(folder, f));

await journey('portal-share-links', async ({ open }) => {
  const patient = await open();
  patient.on('dialog', (dialog) => dialog.accept());
  await signIn(patient, demo('patient'));
  await patient.goto('/cases/new');
  const title = `Shared CT ${uniqueSuffix()}`;
  await patient.getByLabel('Title').fill(title);
  await patient.getByLabel('Your question for the specialist').fill('Could my GP look at this too?');
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByLabel('Files to upload').setInputFiles(files);
  await patient.getByText(`Uploaded ${files.length} of ${files.length} files`).waitFor({ timeout: 60000 });
  await patient.getByRole('button', { name: 'Save draft' }).click();
  await patient.getByRole('heading', { name: title, level: 1 }).waitFor();

  // Create a link: a note, a use limit, a generated passcode shown once.
  const share = patient.getByRole('region', { name: 'Share links' });
  await share.getByText('No share links yet.').waitFor();
  await share.getByRole('button', { name: 'Create a share link' }).click();
  await share.getByLabel('Number of visits allowed').fill('zero');
  await share.getByLabel('Note (who it is for)').fill('For Dr Lee (GP)');
  await share.getByRole('button', { name: 'Create link' }).click();
  await share.getByText('Enter a whole number from 1 to 100000, or leave empty.').waitFor();
  assert.equal(await share.getByLabel('Note (who it is for)').inputValue(), 'For Dr Lee (GP)', 'the note survived the error');
  await share.getByLabel('Number of visits allowed').fill('5');
  await share.getByLabel('Works for').selectOption({ label: '1 week' });
  await share.getByRole('button', { name: 'Create link' }).click();
  const url = await share.getByTestId('share-url').innerText();
  const passcode = await share.getByTestId('share-passcode').innerText();
  assert.match(url, /\/share\/[\w-]{20,}$/);
  assert.match(passcode, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  await screenshot(patient, 'portal-share-01-created');
  await share.getByRole('button', { name: 'Done' }).click();
  assert.equal(await share.getByTestId('share-passcode').count(), 0, 'the passcode is not shown again');
  await share.getByText('For Dr Lee (GP)').waitFor();

  // The recipient: no account, a phone.
  const recipient = await open({ viewport: { width: 390, height: 800 }, isMobile: true });
  const frames = [];
  recipient.on('response', (r) => r.url().includes('/frames/') && frames.push(r.status()));
  await recipient.goto(url);
  await recipient.getByText('This link is protected.').waitFor();
  await recipient.getByLabel('Passcode').fill('wrong-pass-code');
  await recipient.getByRole('button', { name: 'Open' }).click();
  await recipient.getByText('That passcode is not right.').waitFor();
  await recipient.getByLabel('Passcode').fill(passcode);
  await recipient.getByRole('button', { name: 'Open' }).click();
  const studies = recipient.getByRole('list', { name: 'Studies' });
  await studies.getByText('CT PHANTOM').waitFor();
  await screenshot(recipient, 'portal-share-02-recipient-studies');
  await studies.getByRole('button', { name: 'Open viewer' }).click();
  const indicator = recipient.getByTestId('slice-indicator');
  await indicator.waitFor({ timeout: 30000 });
  assert.match(await indicator.innerText(), new RegExp(`/ ${files.length}$`));
  await recipient.waitForFunction(() => {
    const canvas = document.querySelector('[data-testid="viewport"] canvas');
    return !!canvas && canvas.width > 0;
  });
  await recipient.getByTestId('window-indicator').waitFor();
  assert.ok(frames.length > 0 && frames.every((s) => s === 200), `frames answered ${frames.join(', ')}`);
  await screenshot(recipient, 'portal-share-03-recipient-viewer');

  // The patient sees the use and the refused attempts, then revokes the link.
  await patient.reload();
  const usage = patient.getByRole('region', { name: 'Share links' }).getByTestId('share-usage');
  await usage.waitFor();
  const text = await usage.innerText();
  assert.match(text, /^1 use of 5 · 1 visit logged · \d+ refused/, text);
  await patient.getByRole('button', { name: 'Revoke For Dr Lee (GP)' }).click();
  await patient.getByRole('region', { name: 'Share links' }).getByText('Revoked', { exact: true }).waitFor();
  await screenshot(patient, 'portal-share-04-revoked');

  await recipient.goto(url);
  await recipient.getByText('This share link was revoked').waitFor();
  await screenshot(recipient, 'portal-share-05-recipient-refused');
});
