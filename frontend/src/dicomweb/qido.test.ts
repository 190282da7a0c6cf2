import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client';
import { EARLY_METADATA_MAX_AGE_MS, prefetchSeriesMetadata, takeSeriesMetadata } from './qido';

function counting() {
  const urls: string[] = [];
  const fetchMock = vi.fn(async (url: RequestInfo | URL) => {
    urls.push(String(url));
    return new Response(JSON.stringify([{ '00080018': { vr: 'UI', Value: [`1.2.${urls.length}`] } }]), {
      status: 200,
      headers: { 'Content-Type': 'application/dicom+json' },
    });
  });
  return { client: new ApiClient({ fetch: fetchMock as unknown as typeof fetch }), urls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('prefetchSeriesMetadata / takeSeriesMetadata', () => {
  it('hands the early request to the viewer once, then asks again', async () => {
    const { client, urls } = counting();
    prefetchSeriesMetadata('/api/cases/c1/dicomweb', '1.2', '1.2.3', client);
    prefetchSeriesMetadata('/api/cases/c1/dicomweb', '1.2', '1.2.3', client);
    expect(urls).toEqual(['/api/cases/c1/dicomweb/studies/1.2/series/1.2.3/metadata']);
    const first = await takeSeriesMetadata('/api/cases/c1/dicomweb', '1.2', '1.2.3', client);
    expect(first[0]!['00080018']!.Value).toEqual(['1.2.1']);
    expect(urls).toHaveLength(1);
    const again = await takeSeriesMetadata('/api/cases/c1/dicomweb', '1.2', '1.2.3', client);
    expect(again[0]!['00080018']!.Value).toEqual(['1.2.2']);
    expect(urls).toHaveLength(2);
  });

  it('does not hand out a stale early request or one of another series', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { client, urls } = counting();
    prefetchSeriesMetadata('/b', '1.2', '1.2.3', client);
    await takeSeriesMetadata('/b', '1.2', '1.2.4', client);
    expect(urls).toEqual(['/b/studies/1.2/series/1.2.3/metadata', '/b/studies/1.2/series/1.2.4/metadata']);
    vi.setSystemTime(Date.now() + EARLY_METADATA_MAX_AGE_MS + 1);
    const late = await takeSeriesMetadata('/b', '1.2', '1.2.3', client);
    expect(late[0]!['00080018']!.Value).toEqual(['1.2.3']);
    expect(urls).toHaveLength(3);
  });
});
