// Journey: routing administration. The admin edits a specialist's profile (working hours with a
// mistake first, an absence) and creates, edits and removes a routing rule; a specialist sets their own
// availability and notification settings. Everything is put back at the end (shared demo data).
import assert from 'node:assert/strict';
import { demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

const nextYear = new Date().getFullYear() + 1;

await journey('portal-routing-admin', async ({ open }) => {
  const admin = await open();
  admin.on('dialog', (dialog) => dialog.accept());
  await signIn(admin, demo('admin'));

  // Specialists: the list, then Sam's profile.
  await admin.goto('/admin/specialists');
  await admin.getByRole('link', { name: 'Dr. Sam Specialist' }).click();
  const form = admin.getByRole('form', { name: 'Profile of Dr. Sam Specialist' });
  await form.getByLabel('Capacity (open cases at once)').waitFor();
  const capacity = await form.getByLabel('Capacity (open cases at once)').inputValue();
  await form.getByLabel('Capacity (open cases at once)').fill('7');
  await form.getByLabel('Saturday').fill('9-13');
  await form.getByRole('button', { name: 'Add an absence' }).click();
  await form.getByLabel('From (absence 1)').fill(`${nextYear}-03-02T08:00`);
  await form.getByLabel('Until').fill(`${nextYear}-03-06T18:00`);
  await form.getByLabel('Reason (optional)').fill('Congress');
  await form.getByRole('button', { name: /^Save/ }).click();
  await form.getByText('“9-13” is not a window like 08:00-17:00.').waitFor();
  assert.equal(await form.getByLabel('Reason (optional)').inputValue(), 'Congress', 'the absence survived the error');
  await form.getByLabel('Saturday').fill('09:00-13:00');
  await form.getByRole('button', { name: /^Save/ }).click();
  await form.getByText('Saved.').waitFor();
  await screenshot(admin, 'portal-admin-01-profile-saved');

  await admin.reload();
  const again = admin.getByRole('form', { name: 'Profile of Dr. Sam Specialist' });
  await again.getByLabel('Capacity (open cases at once)').waitFor();
  assert.equal(await again.getByLabel('Capacity (open cases at once)').inputValue(), '7');
  assert.equal(await again.getByLabel('Saturday').inputValue(), '09:00-13:00');
  assert.equal(await again.getByLabel('Reason (optional)').inputValue(), 'Congress');
  await admin.goto('/admin/specialists');
  const samRow = admin.getByRole('row').filter({ hasText: 'Dr. Sam Specialist' });
  await samRow.waitFor();
  assert.match(await samRow.innerText(), /\/ 7/);

  // Put Sam back as he was (other journeys route to the demo specialists at any hour).
  await admin.getByRole('link', { name: 'Dr. Sam Specialist' }).click();
  const restore = admin.getByRole('form', { name: 'Profile of Dr. Sam Specialist' });
  await restore.getByLabel('Capacity (open cases at once)').fill(capacity);
  await restore.getByLabel('Saturday').fill('');
  await restore.getByRole('button', { name: 'Remove absence 1' }).click();
  await restore.getByRole('button', { name: /^Save/ }).click();
  await restore.getByText('Saved.').waitFor();

  // Routing rules: create, edit, remove.
  const name = `Ankle imaging to MSK ${uniqueSuffix()}`;
  await admin.goto('/admin/routing-rules');
  await admin.getByRole('button', { name: 'Add a rule' }).click();
  const ruleForm = admin.getByRole('form', { name: 'New routing rule' });
  await ruleForm.getByLabel('Name', { exact: true }).fill(name);
  await ruleForm.getByLabel('Position', { exact: true }).fill('30');
  await ruleForm.getByLabel('Body part', { exact: true }).fill('ANKLE');
  await ruleForm.getByLabel('Subspecialty', { exact: true }).fill('musculoskeletal');
  await ruleForm.getByLabel('Weight of specialty', { exact: true }).fill('lots');
  await ruleForm.getByRole('button', { name: 'Add rule' }).click();
  await ruleForm.locator('.field-error').first().waitFor();
  assert.equal(await ruleForm.getByLabel('Name', { exact: true }).inputValue(), name, 'the name survived the error');
  await ruleForm.getByLabel('Weight of specialty', { exact: true }).fill('');
  await ruleForm.getByRole('button', { name: 'Add rule' }).click();
  const row = admin.getByRole('row').filter({ hasText: name });
  await row.waitFor();
  assert.match(await row.innerText(), /ANKLE/);
  assert.match(await row.innerText(), /musculoskeletal/);
  await screenshot(admin, 'portal-admin-02-rule-created');

  await row.getByRole('button', { name: `Edit ${name}` }).click();
  const editForm = admin.getByRole('form', { name: `Edit rule ${name}` });
  await editForm.getByLabel('Position', { exact: true }).fill('35');
  await editForm.getByLabel('Modality', { exact: true }).fill('MR');
  await editForm.getByRole('button', { name: 'Save rule' }).click();
  await editForm.waitFor({ state: 'detached' });
  await admin.reload();
  const edited = admin.getByRole('row').filter({ hasText: name });
  await edited.waitFor();
  assert.match(await edited.innerText(), /35/);
  assert.match(await edited.innerText(), /MR/);
  await screenshot(admin, 'portal-admin-03-rule-edited');
  await edited.getByRole('button', { name: `Delete ${name}` }).click();
  await admin.getByRole('row').filter({ hasText: name }).waitFor({ state: 'detached' });

  // The specialist's own pages.
  const sam = await open({ viewport: { width: 390, height: 800 }, isMobile: true });
  await signIn(sam, demo('specialist'));
  await sam.goto('/account/availability');
  await sam.getByRole('heading', { name: 'My availability' }).waitFor();
  const own = sam.getByRole('form', { name: 'Profile of Dr. Sam Specialist' });
  assert.equal(await own.getByLabel('Capacity (open cases at once)').count(), 0, 'capacity is set by an administrator');
  await own.getByLabel('Sunday').fill('10:00-09:00');
  await own.getByRole('button', { name: /^Save/ }).click();
  await own.getByText('10:00-09:00 ends before it starts.').waitFor();
  await own.getByLabel('Sunday').fill('10:00-12:00');
  await own.getByRole('button', { name: /^Save/ }).click();
  await own.getByText('Saved.').waitFor();
  await screenshot(sam, 'portal-admin-04-own-availability');
  await sam.reload();
  await own.getByLabel('Sunday').waitFor();
  assert.equal(await own.getByLabel('Sunday').inputValue(), '10:00-12:00');
  await own.getByLabel('Sunday').fill('');
  await own.getByRole('button', { name: /^Save/ }).click();
  await own.getByText('Saved.').waitFor();

  await sam.goto('/account/notifications');
  const prefs = sam.getByRole('form', { name: 'Notification settings' });
  const box = prefs.getByRole('checkbox', { name: /by e-mail$/ }).first();
  await box.waitFor();
  const label = await box.getAttribute('aria-label');
  const before = await box.isChecked();
  await box.setChecked(!before);
  await prefs.getByRole('button', { name: 'Save settings' }).click();
  await prefs.getByText('Your notification settings are saved.').waitFor();
  await sam.reload();
  const same = sam.getByRole('form', { name: 'Notification settings' }).getByRole('checkbox', { name: label, exact: true });
  await same.waitFor();
  assert.equal(await same.isChecked(), !before, `${label} was kept`);
  await screenshot(sam, 'portal-admin-05-notifications');
  await same.setChecked(before);
  await sam.getByRole('button', { name: 'Save settings' }).click();
  await sam.getByText('Your notification settings are saved.').waitFor();
});
