/**
 * Large files through the case's tus 1.0 endpoint (`/api/cases/{id}/tus`, telehealth/dicom/resumable.py).
 * The file goes in chunks; a dropped connection is retried from the offset the server reports on HEAD,
 * and the upload URL is kept in localStorage under the file's fingerprint, so after a page reload
 * choosing the same file again continues where it stopped. The last PATCH answers with the id of the
 * ingested upload (`Upload-Result`), whose per-instance results are then read.
 */
import { defaultOptions, Upload, type HttpRequest, type PreviousUpload, type UrlStorage } from 'tus-js-client';
import { api, ApiError, NETWORK_ERROR_MESSAGE, type ApiClient } from '../api/client';
import { normalizeUploadResponse, type ResumableTransport, type UploadFile } from './uploadQueue';

/** Bytes per PATCH: what is lost at most when a connection drops. */
export const CHUNK_SIZE = 4 * 1024 * 1024;
/** Files from this size on go through tus; smaller ones share multipart batches. */
export const RESUMABLE_THRESHOLD = CHUNK_SIZE;
/** Waits between attempts after a dropped connection (about three minutes in all). */
export const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 15000, 20000, 30000, 30000, 60000];

const FINGERPRINT_PREFIX = 'telehealth-case';

export function tusEndpoint(caseId: string): string {
  return `/api/cases/${encodeURIComponent(caseId)}/tus`;
}

/** One file of one case: its relative name, size and modification time (what a re-selection matches). */
export function fingerprintOf(caseId: string, file: UploadFile): string {
  const modified = (file.blob as File).lastModified ?? 0;
  return [FINGERPRINT_PREFIX, caseId, file.size, modified, file.name].join('|');
}

export interface PendingUpload {
  /** localStorage key of the entry (to forget it). */
  key: string;
  name: string;
  size: number;
  uploadUrl: string;
  createdAt: string;
}

/** Unfinished uploads of a case remembered in this browser (from tus-js-client's URL storage entries). */
export function pendingUploads(caseId: string, entries: readonly PreviousUpload[]): PendingUpload[] {
  const out: PendingUpload[] = [];
  for (const e of entries) {
    const [, fingerprint] = e.urlStorageKey.split('::');
    const parts = (fingerprint ?? '').split('|');
    if (parts[0] !== FINGERPRINT_PREFIX || parts[1] !== caseId || !e.uploadUrl) continue;
    out.push({
      key: e.urlStorageKey,
      name: e.metadata?.filename ?? parts.slice(4).join('|'),
      size: e.size ?? Number(parts[2]),
      uploadUrl: e.uploadUrl,
      createdAt: e.creationTime,
    });
  }
  return out;
}

function errorOf(error: unknown): ApiError {
  const res = (error as { originalResponse?: { getStatus(): number; getBody(): string } | null }).originalResponse;
  if (res) {
    const status = res.getStatus();
    try {
      const body = JSON.parse(res.getBody()) as { error?: { code: string; message: string; details?: unknown } };
      if (body.error?.message) return new ApiError(status, body.error);
    } catch {
      /* not JSON */
    }
    return new ApiError(status, { code: `http_${status}`, message: `The upload failed (HTTP ${status}).` });
  }
  return new ApiError(0, { code: 'network_error', message: NETWORK_ERROR_MESSAGE });
}

export interface TusOptions {
  client?: ApiClient;
  chunkSize?: number;
  retryDelays?: number[];
  urlStorage?: UrlStorage;
}

/** A ResumableTransport for one case. */
export function tusTransport(caseId: string, options: TusOptions = {}): ResumableTransport {
  const client = options.client ?? api;
  return (file, onProgress, signal, onNotice) =>
    new Promise((resolve, reject) => {
      let retrying = false;
      const upload = new Upload(file.blob, {
        endpoint: client.url(tusEndpoint(caseId)),
        chunkSize: options.chunkSize ?? CHUNK_SIZE,
        retryDelays: options.retryDelays ?? RETRY_DELAYS,
        metadata: { filename: file.name },
        fingerprint: () => Promise.resolve(fingerprintOf(caseId, file)),
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        ...(options.urlStorage ? { urlStorage: options.urlStorage } : {}),
        // The session's CSRF token on every write (read at send time: it may change on re-sign-in).
        onBeforeRequest: (req: HttpRequest) => {
          for (const [name, value] of Object.entries(client.headersFor(req.getMethod()))) {
            if (name !== 'Accept') req.setHeader(name, value);
          }
        },
        onProgress: (sent) => {
          if (retrying) {
            retrying = false;
            onNotice?.(null);
          }
          onProgress(sent);
        },
        onShouldRetry: (error) => {
          const status = error.originalResponse?.getStatus() ?? 0;
          // Network failures and server hiccups are retried; a refusal (4xx but 409/423) is final.
          const retry = status === 0 || status >= 500 || status === 409 || status === 423;
          if (retry && !retrying) {
            retrying = true;
            onNotice?.('The connection dropped. Trying again; the upload continues where it stopped.');
          }
          return retry;
        },
        onError: (error) => reject(errorOf(error)),
        onSuccess: ({ lastResponse }) => {
          const resultId = lastResponse.getHeader('Upload-Result');
          if (!resultId) {
            reject(new ApiError(0, { code: 'bad_response', message: 'The server did not report the upload result.' }));
            return;
          }
          client
            .get<unknown>(`/api/cases/${encodeURIComponent(caseId)}/uploads/${encodeURIComponent(resultId)}`)
            .then((body) => resolve(normalizeUploadResponse(body)), reject);
        },
      });
      signal.addEventListener(
        'abort',
        () => {
          // Keep the server's partial file: the user may resume later.
          void upload.abort(false);
          reject(new DOMException('Aborted', 'AbortError'));
        },
        { once: true },
      );
      void upload.findPreviousUploads().then(
        (previous) => {
          if (signal.aborted) return;
          const latest = [...previous].sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
          if (latest) upload.resumeFromPreviousUpload(latest);
          upload.start();
        },
        () => upload.start(),
      );
    });
}

/** Whether this browser remembers an unfinished upload of the case (the case page then opens its upload panel). */
export async function hasPendingUploads(caseId: string, storage: UrlStorage = defaultOptions.urlStorage): Promise<boolean> {
  return pendingUploads(caseId, await storage.findAllUploads()).length > 0;
}
