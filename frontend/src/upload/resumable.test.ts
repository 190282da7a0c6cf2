import { describe, expect, it } from 'vitest';
import type { PreviousUpload } from 'tus-js-client';
import { fingerprintOf, pendingUploads } from './resumable';
import { totals, UploadQueue, type ResumableTransport, type Transport, type UploadFile } from './uploadQueue';

const file = (name: string, size = 100): UploadFile => ({ name, size, blob: new Blob([new Uint8Array(size)]) });
const stored: Transport = async (files) => ({ items: files.map((f) => ({ file: f.name, status: 'stored' })) });

describe('UploadQueue with a resumable transport', () => {
  it('sends large files alone through the resumable transport and batches the rest', async () => {
    const batches: string[][] = [];
    const resumed: string[] = [];
    const transport: Transport = async (files, p, s) => {
      batches.push(files.map((f) => f.name));
      return stored(files, p, s);
    };
    const resumable: ResumableTransport = async (f, onProgress) => {
      resumed.push(f.name);
      onProgress(f.size / 2);
      onProgress(f.size);
      return { items: [{ file: `${f.name}/IMG1`, status: 'stored' }, { file: `${f.name}/IMG2`, status: 'duplicate' }] };
    };
    const queue = new UploadQueue(transport, 1, { files: 10, bytes: 1e9 }, { transport: resumable, threshold: 1000 });
    queue.add([file('a.dcm'), file('cd.zip', 5000), file('b.dcm'), file('big.dcm', 1000)]);
    await queue.idle();
    expect(batches).toEqual([['a.dcm', 'b.dcm']]);
    expect(resumed).toEqual(['cd.zip', 'big.dcm']);
    const zip = queue.getItems().find((i) => i.name === 'cd.zip')!;
    expect(zip.results.map((r) => r.status)).toEqual(['stored', 'duplicate']);
    expect(totals(queue.getItems())).toMatchObject({ files: 4, done: 4, stored: 4, duplicate: 2, fraction: 1 });
  });

  it('shows the offset a resumed file continues from, and a failed large file is retried through the same transport', async () => {
    let calls = 0;
    const progress: number[] = [];
    const resumable: ResumableTransport = async (f, onProgress) => {
      calls += 1;
      if (calls === 1) {
        onProgress(400);
        throw new Error('Could not reach the server.');
      }
      onProgress(400); // the server kept the first 400 bytes: progress starts there, not at 0
      onProgress(f.size);
      return { items: [{ file: f.name, status: 'stored' }] };
    };
    const queue = new UploadQueue(stored, 1, undefined, { transport: resumable, threshold: 500 });
    queue.subscribe(() => progress.push(queue.getItems()[0]?.loaded ?? -1));
    queue.add([file('ct.zip', 1000)]);
    await queue.idle();
    expect(queue.getItems()[0]).toMatchObject({ status: 'failed', loaded: 400, error: 'Could not reach the server.' });
    queue.retryFailed();
    await queue.idle();
    expect(calls).toBe(2);
    expect(queue.getItems()[0]).toMatchObject({ status: 'done', loaded: 1000 });
    expect(totals(queue.getItems()).stored).toBe(1);
  });

  it('shows what the resumable transport says while it retries, and clears it when done', async () => {
    const notices: (string | null | undefined)[] = [];
    let release: () => void = () => undefined;
    const queue = new UploadQueue(stored, 1, undefined, {
      threshold: 10,
      transport: async (f, onProgress, _signal, onNotice) => {
        onNotice?.('The connection dropped. Trying again.');
        await new Promise<void>((r) => (release = r));
        onNotice?.(null);
        onProgress(f.size);
        return { items: [{ file: f.name, status: 'stored' }] };
      },
    });
    queue.subscribe(() => notices.push(queue.getItems()[0]?.notice));
    queue.add([file('big.zip', 100)]);
    await new Promise((r) => setTimeout(r, 0));
    expect(queue.getItems()[0]).toMatchObject({ status: 'uploading', notice: 'The connection dropped. Trying again.' });
    release();
    await queue.idle();
    expect(queue.getItems()[0]).toMatchObject({ status: 'done', notice: null });
    expect(notices).toContain('The connection dropped. Trying again.');
  });

  it('cancel aborts a resumable upload and leaves it retryable', async () => {
    const queue = new UploadQueue(stored, 1, undefined, {
      threshold: 10,
      transport: (_f, _p, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    queue.add([file('big.zip', 100)]);
    queue.cancel();
    expect(queue.getItems()[0]).toMatchObject({ status: 'failed', error: 'Cancelled' });
  });
});

describe('remembered uploads', () => {
  it('lists the unfinished uploads of one case from the URL storage', () => {
    const a = file('CD/DICOM/big.zip', 123);
    const fp = fingerprintOf('case-1', a);
    expect(fp).toContain('case-1');
    const entries: PreviousUpload[] = [
      { urlStorageKey: `tus::${fp}::42`, uploadUrl: 'http://x/api/cases/case-1/tus/t1', size: 123, metadata: { filename: 'CD/DICOM/big.zip' }, creationTime: '2026-01-01', parallelUploadUrls: null },
      { urlStorageKey: `tus::${fingerprintOf('case-2', a)}::7`, uploadUrl: 'http://x/api/cases/case-2/tus/t2', size: 123, metadata: {}, creationTime: '2026-01-01', parallelUploadUrls: null },
      { urlStorageKey: 'tus::tus-br-other::1', uploadUrl: 'http://elsewhere/files/1', size: 5, metadata: {}, creationTime: '2026-01-01', parallelUploadUrls: null },
    ];
    expect(pendingUploads('case-1', entries)).toEqual([
      { key: `tus::${fp}::42`, name: 'CD/DICOM/big.zip', size: 123, uploadUrl: 'http://x/api/cases/case-1/tus/t1', createdAt: '2026-01-01' },
    ]);
  });
});
