/** Sends a batch of files to POST /api/cases/{id}/uploads with XMLHttpRequest (fetch has no upload progress). */
import { api, ApiError, NETWORK_ERROR_MESSAGE, type ApiClient } from '../api/client';
import { normalizeUploadResponse, type Transport, type UploadResponse } from './uploadQueue';

function parseError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code: string; message: string; details?: unknown } };
    if (body.error?.message) return new ApiError(status, body.error);
  } catch {
    /* not JSON */
  }
  return new ApiError(status, { code: `http_${status}`, message: `The upload failed (HTTP ${status}).` });
}

export function uploadUrl(caseId: string): string {
  return `/api/cases/${encodeURIComponent(caseId)}/uploads`;
}

export function xhrTransport(caseId: string, client: ApiClient = api): Transport {
  return (files, onProgress, signal) =>
    new Promise<UploadResponse>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', client.url(uploadUrl(caseId)));
      xhr.withCredentials = true;
      for (const [name, value] of Object.entries(client.headersFor('POST'))) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => onProgress(event.loaded);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(normalizeUploadResponse(JSON.parse(xhr.responseText)));
          } catch {
            reject(new ApiError(xhr.status, { code: 'bad_response', message: 'The server sent an unreadable answer.' }));
          }
        } else {
          reject(parseError(xhr.status, xhr.responseText));
        }
      };
      xhr.onerror = () => reject(new ApiError(0, { code: 'network_error', message: NETWORK_ERROR_MESSAGE }));
      xhr.onabort = () => reject(new DOMException('Aborted', 'AbortError'));
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
      const form = new FormData();
      for (const file of files) form.append('files', file.blob, file.name);
      xhr.send(form);
    });
}
