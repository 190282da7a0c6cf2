import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, buildUrl, errorMessage, extractFieldErrors, NETWORK_ERROR_MESSAGE } from './client';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function clientWith(...responses: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchMock = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new Error('no more responses');
    if (next instanceof Error) throw next;
    return next;
  });
  return { client: new ApiClient({ fetch: fetchMock as unknown as typeof fetch }), calls };
}

describe('buildUrl', () => {
  it('leaves out empty query values', () => {
    expect(buildUrl('', '/api/cases', { status: '', q: 'knee mri', page: 2, x: undefined, y: null })).toBe(
      '/api/cases?q=knee+mri&page=2',
    );
  });
  it('has no ? without query', () => {
    expect(buildUrl('http://h', '/api/cases')).toBe('http://h/api/cases');
  });
});

describe('ApiClient', () => {
  it('sends the CSRF token on writes but not on reads', async () => {
    const { client, calls } = clientWith(jsonResponse(200, { ok: 1 }), jsonResponse(201, { id: 'c1' }));
    client.setCsrfToken('tok-123');
    await client.get('/api/cases');
    await client.post('/api/cases', { title: 't' });
    const readHeaders = calls[0]!.init.headers as Record<string, string>;
    const writeHeaders = calls[1]!.init.headers as Record<string, string>;
    expect(readHeaders['X-CSRF-Token']).toBeUndefined();
    expect(writeHeaders['X-CSRF-Token']).toBe('tok-123');
    expect(writeHeaders['Content-Type']).toBe('application/json');
    expect(calls[1]!.init.body).toBe('{"title":"t"}');
    expect(calls[1]!.init.method).toBe('POST');
    expect(calls[1]!.init.credentials).toBe('same-origin');
  });

  it('sends no body and no content type when there is none', async () => {
    const { client, calls } = clientWith(jsonResponse(200, { id: 'c1' }));
    await client.post('/api/cases/c1/submit');
    expect(calls[0]!.init.body).toBeUndefined();
    expect((calls[0]!.init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  it('parses JSON and returns undefined for 204', async () => {
    const { client } = clientWith(jsonResponse(200, { items: [1] }), new Response(null, { status: 204 }));
    await expect(client.get('/api/x')).resolves.toEqual({ items: [1] });
    await expect(client.post('/api/auth/logout')).resolves.toBeUndefined();
  });

  it('turns the API error shape into an ApiError with code, message and details', async () => {
    const { client } = clientWith(
      jsonResponse(401, { error: { code: 'invalid_credentials', message: 'Wrong email or password.', details: null } }),
    );
    const error = await client.post('/api/auth/login', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials', message: 'Wrong email or password.' });
  });

  it('gives a readable error for non-JSON failures', async () => {
    const { client } = clientWith(new Response('<html>Bad gateway</html>', { status: 502 }));
    const error = (await client.get('/api/cases').catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('http_502');
    expect(error.message).toMatch(/server had a problem/i);
  });

  it('reports network failures as status 0', async () => {
    const { client } = clientWith(new TypeError('Failed to fetch'));
    const error = (await client.get('/api/cases').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.message).toBe(NETWORK_ERROR_MESSAGE);
  });

  it('tells listeners when a session ends (401 outside /api/auth)', async () => {
    const { client } = clientWith(
      jsonResponse(401, { error: { code: 'unauthorized', message: 'Sign in' } }),
      jsonResponse(401, { error: { code: 'unauthorized', message: 'Sign in' } }),
    );
    const seen: string[] = [];
    client.onUnauthorized((e) => seen.push(e.code));
    await client.get('/api/cases').catch(() => undefined);
    await client.get('/api/auth/me').catch(() => undefined);
    expect(seen).toEqual(['unauthorized']);
  });
});

describe('extractFieldErrors', () => {
  it('reads pydantic-style lists', () => {
    expect(
      extractFieldErrors([
        { loc: ['body', 'title'], msg: 'Field required' },
        { loc: ['question'], msg: 'Too short' },
      ]),
    ).toEqual({ title: 'Field required', question: 'Too short' });
  });
  it('reads {errors: [...]} and {fields: {...}}', () => {
    expect(extractFieldErrors({ errors: [{ field: 'email', message: 'taken' }] })).toEqual({ email: 'taken' });
    expect(extractFieldErrors({ fields: { password: ['too common'] } })).toEqual({ password: 'too common' });
  });
  it('ignores anything else', () => {
    expect(extractFieldErrors(null)).toEqual({});
    expect(extractFieldErrors('oops')).toEqual({});
  });
});

describe('errorMessage', () => {
  it('prefers the API message', () => {
    expect(errorMessage(new ApiError(409, { code: 'conflict', message: 'Already submitted.' }))).toBe(
      'Already submitted.',
    );
    expect(errorMessage(42)).toMatch(/something went wrong/i);
  });
});
