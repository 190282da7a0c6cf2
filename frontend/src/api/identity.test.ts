import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './client';
import {
  changePassword,
  confirmMfaEnrolment,
  createOAuthClient,
  listSsoProviders,
  reauthenticate,
  resetUserMfa,
  revokeSession,
  ssoLoginUrl,
} from './identity';

function recorder(...bodies: unknown[]) {
  const calls: { url: string; method: string; headers: Record<string, string>; body: unknown }[] = [];
  const fetchMock = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      url: String(url),
      method: init?.method ?? 'GET',
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    const body = bodies.shift();
    return body === undefined ? new Response(null, { status: 204 }) : new Response(JSON.stringify(body), { status: 200 });
  });
  const client = new ApiClient({ fetch: fetchMock as unknown as typeof fetch });
  client.setCsrfToken('csrf-1');
  return { client, calls };
}

describe('identity API', () => {
  it('builds the SSO login URL with an in-app next path', () => {
    const p = { slug: 'st-mary', login_url: '/auth/oidc/st-mary/login' };
    expect(ssoLoginUrl(p, '/cases/42?tab=report')).toBe('/auth/oidc/st-mary/login?next=%2Fcases%2F42%3Ftab%3Dreport');
    expect(ssoLoginUrl(p, null)).toBe('/auth/oidc/st-mary/login');
  });
  it('reads the public provider list and confirms enrolment with the CSRF token', async () => {
    const { client, calls } = recorder({ items: [] }, { recovery_codes: ['abcde-fghjk'] });
    await listSsoProviders(client);
    const codes = await confirmMfaEnrolment('123456', client);
    expect(calls[0]).toMatchObject({ url: '/api/auth/oidc/providers', method: 'GET' });
    expect(calls[1]).toMatchObject({ url: '/api/auth/mfa/confirm', method: 'POST', body: { code: '123456' } });
    expect(calls[1]!.headers['X-CSRF-Token']).toBe('csrf-1');
    expect(codes.recovery_codes).toEqual(['abcde-fghjk']);
  });
  it('sends the exact bodies the server schemas expect', async () => {
    const { client, calls } = recorder({ reauthenticated_at: 'x', valid_until: 'y' }, { user: {}, csrf_token: 'new' }, undefined, undefined, { id: 'c' });
    await reauthenticate({ password: 'pw' }, client);
    await changePassword({ current_password: 'a', new_password: 'b' }, client);
    await revokeSession('s/1', client);
    await resetUserMfa('u1', 5, client);
    await createOAuthClient({ name: 'PACS', organization_id: 'o1', scopes: ['dicomweb:write'] }, client);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/auth/reauth',
      'POST /api/auth/password',
      'DELETE /api/auth/sessions/s%2F1',
      'POST /api/admin/users/u1/mfa-reset',
      'POST /api/admin/oauth-clients',
    ]);
    expect(calls[1]!.body).toEqual({ current_password: 'a', new_password: 'b' });
    expect(calls[3]!.body).toEqual({ grace_days: 5 });
    expect(calls[4]!.body).toEqual({ name: 'PACS', organization_id: 'o1', scopes: ['dicomweb:write'] });
  });
});
