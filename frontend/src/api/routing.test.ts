import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from './client';
import { createRule, deleteRule, saveSpecialist, savePreferences, updateRule } from './routing';

function clientWith(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchMock = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  const client = new ApiClient({ fetch: fetchMock as unknown as typeof fetch });
  client.setCsrfToken('tok');
  return { client, calls };
}

describe('routing api', () => {
  it('PUTs a profile change with the CSRF token to the escaped path', async () => {
    const { client, calls } = clientWith(200, { id: 'p1' });
    await saveSpecialist('u/1', { languages: ['en'] }, client);
    expect(calls[0]!.url).toBe('/api/specialists/u%2F1');
    expect(calls[0]!.init.method).toBe('PUT');
    expect((calls[0]!.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ languages: ['en'] });
  });

  it('creates, patches and deletes rules', async () => {
    const a = clientWith(201, { id: 'r1' });
    await createRule(
      {
        name: 'CT chest',
        position: 10,
        active: true,
        match_specialty: null,
        match_modality: 'CT',
        match_body_part: null,
        match_region: null,
        match_language: null,
        required_specialty: 'radiology',
        required_subspecialty: null,
        weights: {},
      },
      a.client,
    );
    expect(a.calls[0]!.init.method).toBe('POST');
    const b = clientWith(200, { id: 'r1' });
    await updateRule('r1', { active: false }, b.client);
    expect(b.calls[0]!.url).toBe('/api/routing-rules/r1');
    expect(b.calls[0]!.init.method).toBe('PATCH');
    const c = clientWith(204, undefined);
    await expect(deleteRule('r1', c.client)).resolves.toBeUndefined();
  });

  it('wraps preferences and surfaces a typed error', async () => {
    const { client, calls } = clientWith(422, { error: { code: 'validation_failed', message: 'Unknown kind' } });
    const err = await savePreferences([{ kind: 'x', email: true }], client).catch((e: unknown) => e);
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ preferences: [{ kind: 'x', email: true }] });
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('Unknown kind');
  });
});
