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
  /** The images name more than one patient (the server asks to confirm who is who). */
  patientMismatch?: boolean;
}

/**
 * Reads the server's answer: `{results: [{name, status, reason, message}], patient_mismatch}`
 * (or `{items: [{file, ...}]}`); `conflict` (same UID, different content) counts as rejected.
 */
export function normalizeUploadResponse(body: unknown): UploadResponse {
  const raw = (body ?? {}) as { results?: unknown; items?: unknown; patient_mismatch?: unknown };
  const list = Array.isArray(raw.results) ? raw.results : Array.isArray(raw.items) ? raw.items : [];
  const items: InstanceResult[] = [];
  for (const entry of list) {
    if (!entry || typeof entry !== 'object') continue;
    const r = entry as Record<string, unknown>;
    const status = r.status === 'stored' || r.status === 'duplicate' ? r.status : 'rejected';
    const reason = typeof r.message === 'string' ? r.message : typeof r.reason === 'string' ? r.reason : null;
    items.push({
      file: String(r.file ?? r.name ?? ''),
      status,
      reason: status === 'rejected' ? reason ?? String(r.status ?? 'rejected') : reason,
      sop_instance_uid: typeof r.sop_instance_uid === 'string' ? r.sop_instance_uid : null,
    });
  }
  return { items, patientMismatch: raw.patient_mismatch === true };
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
  /** A passing state worth saying, e.g. "connection lost, trying again" while a resumable upload retries. */
  notice?: string | null;
}

/** Sends a batch of files in one request; `onProgress` gets the bytes of the batch sent so far. */
export type Transport = (
  files: UploadFile[],
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
) => Promise<UploadResponse>;

/**
 * Sends one large file resumably (tus): survives a dropped connection and a page reload, so a
 * retry continues from the server's offset instead of byte 0.
 */
export type ResumableTransport = (
  file: UploadFile,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
  onNotice?: (message: string | null) => void,
) => Promise<UploadResponse>;

export interface Resumable {
  transport: ResumableTransport;
  /** Files of at least this many bytes go through `transport`, one at a time. */
  threshold: number;
}

export interface BatchLimits {
  files: number;
  bytes: number;
}

export const DEFAULT_BATCH: BatchLimits = { files: 20, bytes: 24 * 1024 * 1024 };

/** Which item of a batch a per-instance result belongs to (a ZIP's members are named "<zip>/<member>"). */
export function ownerOf(resultName: string, names: readonly string[]): number {
  const exact = names.indexOf(resultName);
  if (exact >= 0) return exact;
  const prefixed = names.findIndex((n) => resultName.startsWith(`${n}/`) || resultName.endsWith(`/${n}`));
  if (prefixed >= 0) return prefixed;
  return names.length === 1 ? 0 : -1;
}

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
  private controllers = new Set<AbortController>();
  private listeners = new Set<() => void>();
  private nextId = 1;
  private running = 0;

  /**
   * Files go in batches (fewer requests for a CD of thousands of small files), one batch at a time
   * by default: the server creates patient/study/series rows on first sight, so parallel batches
   * of one study would race.
   */
  constructor(
    private readonly transport: Transport,
    private readonly concurrency = 1,
    private readonly batch: BatchLimits = DEFAULT_BATCH,
    private readonly resumable: Resumable | null = null,
  ) {}

  private isLarge(item: UploadItem): boolean {
    return this.resumable !== null && item.size >= this.resumable.threshold;
  }

  getItems = (): readonly UploadItem[] => this.items;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit(): void {
    this.items = [...this.items];
    for (const listener of this.listeners) listener();
  }

  private update(changes: Map<number, Partial<UploadItem>>): void {
    this.items = this.items.map((item) => {
      const change = changes.get(item.id);
      return change ? { ...item, ...change } : item;
    });
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

  /** Sends the failed files again (only those: what was stored stays stored). */
  retryFailed(): void {
    this.items = this.items.map((item) =>
      item.status === 'failed' ? { ...item, status: 'queued', loaded: 0, error: null } : item,
    );
    this.emit();
    this.pump();
  }

  /** Stops everything in flight; unfinished files are marked failed so they can be retried. */
  cancel(): void {
    for (const controller of this.controllers) controller.abort();
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

  private nextBatch(): UploadItem[] {
    const batch: UploadItem[] = [];
    let bytes = 0;
    for (const item of this.items) {
      if (item.status !== 'queued') continue;
      // A large file goes alone, resumably; small ones around it share multipart batches.
      if (this.isLarge(item)) {
        if (batch.length === 0) return [item];
        continue;
      }
      if (batch.length > 0 && (batch.length >= this.batch.files || bytes + item.size > this.batch.bytes)) break;
      batch.push(item);
      bytes += item.size;
    }
    return batch;
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const batch = this.nextBatch();
      if (batch.length === 0) return;
      void this.send(batch);
    }
  }

  private async send(batch: UploadItem[]): Promise<void> {
    const files = batch.map((item) => this.files.get(item.id)).filter((f): f is UploadFile => !!f);
    this.running += 1;
    const controller = new AbortController();
    this.controllers.add(controller);
    this.update(new Map(batch.map((item) => [item.id, { status: 'uploading', loaded: 0, error: null }])));
    const onProgress = (loaded: number) => {
      // The multipart body carries the files in order: bytes sent so far map onto them in turn.
      const changes = new Map<number, Partial<UploadItem>>();
      let offset = 0;
      for (const item of batch) {
        changes.set(item.id, { loaded: Math.min(Math.max(loaded - offset, 0), item.size) });
        offset += item.size;
      }
      this.update(changes);
    };
    try {
      const single = batch.length === 1 && files.length === 1 && this.isLarge(batch[0]!) ? files[0]! : null;
      const response = single
        ? await this.resumable!.transport(single, onProgress, controller.signal, (notice) =>
            this.update(new Map([[batch[0]!.id, { notice }]])),
          )
        : await this.transport(files, onProgress, controller.signal);
      if (!controller.signal.aborted) {
        const names = batch.map((item) => item.name);
        const results = batch.map(() => [] as InstanceResult[]);
        for (const result of response.items ?? []) {
          const owner = ownerOf(result.file, names);
          results[owner >= 0 ? owner : 0]!.push(result);
        }
        this.update(
          new Map(
            batch.map((item, i) => [item.id, { status: 'done' as const, loaded: item.size, results: results[i]!, notice: null }]),
          ),
        );
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        const message = error instanceof Error ? error.message : String(error);
        this.update(new Map(batch.map((item) => [item.id, { status: 'failed' as const, error: message, notice: null }])));
      }
    } finally {
      this.controllers.delete(controller);
      this.running -= 1;
      this.pump();
    }
  }
}
