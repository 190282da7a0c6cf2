// Two-step verification in the browser: a new patient enrols with the key shown beside the QR
// code, signs in with a TOTP code and (on a second device) with a recovery code, signs that device
// out, changes the password, then resets it from the e-mailed link. OUTBOX_DIR is the app's
// DATA_DIR/outbox (embedded mail), set by tests/e2e/test_sso_browser.py.
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { journey, screenshot, uniqueSuffix } from './lib.mjs';

const NAME = 'sso-mfa';
const OUTBOX = process.env.OUTBOX_DIR;

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret at a time step.
function base32(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}
function totpAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
const nowStep = () => Math.floor(Date.now() / 30_000);
// The server takes each code once (a step newer than the last used) within ±1 step of now. A code is
// only handed out while it stays valid for 10 s more: one for the previous step, taken in the last second
// of the current one, reached the server a step later and was refused (a fresh-clone CI run, 02:53:00).
let lastStep = -1;
async function nextCode(secret) {
  for (;;) {
    const step = Math.max(nowStep() - 1, lastStep + 1);
    if (step <= nowStep() + 1 && (step + 2) * 30_000 - Date.now() >= 10_000) {
      lastStep = step;
      return totpAt(secret, step);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function resetLinkFor(email, since) {
  const files = readdirSync(OUTBOX)
    .map((f) => join(OUTBOX, f))
    .filter((f) => statSync(f).mtimeMs >= since)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const file of files) {
    const raw = readFileSync(file, 'utf8');
    if (!raw.toLowerCase().includes(`to: ${email}`)) continue;
    const [headers, ...rest] = raw.split(/\r?\n\r?\n/);
    let body = rest.join('\n\n');
    if (/content-transfer-encoding:\s*base64/i.test(headers)) body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
      body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    }
    const match = /https?:\/\/\S+\/reset-password\?token=[\w-]+/.exec(body);
    if (match) return match[0];
  }
  return null;
}

async function signInWithPassword(page, email, password) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
}

await journey(NAME, async ({ open }) => {
  const email = `mfa-${uniqueSuffix()}@example.org`;
  let password = 'Lantern-harbour-2026';
  const page = await open();

  const created = await page.request.post('/api/auth/register', { data: { email, password, name: 'Mia Patient' } });
  expect(created.status() === 201, `sign-up failed: ${created.status()}`);

  // 1. Enrol: QR code and a key to type by hand; the first code turns it on and shows recovery codes.
  await page.goto('/account/security');
  await page.getByRole('button', { name: 'Set up two-step verification' }).click();
  const qr = page.getByTestId('mfa-qr');
  await qr.waitFor();
  const box = await qr.boundingBox();
  expect(box && box.width >= 150, 'the QR code is not drawn');
  const secret = await page.getByTestId('mfa-secret').getAttribute('data-secret');
  expect(/^[A-Z2-7]{16,}$/.test(secret), `no secret on the page: ${secret}`);
  await screenshot(page, 'mfa-01-enrol');
  await page.getByLabel('Code from the app').fill(await nextCode(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByTestId('recovery-codes').locator('li').first().waitFor();
  const codes = (await page.getByTestId('recovery-codes').locator('li').allTextContents()).map((c) => c.trim());
  expect(codes.length === 10, `expected 10 recovery codes, got ${codes.length}`);
  await screenshot(page, 'mfa-02-recovery-codes');
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await page.getByText('10 recovery codes left.').waitFor();

  // 2. Sign out and in again: the password alone is not enough; a wrong code is refused, the right one works.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL('**/signin');
  await signInWithPassword(page, email, password);
  await screenshot(page, 'mfa-03-challenge');
  await page.getByLabel('Authentication code').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('alert').getByText(/wrong|used/i).waitFor();
  await page.getByLabel('Authentication code').fill(await nextCode(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL('**/cases');

  // 3. A second device signs in with a recovery code; the first one signs it out.
  const other = await open({ viewport: { width: 390, height: 844 }, isMobile: true });
  await signInWithPassword(other, email, password);
  await other.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await other.getByLabel('Recovery code').fill(codes[0]);
  await screenshot(other, 'mfa-03b-phone-recovery-code');
  await other.getByRole('button', { name: 'Verify' }).click();
  await other.waitForURL('**/cases');

  await page.goto('/account/security');
  await page.getByText('9 recovery codes left.').waitFor();
  const sessions = page.getByTestId('session-list').locator('li');
  await sessions.nth(1).waitFor();
  expect((await sessions.count()) === 2, 'expected two sessions');
  await screenshot(page, 'mfa-04-sessions');
  await sessions.nth(1).getByRole('button', { name: /^Sign out/ }).click();
  await sessions.nth(1).waitFor({ state: 'detached' });
  await other.goto('/cases');
  await other.waitForURL('**/signin**');

  // 4. Change the password: this browser stays signed in, with a working CSRF token.
  const newPassword = 'Quiet-meadow-river-88';
  await page.getByLabel('Current password').fill(password);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Your password was changed').waitFor();
  password = newPassword;
  await page.getByRole('link', { name: 'Cases', exact: true }).click();
  await page.waitForURL('**/cases');

  // 5. A used recovery code is refused.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL('**/signin');
  await signInWithPassword(page, email, password);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('alert').getByText(/wrong|used/i).waitFor();

  // 6. Forgot password: the e-mailed link sets a new one once (needs the app's outbox folder).
  let finalPassword = password;
  if (OUTBOX) {
    const asked = Date.now() - 1000;
    // The e-mail typed on the sign-in page comes along to the reset form.
    await page.goto('/signin');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    // Both pages have an Email field, and React Router renders the next page in a transition: wait for
    // the reset page before reading it (in CI, typing right after the click once went into the old form).
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    const emailField = page.getByLabel('Email');
    expect((await emailField.inputValue()) === email, `the reset form shows "${await emailField.inputValue()}", not ${email}`);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const sent = page.getByText(/reset link is on its way/);
    const refused = page.getByRole('alert');
    await sent.or(refused).first().waitFor();
    expect(await sent.isVisible(), `the reset form answered: ${await refused.textContent().catch(() => '')}`);
    const link = resetLinkFor(email, asked);
    expect(link, `no reset e-mail for ${email} in ${OUTBOX}`);
    const resetPassword = 'Copper-kettle-winter-41';
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill(resetPassword);
    await page.getByLabel('Repeat the new password').fill(resetPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password was changed and you were signed out everywhere').waitFor();
    await screenshot(page, 'mfa-05-reset-done');
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('Another-password-2026');
    await page.getByLabel('Repeat the new password').fill('Another-password-2026');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('alert').getByText(/already been used/).waitFor();
    console.log('reset link worked once');
    finalPassword = resetPassword;
  } else {
    console.log('no OUTBOX_DIR: the e-mailed reset link is not followed');
  }

  // 7. The (new) password with a fresh code signs in.
  await signInWithPassword(page, email, finalPassword);
  await page.getByLabel('Authentication code').fill(await nextCode(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL('**/cases');
  await page.getByText('Mia Patient').waitFor();
});
