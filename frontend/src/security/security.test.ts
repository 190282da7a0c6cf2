import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { groupSecret, parseOtpauthUri } from './otpauth';
import { qrMatrix, qrPath } from './qr';
import { needsSecondFactor, secondFactorFrom, ssoErrorMessage } from './signInFlow';
import { describeUserAgent, sessionKindLabel, sortSessions } from './sessions';
import { describeRoleMapping, parseRoleMapping } from './roleMapping';
import { validateNewPassword } from './passwordForm';
import type { AuthSession } from '../api/identity';

const URI = 'otpauth://totp/Telehealth:ana%40example.org?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Telehealth';

describe('otpauth URI', () => {
  it('reads issuer, account and secret as an authenticator app does', () => {
    expect(parseOtpauthUri(URI)).toEqual({
      issuer: 'Telehealth',
      account: 'ana@example.org',
      secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      digits: 6,
      period: 30,
    });
  });
  it('refuses what is not a TOTP URI', () => {
    expect(parseOtpauthUri('otpauth://hotp/x?secret=ABC')).toBeNull();
    expect(parseOtpauthUri('https://example.org/?secret=ABC')).toBeNull();
    expect(parseOtpauthUri('otpauth://totp/x?secret=not!base32')).toBeNull();
  });
  it('groups the secret in fours for typing by hand', () => {
    expect(groupSecret('jbswy3dpehpk3pxp')).toBe('JBSW Y3DP EHPK 3PXP');
  });
});

describe('QR code', () => {
  const matrix = qrMatrix(URI);
  it('is a square matrix with the three finder patterns', () => {
    const n = matrix.length;
    expect(n).toBeGreaterThanOrEqual(21);
    expect((n - 17) % 4).toBe(0); // version v has 17 + 4v modules
    for (const [r, c] of [[0, 0], [0, n - 7], [n - 7, 0]] as const) {
      // a finder is a dark 7x7 ring around a light ring around a dark 3x3 core
      expect(matrix[r]![c]).toBe(true);
      expect(matrix[r + 6]![c + 6]).toBe(true);
      expect(matrix[r + 1]![c + 1]).toBe(false);
      expect(matrix[r + 3]![c + 3]).toBe(true);
    }
    expect(matrix[n - 1]![n - 1]).toBeTypeOf('boolean');
  });
  it('draws exactly the dark modules, offset by the quiet zone', () => {
    const dark = matrix.flat().filter(Boolean).length;
    const path = qrPath(matrix, 4);
    const widths = [...path.matchAll(/h(\d+)v1/g)].map((m) => Number(m[1]));
    expect(widths.reduce((a, b) => a + b, 0)).toBe(dark);
    expect(path.startsWith('M4 4h7v1h-7z')).toBe(true); // top row of the top-left finder, merged into one run
  });
  it('changes when the secret changes', () => {
    expect(qrPath(qrMatrix(URI.replace('JBSW', 'KBSW')))).not.toBe(qrPath(matrix));
  });
});

describe('sign-in second step', () => {
  it('recognises the mfa_required answer only', () => {
    expect(needsSecondFactor(new ApiError(401, { code: 'mfa_required', message: 'code' }))).toBe(true);
    expect(needsSecondFactor(new ApiError(401, { code: 'invalid_credentials', message: 'no' }))).toBe(false);
    expect(needsSecondFactor(new Error('x'))).toBe(false);
  });
  it('sends six digits as totp and a recovery code without its dash', () => {
    expect(secondFactorFrom(' 123 456 ', 'totp')).toEqual({ totp: '123456' });
    expect(secondFactorFrom('12345', 'totp')).toBeNull();
    expect(secondFactorFrom('ABCDE-fghjk', 'recovery')).toEqual({ recovery_code: 'abcdefghjk' });
    expect(secondFactorFrom('abc', 'recovery')).toBeNull();
  });
  it('explains single sign-on failures in plain words', () => {
    expect(ssoErrorMessage('sso_state_replayed')).toMatch(/already used/);
    expect(ssoErrorMessage('email_not_verified')).toMatch(/e-mail/);
    expect(ssoErrorMessage('something_new')).toMatch(/did not work/);
    expect(ssoErrorMessage(null)).toBeNull();
  });
});

describe('sessions list', () => {
  const s = (id: string, current: boolean, last: string, ua: string | null = null): AuthSession => ({
    id, kind: 'cookie', ip: '10.0.0.1', user_agent: ua, created_at: last, last_seen_at: last, expires_at: last, current,
  });
  it('names devices from their user agent', () => {
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36'))
      .toBe('Chrome on Windows');
    expect(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1'))
      .toBe('Safari on iOS');
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox on Linux');
    expect(describeUserAgent('python-requests/2.32')).toBe('Script');
    expect(describeUserAgent(null)).toBe('Unknown device');
    expect(sessionKindLabel('bearer')).toBe('API token');
  });
  it('puts this session first, then the most recently active', () => {
    const sorted = sortSessions([s('a', false, '2026-01-01T10:00:00Z'), s('b', false, '2026-01-02T10:00:00Z'), s('c', true, '2025-12-01T00:00:00Z')]);
    expect(sorted.map((x) => x.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('SSO role mapping', () => {
  it('parses value = roles lines into the server shape', () => {
    expect(parseRoleMapping({ claim: 'groups', lines: 'radiology = specialist\n\ngp = referrer, coordinator', defaults: ['referrer'] }))
      .toEqual({ mapping: { claim: 'groups', map: { radiology: ['specialist'], gp: ['referrer', 'coordinator'] }, default: ['referrer'] }, error: null });
  });
  it('sends no mapping when nothing is set', () => {
    expect(parseRoleMapping({ claim: 'groups', lines: '  ', defaults: [] })).toEqual({ mapping: null, error: null });
  });
  it('points at the line with an unknown role or no equals sign', () => {
    expect(parseRoleMapping({ claim: 'groups', lines: 'a = specialist\nb = surgeon', defaults: [] }).error).toMatch(/Line 2.*surgeon/);
    expect(parseRoleMapping({ claim: 'groups', lines: 'radiology', defaults: [] }).error).toMatch(/Line 1/);
  });
  it('describes a mapping for the provider list', () => {
    expect(describeRoleMapping({ claim: 'groups', map: { radiology: ['specialist'] } }))
      .toBe('groups: radiology → specialist · otherwise referrer');
    expect(describeRoleMapping(null)).toMatch(/referrer/);
  });
});

describe('new password', () => {
  it('asks for length, a match and a change', () => {
    expect(validateNewPassword({ password: 'short', confirm: 'short' })).toEqual({ password: 'Use at least 10 characters.' });
    expect(validateNewPassword({ password: 'long-enough-1', confirm: 'long-enough-2' }).confirm).toMatch(/match/);
    expect(validateNewPassword({ current: 'same-password-1', password: 'same-password-1', confirm: 'same-password-1' }).password)
      .toMatch(/not used/);
    expect(validateNewPassword({ current: 'old-password-1', password: 'new-password-1', confirm: 'new-password-1' })).toEqual({});
  });
});
