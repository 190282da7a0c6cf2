// Single sign-on in the browser: the admin registers the hospital's OpenID provider (and an
// integration client), then a clinician clicks "Sign in with …", passes the provider's interaction
// and lands back signed in; a replayed callback returns to the sign-in page with a readable error.
// Needs a running OpenID provider that knows BASE_URL's callback (tests/e2e/test_sso_browser.py).
import { BASE_URL, demo, journey, screenshot, signIn } from './lib.mjs';

const NAME = 'sso-login';
const { OP_ISSUER, OP_CLIENT_ID, OP_CLIENT_SECRET } = process.env;
const SLUG = process.env.SSO_SLUG ?? 'st-mary';

if (!OP_ISSUER || !OP_CLIENT_ID || !OP_CLIENT_SECRET) {
  console.log(`SKIP ${NAME}: set OP_ISSUER, OP_CLIENT_ID and OP_CLIENT_SECRET (run it through pytest tests/e2e/test_sso_browser.py)`);
  process.exit(0);
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function clientToken(clientId, secret) {
  const response = await fetch(`${BASE_URL}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=cases:read',
  });
  return response.status;
}

await journey(NAME, async ({ open }) => {
  const page = await open();
  await signIn(page, demo('admin'));

  // 1. The admin adds the hospital's identity provider.
  await page.goto('/admin/sso');
  await page.getByLabel('Button name').fill('St. Mary Hospital');
  await page.getByLabel('Short name (slug)').fill(SLUG);
  await page.getByLabel('Organization', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('Issuer URL').fill(OP_ISSUER);
  await page.getByLabel('Client ID').fill(OP_CLIENT_ID);
  await page.getByLabel('Client secret').fill(OP_CLIENT_SECRET);
  await page.getByLabel('Scopes').fill('openid email profile groups');
  await page.getByLabel('Role rules').fill('radiology = specialist\ngp = referrer');
  await page.getByRole('button', { name: 'Add provider' }).click();
  await page.getByText('St. Mary Hospital was added').waitFor();
  await page.getByRole('cell', { name: /radiology → specialist/ }).waitFor();
  await screenshot(page, 'sso-01-admin-provider');

  // 2. ... and an integration client: its secret is shown once, gets a token, and stops working when revoked.
  await page.getByRole('link', { name: 'API clients' }).click();
  await page.getByLabel('Client name').fill('St. Mary PACS gateway');
  await page.getByLabel('Organization', { exact: true }).selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Register client' }).click();
  const clientId = (await page.getByTestId('client-id').textContent()).trim();
  const secret = (await page.getByTestId('client-secret').textContent()).trim();
  expect((await clientToken(clientId, secret)) === 200, 'the new client could not get a token');
  await screenshot(page, 'sso-02-api-client');
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Revoke St. Mary PACS gateway' }).click();
  await page.getByRole('button', { name: 'Revoke St. Mary PACS gateway' }).waitFor({ state: 'detached' });
  expect((await clientToken(clientId, secret)) === 401, 'a revoked client still got a token');

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL('**/signin');

  // 3. The clinician signs in through the provider.
  const navigations = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest()) navigations.push(request.url());
  });
  const button = page.getByRole('link', { name: 'Sign in with St. Mary Hospital' });
  await button.waitFor();
  await screenshot(page, 'sso-03-signin-page');
  await button.click();
  await page.waitForURL('**/worklist');
  await page.getByText('Dr. Alice Radiologist').waitFor();
  await page.getByText('Specialist', { exact: true }).waitFor();
  await page.getByText('Loading the worklist…').waitFor({ state: 'detached' });
  const interaction = navigations.find((url) => url.startsWith(OP_ISSUER) && url.includes('/interaction/'));
  expect(interaction, `never went through the provider: ${navigations.join(' → ')}`);
  console.log(`passed the provider's interaction at ${new URL(interaction).pathname}`);
  const callback = navigations.find((url) => url.startsWith(`${BASE_URL}/auth/oidc/${SLUG}/callback?`));
  expect(callback, 'never came back through our callback');
  await screenshot(page, 'sso-04-signed-in');

  // 4. Replaying the provider's answer does not sign anyone in; the sign-in page says why.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL('**/signin');
  await page.goto(callback);
  await page.waitForURL((url) => url.pathname === '/signin' && url.searchParams.has('sso_error'));
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.textContent();
  expect(/already used|start again|match/i.test(text), `unexpected message: ${text}`);
  const me = await page.request.get('/api/auth/me');
  expect(me.status() === 401, 'a replayed callback signed someone in');
  await screenshot(page, 'sso-05-replayed-callback');

  // 5. An administrator finds the new clinician and resets their two-step verification (lost phone).
  await signIn(page, demo('admin'));
  await page.goto('/admin/two-step');
  await page.getByLabel('Find the user').fill('Alice');
  await page.getByRole('button', { name: 'Search' }).click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Reset two-step verification of Dr. Alice Radiologist' }).click();
  await page.getByText(/must set up two-step verification again within 3 days/).waitFor();
  await screenshot(page, 'sso-06-admin-mfa-reset');
});
