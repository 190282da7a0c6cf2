import { describe, expect, it } from 'vitest';
import type { ShareLink } from '../api/cases';
import { absoluteShareUrl, EMPTY_SHARE_FORM, generatePasscode, linkState, shareClient, toShareInput } from './shareLinks';

const link = (over: Partial<ShareLink> = {}): ShareLink => ({
  id: 'l1', label: '', expires_at: '2030-01-01T00:00:00Z', max_uses: null, use_count: 0, revoked_at: null,
  has_passcode: true, created_at: '2026-01-01T00:00:00Z', accesses: [], ...over,
});

describe('share links', () => {
  it('generates readable passcodes the server accepts (4..128 chars)', () => {
    const code = generatePasscode();
    expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(code).not.toMatch(/[01lo]/);
    expect(generatePasscode()).not.toBe(code);
  });

  it('checks the form and builds the request', () => {
    expect(toShareInput({ ...EMPTY_SHARE_FORM, label: ' For Dr Who ', maxUses: '3' }, 'abcd-efgh-ijkm')).toEqual({
      input: { label: 'For Dr Who', expires_in_hours: 72, max_uses: 3, passcode: 'abcd-efgh-ijkm' },
      errors: null,
    });
    expect(toShareInput({ ...EMPTY_SHARE_FORM, withPasscode: false }, 'x').input?.passcode).toBeNull();
    expect(toShareInput({ ...EMPTY_SHARE_FORM, maxUses: '0' }, null).errors).toEqual({
      max_uses: 'Enter a whole number from 1 to 100000, or leave empty.',
    });
    expect(toShareInput({ ...EMPTY_SHARE_FORM, maxUses: '2.5', expiresInHours: 5 }, null).errors).toHaveProperty('expires_in_hours');
  });

  it('tells a link’s state', () => {
    const now = new Date('2029-01-01T00:00:00Z');
    expect(linkState(link(), now)).toBe('active');
    expect(linkState(link({ revoked_at: '2028-01-01T00:00:00Z' }), now)).toBe('revoked');
    expect(linkState(link({ expires_at: '2028-12-31T00:00:00Z' }), now)).toBe('expired');
    expect(linkState(link({ max_uses: 2, use_count: 2 }), now)).toBe('used_up');
  });

  it('makes the handed-out URL absolute', () => {
    expect(absoluteShareUrl({ token: 'tok-1_x' }, 'https://portal.example')).toBe('https://portal.example/share/tok-1_x');
  });

  it('sends the passcode on every request of the recipient, without cookies', async () => {
    const seen: RequestInit[] = [];
    const client = shareClient('k7mq-x2pa-9rtw', async (_input, init) => {
      seen.push(init ?? {});
      return new Response('[]', { status: 200, headers: { 'Content-Type': 'application/json' } });
    });
    await client.get('/share/t/dicomweb/studies');
    expect(new Headers(seen[0]!.headers).get('X-Share-Passcode')).toBe('k7mq-x2pa-9rtw');
    expect(seen[0]!.credentials).toBe('omit');
  });
});
