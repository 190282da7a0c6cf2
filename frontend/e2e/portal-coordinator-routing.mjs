// Journey: a consult no specialist matches stays in triage; the coordinator offers it by hand from the
// board, then reassigns it from the case page to another specialist; the offer state shows each step.
import assert from 'node:assert/strict';
import { demo, journey, screenshot, signIn, uniqueSuffix } from './lib.mjs';

await journey('portal-coordinator-routing', async ({ open }) => {
  const patient = await open();
  const title = `Cardiac MRI ${uniqueSuffix()}`;
  await signIn(patient, demo('patient'));
  await patient.goto('/cases/new');
  await patient.getByLabel('Title').fill(title);
  await patient.getByLabel('Your question for the specialist').fill('Is the heart muscle scarred?');
  await patient.getByLabel('Requested specialty').selectOption('cardiac imaging');
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByRole('button', { name: 'Continue' }).click();
  await patient.getByRole('checkbox', { name: /I consent/ }).check();
  await patient.getByRole('button', { name: 'Submit consult' }).click();
  await patient.getByRole('heading', { name: title, level: 1 }).waitFor();

  const coordinator = await open();
  await signIn(coordinator, demo('coordinator'));
  await coordinator.goto('/worklist?view=coordinator');
  await coordinator.getByRole('heading', { name: 'Coordinator board' }).waitFor();
  // No cardiac specialist: routing left it for the coordinator.
  await coordinator.getByRole('button', { name: `Offer ${title}` }).click();
  const offerForm = coordinator.getByRole('form', { name: `Offer ${title}` });
  await coordinator.getByText('Not offered to anyone yet.').waitFor();
  await offerForm.getByRole('button', { name: 'Offer case' }).click();
  await offerForm.getByText('Choose the specialist to offer the case to.').waitFor();
  const select = offerForm.getByLabel('Offer to');
  await select.locator('option', { hasText: 'Dr. Sam Specialist' }).waitFor({ state: 'attached' });
  const options = await select.locator('option').allInnerTexts();
  const sam = options.find((o) => o.startsWith('Dr. Sam Specialist'));
  assert.ok(sam, `Sam is a candidate: ${options.join(' | ')}`);
  assert.match(sam, /not a match: .*cardiac imaging/);
  await select.selectOption({ label: sam });
  await screenshot(coordinator, 'portal-coord-01-offer-form');
  await offerForm.getByRole('button', { name: 'Offer case' }).click();
  await coordinator.getByText(`${title}: Offered to Dr. Sam Specialist.`).waitFor();
  const row = coordinator.getByRole('row').filter({ hasText: title });
  await row.getByText('Offer waiting').waitFor();
  await screenshot(coordinator, 'portal-coord-02-board-offered');

  // On the case page: the offer is pending; reassign it to the neuroradiologist with a reason.
  await row.getByRole('link', { name: title }).click();
  const routing = coordinator.getByRole('region', { name: 'Routing' });
  await routing.getByText('Dr. Sam Specialist: Waiting for an answer').waitFor();
  const reassign = routing.getByLabel('Reassign to');
  await reassign.locator('option', { hasText: 'Dr. Nora Neuro' }).waitFor({ state: 'attached' });
  const reassignOptions = await reassign.locator('option').allInnerTexts();
  const nora = reassignOptions.find((o) => o.startsWith('Dr. Nora Neuro'));
  assert.ok(nora, reassignOptions.join(' | '));
  await reassign.selectOption({ label: nora });
  await routing.getByLabel('Reason (shown to the specialist)').fill('Sam is away this week');
  await routing.getByRole('button', { name: 'Reassign case' }).click();
  await routing.getByText('Reassigned to Dr. Nora Neuro.').waitFor();
  await routing.getByText('Dr. Nora Neuro: Waiting for an answer').waitFor();
  await routing.getByText('Dr. Sam Specialist: Withdrawn (Sam is away this week)').waitFor();
  await screenshot(coordinator, 'portal-coord-03-case-reassigned');

  // Nora sees the offer on her worklist.
  const nora_ = await open();
  await signIn(nora_, demo('neuro'));
  await nora_.goto('/worklist?view=specialist');
  await nora_.getByRole('button', { name: `Accept ${title}` }).waitFor();
});
