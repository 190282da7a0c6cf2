import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  isWorthSending,
  normalizeUploadResponse,
  ownerOf,
  totals,
  UploadQueue,
  type Transport,
  type UploadFile,
} from './uploadQueue';

const file = (name: string, size = 100): UploadFile => ({ name, size, blob: new Blob([new Uint8Array(size)]) });
const storedAll: Transport = async (files) => ({ items: files.map((f) => ({ file: f.name, status: 'stored' })) });

describe('UploadQueue', () => {
  it('sends files in batches, reports per-file progress and results', async () => {
    const batches: string[][] = [];
    const transport: Transport = async (files, onProgress) => {
      batches.push(files.map((f) => f.name));
      onProgress(150); // all of the first file, half of the second
      return {
        items: files.map((f) => ({ file: f.name, status: f.name.includes('dup') ? 'duplicate' : 'stored' })),
      };
    };
    const queue = new UploadQueue(transport, 1, { files: 2, bytes: 10_000 });
    const loadedSeen: number[][] = [];
    queue.subscribe(() => loadedSeen.push(queue.getItems().map((i) => i.loaded)));
    expect(queue.add([file('a.dcm'), file('b-dup.dcm', 100), file('c.dcm'), file('.DS_Store')])).toBe(3);
    await queue.idle();
    expect(batches).toEqual([['a.dcm', 'b-dup.dcm'], ['c.dcm']]);
    expect(loadedSeen).toContainEqual([100, 50, 0]);
    expect(totals(queue.getItems())).toMatchObject({ files: 3, done: 3, stored: 2, duplicate: 1, fraction: 1 });
  });

  it('starts a new batch before the byte limit and sends a big file alone', async () => {
    const batches: string[][] = [];
    const queue = new UploadQueue(async (files) => {
      batches.push(files.map((f) => f.name));
      return { items: [] };
    }, 1, { files: 10, bytes: 250 });
    queue.add([file('a', 100), file('b', 100), file('c', 100), file('big', 1000), file('d', 10)]);
    await queue.idle();
    expect(batches).toEqual([['a', 'b'], ['c'], ['big'], ['d']]);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const transport: Transport = async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return { items: [] };
    };
    const queue = new UploadQueue(transport, 3, { files: 1, bytes: 1e9 });
    queue.add(Array.from({ length: 10 }, (_, i) => file(`f${i}.dcm`)));
    await queue.idle();
    expect(peak).toBe(3);
    expect(totals(queue.getItems()).done).toBe(10);
  });

  it('marks failures and sends only the failed files again on retry', async () => {
    const attempts = new Map<string, number>();
    let online = false;
    const transport: Transport = async (files) => {
      for (const f of files) attempts.set(f.name, (attempts.get(f.name) ?? 0) + 1);
      if (!online && files.some((f) => f.name === 'b.dcm')) throw new Error('Could not reach the server.');
      return storedAll(files, () => undefined, new AbortController().signal);
    };
    const queue = new UploadQueue(transport, 1, { files: 1, bytes: 1e9 });
    queue.add([file('a.dcm'), file('b.dcm')]);
    await queue.idle();
    expect(totals(queue.getItems())).toMatchObject({ done: 1, failed: 1 });
    expect(queue.getItems().find((i) => i.name === 'b.dcm')?.error).toMatch(/reach the server/);
    online = true;
    queue.retryFailed();
    await queue.idle();
    expect(totals(queue.getItems())).toMatchObject({ done: 2, failed: 0, stored: 2 });
    expect(attempts.get('a.dcm')).toBe(1);
    expect(attempts.get('b.dcm')).toBe(2);
  });

  it('gives a ZIP its members’ results, with reasons for rejections', async () => {
    const queue = new UploadQueue(async () => ({
      items: [
        { file: 'cd.zip/IMG1', status: 'stored' },
        { file: 'cd.zip/README.txt', status: 'rejected', reason: 'not DICOM' },
        { file: 'x.dcm', status: 'stored' },
      ],
    }));
    queue.add([file('cd.zip', 1000), file('x.dcm')]);
    await queue.idle();
    const [zip, single] = queue.getItems();
    expect(zip!.results.map((r) => r.status)).toEqual(['stored', 'rejected']);
    expect(single!.results).toHaveLength(1);
    expect(totals(queue.getItems())).toMatchObject({ stored: 2, rejected: 1 });
  });

  it('cancel aborts in-flight requests and leaves them retryable', async () => {
    const queue = new UploadQueue(
      (_f, _p, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    );
    queue.add([file('a.dcm')]);
    queue.cancel();
    expect(queue.busy).toBe(false);
    expect(queue.getItems()[0]).toMatchObject({ status: 'failed', error: 'Cancelled' });
  });
});

describe('helpers', () => {
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MB');
  });
  it('skips OS clutter', () => {
    expect(isWorthSending('DICOM/IMG0001')).toBe(true);
    expect(isWorthSending('DICOMDIR')).toBe(true);
    expect(isWorthSending('cd/.DS_Store')).toBe(false);
    expect(isWorthSending('__MACOSX/x')).toBe(false);
    expect(isWorthSending('dir/._IMG1')).toBe(false);
  });
  it('finds the owner of a result', () => {
    expect(ownerOf('b.dcm', ['a.dcm', 'b.dcm'])).toBe(1);
    expect(ownerOf('cd.zip/DICOM/I1', ['a.dcm', 'cd.zip'])).toBe(1);
    expect(ownerOf('whatever', ['only'])).toBe(0);
    expect(ownerOf('whatever', ['a', 'b'])).toBe(-1);
  });
});

describe('normalizeUploadResponse', () => {
  it('reads the server shape and folds conflicts into rejected', () => {
    expect(
      normalizeUploadResponse({
        results: [
          { name: 'a.dcm', status: 'stored', sop_instance_uid: '1.2' },
          { name: 'b.dcm', status: 'duplicate' },
          { name: 'c.txt', status: 'rejected', reason: 'not_dicom', message: 'Not a DICOM file' },
          { name: 'd.dcm', status: 'conflict', reason: 'uid_conflict' },
        ],
        patient_mismatch: true,
      }),
    ).toEqual({
      items: [
        { file: 'a.dcm', status: 'stored', reason: null, sop_instance_uid: '1.2' },
        { file: 'b.dcm', status: 'duplicate', reason: null, sop_instance_uid: null },
        { file: 'c.txt', status: 'rejected', reason: 'Not a DICOM file', sop_instance_uid: null },
        { file: 'd.dcm', status: 'rejected', reason: 'uid_conflict', sop_instance_uid: null },
      ],
      patientMismatch: true,
    });
    expect(normalizeUploadResponse(null)).toEqual({ items: [], patientMismatch: false });
  });
});
