/**
 * The upload of a study (files, ZIPs, a CD/USB folder) as a queue of per-file requests:
 * per-file and overall progress, a few in parallel, and retry of what failed (after a dropped
 * connection only the unfinished files are sent again; the server stores each instance once).
 * Plain TypeScript with an injectable transport, so it is unit-tested without a browser.
 */

export type InstanceStatus = 'stored' | 'duplicate' | 'rejected';

export interface InstanceResult {
  file: string;
  status: InstanceStatus;
  reason?: string | null;
  sop_instance_uid?: string | null;
}

export interface UploadResponse {
  items: InstanceResult[];
}

export interface UploadFile {
  /** The name shown to the person; the relative path inside a dropped folder. */
  name: string;
  size: number;
  blob: Blob;
}

export type ItemStatus = 'queued' | 'uploading' | 'done' | 'failed';

export interface UploadItem {
  id: number;
  name: string;
  size: number;
  loaded: number;
  status: ItemStatus;
  results: InstanceResult[];
  error: string | null;
}

export type Transport = (
  file: UploadFile,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
) => Promise<UploadResponse>;

export interface Totals {
  files: number;
  done: number;
  failed: number;
  loaded: number;
  size: number;
  /** 0..1 */
  fraction: number;
  stored: number;
  duplicate: number;
  rejected: number;
}

/** Sums progress and per-instance outcomes over the items. */
export function totals(items: readonly UploadItem[]): Totals {
  const t: Totals = { files: items.length, done: 0, failed: 0, loaded: 0, size: 0, fraction: 0, stored: 0, duplicate: 0, rejected: 0 };
  for (const item of items) {
    t.size += item.size;
    t.loaded += item.status === 'done' ? item.size : Math.min(item.loaded, item.size);
    if (item.status === 'done') t.done += 1;
    if (item.status === 'failed') t.failed += 1;
    for (const r of item.results) t[r.status] += 1;
  }
  t.fraction = t.size > 0 ? t.loaded / t.size : t.files > 0 && t.done === t.files ? 1 : 0;
  return t;
}

/** A human size: "1.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const IGNORED = [/^\.DS_Store$/i, /^Thumbs\.db$/i, /^desktop\.ini$/i, /^__MACOSX\//, /(^|\/)\._/];

/** Leaves out operating-system clutter that is never DICOM. */
export function isWorthSending(name: string): boolean {
  const base = name.split('/').pop() ?? name;
  return !IGNORED.some((re) => re.test(base) || re.test(name));
}

export class UploadQueue {
  private items: UploadItem[] = [];
  private files = new Map<number, UploadFile>();
  private controllers = new Map<number, AbortController>();
  private listeners = new Set<() => void>();
  private nextId = 1;
  private running = 0;

  constructor(
    private readonly transport: Transport,
    private readonly concurrency = 3,
  ) {}

  getItems = (): readonly UploadItem[] => this.items;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit(): void {
    this.items = [...this.items];
    for (const listener of this.listeners) listener();
  }

  private update(id: number, change: Partial<UploadItem>): void {
    this.items = this.items.map((item) => (item.id === id ? { ...item, ...change } : item));
    for (const listener of this.listeners) listener();
  }

  /** Queues files and starts sending; returns how many were queued. */
  add(files: readonly UploadFile[]): number {
    let count = 0;
    for (const file of files) {
      if (!isWorthSending(file.name)) continue;
      const id = this.nextId++;
      this.files.set(id, file);
      this.items.push({ id, name: file.name, size: file.size, loaded: 0, status: 'queued', results: [], error: null });
      count += 1;
    }
    this.emit();
    this.pump();
    return count;
  }

  /** Sends the failed files again. */
  retryFailed(): void {
    this.items = this.items.map((item) =>
      item.status === 'failed' ? { ...item, status: 'queued', loaded: 0, error: null } : item,
    );
    this.emit();
    this.pump();
  }

  /** Stops everything in flight; unfinished files are marked failed so they can be retried. */
  cancel(): void {
    for (const controller of this.controllers.values()) controller.abort();
    this.items = this.items.map((item) =>
      item.status === 'queued' || item.status === 'uploading'
        ? { ...item, status: 'failed', error: 'Cancelled' }
        : item,
    );
    this.emit();
  }

  /** Removes finished items from the list. */
  clearDone(): void {
    for (const item of this.items) if (item.status === 'done') this.files.delete(item.id);
    this.items = this.items.filter((item) => item.status !== 'done');
    this.emit();
  }

  get busy(): boolean {
    return this.items.some((item) => item.status === 'queued' || item.status === 'uploading');
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.subscribe(() => {
        if (!this.busy) {
          off();
          resolve();
        }
      });
    });
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const next = this.items.find((item) => item.status === 'queued');
      if (!next) return;
      void this.send(next.id);
    }
  }

  private async send(id: number): Promise<void> {
    const file = this.files.get(id);
    if (!file) return;
    this.running += 1;
    const controller = new AbortController();
    this.controllers.set(id, controller);
    this.update(id, { status: 'uploading', loaded: 0, error: null });
    try {
      const response = await this.transport(file, (loaded) => this.update(id, { loaded }), controller.signal);
      if (!controller.signal.aborted) {
        this.update(id, { status: 'done', loaded: file.size, results: response.items ?? [] });
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        this.update(id, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
      }
    } finally {
      this.controllers.delete(id);
      this.running -= 1;
      this.pump();
    }
  }
}
