// Journey: a new patient signs up (with the form catching mistakes first), lands on an empty case
// list, signs out and back in.
import assert from 'node:assert/strict';
import { journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

await journey('patient-signs-up', async ({ open }) => {
  const page = await open({ viewport: { width: 390, height: 844 }, isMobile: true });
  const email = `new-patient-${uniqueSuffix()}@example.org`;
  const password = 'a long and unusual passphrase 42';
  await page.goto('/signin');
  await page.getByRole('link', { name: 'Create a patient account' }).click();
  await page.getByLabel('Full name').fill('Nina New');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password').fill('different');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Use at least 10 characters.').waitFor();
  await page.getByText('The passwords do not match.').waitFor();
  assert.equal(await page.getByLabel('Full name').inputValue(), 'Nina New');
  await screenshot(page, 'signup-01-errors');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Your cases' }).waitFor();
  await page.getByText('You have no cases yet.').waitFor();
  await screenshot(page, 'signup-02-empty-list');
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signIn(page, email, password);
  await page.getByRole('heading', { name: 'Your cases' }).waitFor();
});
