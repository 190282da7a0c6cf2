import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client';
import { hasRole, safeNext, SessionStore } from './session';
import type { User } from '../api/types';

const patient: User = {
  id: 'u1',
  email: 'patient@demo.telehealth.local',
  name: 'Pat Ient',
  roles: ['patient'],
  organization: null,
};

function fakeServer(routes: Record<string, () => Response>) {
  const seen: { url: string; headers: Record<string, string> }[] = [];
  const fetchMock = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${String(url)}`;
    seen.push({ url: key, headers: (init?.headers ?? {}) as Record<string, string> });
    const route = routes[key];
    if (!route) return new Response(null, { status: 404 });
    return route();
  });
  return { client: new ApiClient({ fetch: fetchMock as unknown as typeof fetch }), seen };
}

const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('SessionStore', () => {
  it('restores a signed-in session and keeps the CSRF token for writes', async () => {
    const { client, seen } = fakeServer({
      'GET /api/auth/me': json(200, { user: patient, csrf_token: 'abc' }),
      'POST /api/auth/logout': () => new Response(null, { status: 204 }),
    });
    const store = new SessionStore(client);
    expect(store.getState().status).toBe('loading');
    await store.restore();
    expect(store.getState()).toEqual({ status: 'authenticated', user: patient });
    await store.logout();
    expect(seen[1]!.headers['X-CSRF-Token']).toBe('abc');
    expect(store.getState().status).toBe('anonymous');
    expect(client.getCsrfToken()).toBeNull();
  });

  it('is anonymous when /me answers 401', async () => {
    const { client } = fakeServer({
      'GET /api/auth/me': json(401, { error: { code: 'unauthorized', message: 'no' } }),
    });
    const store = new SessionStore(client);
    await store.restore();
    expect(store.getState().status).toBe('anonymous');
  });

  it('signs in, notifies subscribers, and surfaces the server message on failure', async () => {
    let ok = false;
    const { client } = fakeServer({
      'POST /api/auth/login': () =>
        ok
          ? json(200, { user: patient, csrf_token: 't1' })()
          : json(401, { error: { code: 'invalid_credentials', message: 'Wrong email or password.' } })(),
    });
    const store = new SessionStore(client);
    const listener = vi.fn();
    store.subscribe(listener);
    await expect(store.login({ email: 'x', password: 'y' })).rejects.toMatchObject({
      message: 'Wrong email or password.',
    });
    ok = true;
    await expect(store.login({ email: 'x', password: 'y' })).resolves.toEqual(patient);
    expect(client.getCsrfToken()).toBe('t1');
    expect(listener).toHaveBeenCalled();
  });

  it('register falls back to /me when the answer has no token', async () => {
    const { client } = fakeServer({
      'POST /api/auth/register': json(201, { user: patient }),
      'GET /api/auth/me': json(200, { user: patient, csrf_token: 'from-me' }),
    });
    const store = new SessionStore(client);
    await store.register({ email: 'a@b.co', password: 'long-enough-pass', name: 'A' });
    expect(client.getCsrfToken()).toBe('from-me');
    expect(store.getState().status).toBe('authenticated');
  });

  it('marks the session expired when an API call answers 401', async () => {
    const { client } = fakeServer({
      'GET /api/auth/me': json(200, { user: patient, csrf_token: 'abc' }),
      'GET /api/cases': json(401, { error: { code: 'unauthorized', message: 'Sign in' } }),
    });
    const store = new SessionStore(client);
    await store.restore();
    await client.get('/api/cases').catch(() => undefined);
    expect(store.getState()).toEqual({ status: 'anonymous', user: null, expired: true });
  });
});

describe('helpers', () => {
  it('hasRole', () => {
    expect(hasRole(patient, 'patient')).toBe(true);
    expect(hasRole(patient, 'specialist', 'admin')).toBe(false);
    expect(hasRole(null, 'patient')).toBe(false);
  });
  it('safeNext keeps redirects inside the app', () => {
    expect(safeNext('/cases/1')).toBe('/cases/1');
    expect(safeNext('//evil.example')).toBeNull();
    expect(safeNext('https://evil.example')).toBeNull();
    expect(safeNext('/signin')).toBeNull();
    expect(safeNext(null)).toBeNull();
  });
});

import { homePath } from './session';

describe('homePath', () => {
  it('sends clinicians to their worklist and patients to their cases', () => {
    expect(homePath(patient)).toBe('/cases');
    expect(homePath({ ...patient, roles: ['specialist'] })).toBe('/worklist');
    expect(homePath({ ...patient, roles: ['coordinator'] })).toBe('/worklist');
    expect(homePath({ ...patient, roles: ['referrer'] })).toBe('/cases');
  });
});
