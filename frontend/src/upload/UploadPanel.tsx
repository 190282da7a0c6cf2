import { useCallback, useMemo, useRef, useState, useSyncExternalStore, type DragEvent } from 'react';
import { fromDataTransfer, fromFileList } from './collectFiles';
import { PendingUploads } from './PendingUploads';
import { RESUMABLE_THRESHOLD, tusTransport } from './resumable';
import { formatBytes, totals, UploadQueue, type UploadItem } from './uploadQueue';
import { xhrTransport } from './xhrTransport';

const STATUS_TEXT: Record<UploadItem['status'], string> = {
  queued: 'Waiting',
  uploading: 'Uploading',
  done: 'Done',
  failed: 'Failed',
};

/** Drag-and-drop upload of files, ZIPs or a CD/USB folder into a case, with progress per file. */
export function UploadPanel({ caseId, onUploaded }: { caseId: string; onUploaded?: () => void }) {
  const queue = useMemo(
    () =>
      new UploadQueue(xhrTransport(caseId), 1, undefined, {
        transport: tusTransport(caseId),
        threshold: RESUMABLE_THRESHOLD,
      }),
    [caseId],
  );
  const items = useSyncExternalStore(queue.subscribe, queue.getItems);
  // Re-read the unfinished uploads remembered in this browser whenever the queue settles.
  const [pendingVersion, setPendingVersion] = useState(0);
  const refreshPending = useCallback(() => setPendingVersion((v) => v + 1), []);
  const [dragging, setDragging] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const t = totals(items);

  async function start(promise: Promise<Parameters<UploadQueue['add']>[0]> | Parameters<UploadQueue['add']>[0]) {
    const files = await promise;
    if (queue.add(files) > 0) {
      await queue.idle();
      refreshPending();
      onUploaded?.();
    }
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void start(fromDataTransfer(event.dataTransfer));
  }

  const rejected = items.flatMap((item) => item.results.filter((r) => r.status === 'rejected'));

  return (
    <div className="upload">
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>
          <strong>Drop DICOM files, a ZIP or a CD/USB folder here</strong>
        </p>
        <p className="muted small">
          Images are checked and de-identified as they arrive. Large files continue where they stopped if the
          connection drops.
        </p>
        <div className="actions center">
          <button type="button" className="button secondary" onClick={() => filesInput.current?.click()}>
            Choose files
          </button>
          <button type="button" className="button secondary" onClick={() => folderInput.current?.click()}>
            Choose a folder
          </button>
        </div>
        <input
          ref={filesInput}
          type="file"
          multiple
          hidden
          aria-label="Files to upload"
          onChange={(e) => {
            if (e.target.files) void start(fromFileList(e.target.files));
            e.target.value = '';
          }}
        />
        <input
          ref={folderInput}
          type="file"
          hidden
          aria-label="Folder to upload"
          {...({ webkitdirectory: '', directory: '' } as Record<string, string>)}
          onChange={(e) => {
            if (e.target.files) void start(fromFileList(e.target.files));
            e.target.value = '';
          }}
        />
      </div>

      {!queue.busy && <PendingUploads caseId={caseId} version={pendingVersion} onChanged={refreshPending} />}

      {items.length > 0 && (
        <div className="upload-status" aria-live="polite">
          <div className="upload-overall">
            <label htmlFor={`overall-${caseId}`}>
              {queue.busy ? 'Uploading' : 'Uploaded'} {t.done} of {t.files} files ({formatBytes(t.loaded)} of{' '}
              {formatBytes(t.size)})
            </label>
            <progress id={`overall-${caseId}`} max={1} value={t.fraction} aria-label="Overall upload progress" />
            <p className="upload-summary" role="status">
              {t.stored} stored · {t.duplicate} already there · {t.rejected} rejected
              {t.failed > 0 && <> · {t.failed} failed</>}
            </p>
            <div className="actions">
              {t.failed > 0 && !queue.busy && (
                <button type="button" className="button primary" onClick={() => {
                    queue.retryFailed();
                    void queue.idle().then(() => {
                      refreshPending();
                      onUploaded?.();
                    });
                  }}>
                  Retry failed files
                </button>
              )}
              {queue.busy && (
                <button type="button" className="button ghost" onClick={() => queue.cancel()}>
                  Stop
                </button>
              )}
              {!queue.busy && t.done > 0 && (
                <button type="button" className="button ghost" onClick={() => queue.clearDone()}>
                  Clear finished
                </button>
              )}
            </div>
          </div>
          {rejected.length > 0 && (
            <div className="alert alert-error">
              <strong>Not accepted:</strong>
              <ul>
                {rejected.slice(0, 20).map((r, i) => (
                  <li key={`${r.file}-${i}`}>
                    {r.file}: {r.reason ?? 'not a readable DICOM file'}
                  </li>
                ))}
              </ul>
              {rejected.length > 20 && <p>…and {rejected.length - 20} more.</p>}
            </div>
          )}
          <ul className="upload-files" aria-label="Files">
            {items.slice(-200).map((item) => (
              <li key={item.id} className={`upload-file ${item.status}`}>
                <span className="upload-name" title={item.name}>
                  {item.name}
                </span>
                <progress max={item.size || 1} value={item.status === 'done' ? item.size || 1 : item.loaded} aria-label={`Progress of ${item.name}`} />
                <span className="upload-state">
                  {item.status === 'done' ? describeResults(item) : STATUS_TEXT[item.status]}
                  {item.notice && item.status === 'uploading' && (
                    <span className="muted small block" role="status">
                      {item.notice}
                    </span>
                  )}
                  {item.error && <span className="field-error block">{item.error}</span>}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function describeResults(item: UploadItem): string {
  const counts = { stored: 0, duplicate: 0, rejected: 0 };
  for (const r of item.results) counts[r.status] += 1;
  const parts: string[] = [];
  if (counts.stored) parts.push(`${counts.stored} stored`);
  if (counts.duplicate) parts.push(`${counts.duplicate} duplicate`);
  if (counts.rejected) parts.push(`${counts.rejected} rejected`);
  return parts.join(', ') || 'Done';
}
