/** QIDO-RS / WADO-RS calls against a case's DICOMweb base (PS3.18 10.6, 10.4). */
import { api, type ApiClient } from '../api/client';
import type { DicomJsonDataset } from './dicomJson';

export const DICOM_JSON = 'application/dicom+json';

export function caseDicomwebBase(caseId: string): string {
  return `/api/cases/${encodeURIComponent(caseId)}/dicomweb`;
}

async function getJson(client: ApiClient, url: string, signal?: AbortSignal): Promise<DicomJsonDataset[]> {
  const answer = await client.request<DicomJsonDataset[] | undefined>('GET', url, {
    headers: { Accept: DICOM_JSON },
    signal,
  });
  // 204 No Content means "no matches" in QIDO-RS.
  return answer ?? [];
}

export function searchStudies(base: string, client: ApiClient = api, signal?: AbortSignal) {
  return getJson(client, `${base}/studies?includefield=00081030&includefield=00080061`, signal);
}

export function searchSeries(base: string, studyUid: string, client: ApiClient = api, signal?: AbortSignal) {
  return getJson(client, `${base}/studies/${studyUid}/series`, signal);
}

export function seriesMetadata(
  base: string,
  studyUid: string,
  seriesUid: string,
  client: ApiClient = api,
  signal?: AbortSignal,
) {
  return getJson(client, `${base}/studies/${studyUid}/series/${seriesUid}/metadata`, signal);
}

/** How long a prefetched metadata request may wait for its viewer before a fresh one is made. */
export const EARLY_METADATA_MAX_AGE_MS = 30_000;
const early = new Map<string, { at: number; request: Promise<DicomJsonDataset[]> }>();

/**
 * Starts a series' WADO-RS metadata request now, so it runs while the viewer's Cornerstone chunk
 * (several MB) still loads; the next `takeSeriesMetadata` for that series gets this same request.
 */
export function prefetchSeriesMetadata(base: string, studyUid: string, seriesUid: string, client: ApiClient = api) {
  const key = `${base}/studies/${studyUid}/series/${seriesUid}`;
  const known = early.get(key);
  if (known && Date.now() - known.at < EARLY_METADATA_MAX_AGE_MS) return;
  const request = seriesMetadata(base, studyUid, seriesUid, client);
  request.catch(() => undefined); // reported by whoever takes it
  early.set(key, { at: Date.now(), request });
}

/** The prefetched request for this series if one is fresh, without taking it (the viewport's preview). */
export function peekSeriesMetadata(base: string, studyUid: string, seriesUid: string) {
  const known = early.get(`${base}/studies/${studyUid}/series/${seriesUid}`);
  return known && Date.now() - known.at < EARLY_METADATA_MAX_AGE_MS ? known.request : null;
}

/** The prefetched request for this series (once, if still fresh), else a new one. */
export function takeSeriesMetadata(base: string, studyUid: string, seriesUid: string, client: ApiClient = api) {
  const key = `${base}/studies/${studyUid}/series/${seriesUid}`;
  const known = early.get(key);
  early.delete(key);
  if (known && Date.now() - known.at < EARLY_METADATA_MAX_AGE_MS) return known.request;
  return seriesMetadata(base, studyUid, seriesUid, client);
}

/** A rendered thumbnail URL for a series (WADO-RS thumbnail, PS3.18 10.4.1.1.5). */
export function seriesThumbnailUrl(base: string, studyUid: string, seriesUid: string): string {
  return `${base}/studies/${studyUid}/series/${seriesUid}/thumbnail`;
}
