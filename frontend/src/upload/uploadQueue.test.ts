import { describe, expect, it } from 'vitest';
import { formatBytes, isWorthSending, totals, UploadQueue, type Transport, type UploadFile } from './uploadQueue';

const file = (name: string, size = 100): UploadFile => ({ name, size, blob: new Blob([new Uint8Array(size)]) });

describe('UploadQueue', () => {
  it('sends each file, reports progress and per-instance results', async () => {
    const seen: number[] = [];
    const transport: Transport = async (f, onProgress) => {
      onProgress(f.size / 2);
      seen.push(f.size);
      return { items: [{ file: f.name, status: f.name.includes('dup') ? 'duplicate' : 'stored' }] };
    };
    const queue = new UploadQueue(transport, 2);
    const progress: number[] = [];
    queue.subscribe(() => progress.push(totals(queue.getItems()).fraction));
    expect(queue.add([file('a.dcm'), file('b-dup.dcm', 300), file('.DS_Store')])).toBe(2);
    await queue.idle();
    const t = totals(queue.getItems());
    expect(t).toMatchObject({ files: 2, done: 2, failed: 0, stored: 1, duplicate: 1, rejected: 0, fraction: 1 });
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    expect(seen.sort()).toEqual([100, 300]);
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
    const queue = new UploadQueue(transport, 3);
    queue.add(Array.from({ length: 10 }, (_, i) => file(`f${i}.dcm`)));
    await queue.idle();
    expect(peak).toBe(3);
    expect(totals(queue.getItems()).done).toBe(10);
  });

  it('marks failures and sends only the failed files again on retry', async () => {
    const attempts = new Map<string, number>();
    let online = false;
    const transport: Transport = async (f) => {
      attempts.set(f.name, (attempts.get(f.name) ?? 0) + 1);
      if (!online && f.name === 'b.dcm') throw new Error('Could not reach the server.');
      return { items: [{ file: f.name, status: 'stored' }] };
    };
    const queue = new UploadQueue(transport);
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

  it('counts rejected instances with their reason', async () => {
    const queue = new UploadQueue(async (f) => ({
      items: [
        { file: `${f.name}/1`, status: 'stored' },
        { file: `${f.name}/2`, status: 'rejected', reason: 'not DICOM' },
      ],
    }));
    queue.add([file('cd.zip', 1000)]);
    await queue.idle();
    expect(totals(queue.getItems())).toMatchObject({ stored: 1, rejected: 1 });
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
});
