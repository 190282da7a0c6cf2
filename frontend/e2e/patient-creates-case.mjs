// Journey: the demo patient signs in, opens a consult through the wizard and sees it in the list.
import assert from 'node:assert/strict';
import { demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

await journey('patient-creates-case', async ({ open }) => {
  const page = await open();
  const title = `Knee MRI second opinion ${uniqueSuffix()}`;

  // A wrong password shows the server's message and keeps the e-mail typed.
  await page.goto('/signin');
  await page.getByLabel('Email').fill(demo('patient'));
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), demo('patient'));
  await screenshot(page, 'patient-01-signin-error');

  await signIn(page, demo('patient'));
  await page.getByRole('heading', { name: 'Your cases' }).waitFor();
  await screenshot(page, 'patient-02-case-list-before');

  await page.getByRole('link', { name: 'New consult' }).first().click();
  await page.getByRole('heading', { name: 'Ask for a second opinion' }).waitFor();
  // Continue without a title: the form says what is missing.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('Give the consult a short title.').waitFor();
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Your question for the specialist').fill('Is surgery really needed for this meniscus tear?');
  await page.getByLabel('Requested specialty').selectOption('musculoskeletal');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByLabel('Medical history').fill('Twisted knee playing football in October; pain on stairs.');
  await page.getByLabel(/Urgent/).check();
  await screenshot(page, 'patient-03-wizard-background');
  await page.getByRole('button', { name: 'Continue' }).click();

  // The images step (the draft now exists on the server); images can also come later.
  await page.getByRole('heading', { name: /Images/ }).waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: /Consent and submit/ }).waitFor();
  await page.getByRole('button', { name: 'Submit consult' }).click();
  await page.getByText('Please confirm your consent to continue.').waitFor();
  await page.getByRole('checkbox', { name: /I consent/ }).check();
  await screenshot(page, 'patient-04-wizard-consent');
  await page.getByRole('button', { name: 'Submit consult' }).click();

  // The case page shows the new case with its status and timeline.
  await page.getByRole('heading', { name: title, level: 1 }).waitFor();
  await page.getByText('Your consult was submitted.').waitFor();
  const status = await page.locator('.case-header [data-status]').getAttribute('data-status');
  assert.ok(status && status !== 'draft', `expected a submitted case, got ${status}`);
  await page.getByRole('heading', { name: 'Timeline' }).waitFor();

  // Ask a question in the thread.
  await page.getByLabel('Write a message').fill('Should I bring my earlier X-rays?');
  await page.getByRole('button', { name: 'Send message' }).click();
  await page.getByRole('list', { name: 'Message thread' }).getByText('Should I bring my earlier X-rays?').waitFor();
  await screenshot(page, 'patient-05-case-page');

  // And the list shows it.
  await page.getByRole('link', { name: 'Cases', exact: true }).first().click();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: title }) });
  await row.waitFor();
  assert.match(await row.innerText(), /Urgent/);
  await screenshot(page, 'patient-06-case-list-after');

  // Filtering by status keeps it when it matches and hides it when not.
  await page.getByLabel('Status').selectOption('draft');
  await page.waitForURL(/status=draft/);
  await page.getByRole('link', { name: title }).waitFor({ state: 'detached' });

  // On a phone the same list is readable.
  const phone = await open({ viewport: { width: 390, height: 844 }, isMobile: true });
  await signIn(phone, demo('patient'));
  await phone.getByRole('link', { name: title }).waitFor();
  await screenshot(phone, 'patient-07-phone-list');
});
