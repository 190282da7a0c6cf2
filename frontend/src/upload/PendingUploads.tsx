import { useEffect, useState } from 'react';
import { defaultOptions } from 'tus-js-client';
import { api, errorMessage } from '../api/client';
import { pendingUploads, type PendingUpload } from './resumable';
import { formatBytes } from './uploadQueue';

interface Shown extends PendingUpload {
  offset: number | null;
}

/** The server's offset of an unfinished upload (tus HEAD), or null when it is gone. */
async function serverOffset(uploadUrl: string): Promise<number | null> {
  try {
    const res = await fetch(uploadUrl, { method: 'HEAD', credentials: 'same-origin', headers: { 'Tus-Resumable': '1.0.0' } });
    if (!res.ok) return null;
    const offset = Number(res.headers.get('Upload-Offset'));
    return Number.isFinite(offset) ? offset : null;
  } catch {
    return null;
  }
}

/**
 * Unfinished large-file uploads of this case remembered in this browser (after a reload or a lost
 * connection): choosing the same file again continues from the server's offset; "Discard" drops it.
 */
export function PendingUploads({ caseId, version, onChanged }: { caseId: string; version: number; onChanged: () => void }) {
  const [pending, setPending] = useState<Shown[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void (async () => {
      const entries = pendingUploads(caseId, await defaultOptions.urlStorage.findAllUploads());
      const shown = await Promise.all(entries.map(async (e) => ({ ...e, offset: await serverOffset(e.uploadUrl) })));
      if (live) setPending(shown.filter((e) => e.offset === null || e.offset < e.size));
    })();
    return () => {
      live = false;
    };
  }, [caseId, version]);

  async function discard(entry: Shown) {
    setError(null);
    try {
      if (entry.offset !== null) await api.delete(new URL(entry.uploadUrl, window.location.href).pathname);
    } catch (err) {
      setError(errorMessage(err));
      return;
    }
    await defaultOptions.urlStorage.removeUpload(entry.key);
    onChanged();
  }

  if (pending.length === 0) return null;
  return (
    <div className="alert alert-info" role="status" aria-label="Unfinished uploads">
      <strong>Unfinished uploads.</strong> Choose the same file again to continue where it stopped.
      <ul>
        {pending.map((entry) => (
          <li key={entry.key}>
            {entry.name}: {entry.offset === null ? 'no longer on the server (it will start again)' : `${formatBytes(entry.offset)} of ${formatBytes(entry.size)} uploaded`}{' '}
            <button type="button" className="button ghost" onClick={() => void discard(entry)}>
              Discard
            </button>
          </li>
        ))}
      </ul>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
