/**
 * The report editor's state without React: the form fields, their mapping to the API content,
 * and an autosave that sends one save at a time with the version it is based on.
 */
import type { KeyImage, Measurement, ReportContent } from '../api/reports';

export interface ReportFields {
  history: string;
  technique: string;
  comparison: string;
  findings: { key: string; title: string; text: string }[];
  impression: string;
  recommendations: string;
  agreement: '' | 'concordant' | 'minor_discrepancy' | 'major_discrepancy';
  agreementComment: string;
  measurements: Measurement[];
  keyImages: KeyImage[];
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function fieldsFromContent(content: ReportContent): ReportFields {
  return {
    history: content.history ?? '',
    technique: content.technique ?? '',
    comparison: content.comparison ?? '',
    findings: (content.findings ?? []).length
      ? content.findings.map((f) => ({ key: f.key, title: f.title, text: f.text ?? '' }))
      : [{ key: 'findings', title: 'Findings', text: '' }],
    impression: (content.impression ?? []).join('\n'),
    recommendations: (content.recommendations ?? []).join('\n'),
    agreement: content.agreement?.agreement ?? '',
    agreementComment: content.agreement?.comment ?? '',
    measurements: content.measurements ?? [],
    keyImages: content.key_images ?? [],
  };
}

/** The content to PUT: everything the editor does not show (e.g. the title) is kept. */
export function contentFromFields(fields: ReportFields, previous: ReportContent): ReportContent {
  return {
    ...previous,
    history: fields.history,
    technique: fields.technique,
    comparison: fields.comparison,
    findings: fields.findings.map((f) => ({ ...f })),
    impression: lines(fields.impression),
    recommendations: lines(fields.recommendations),
    agreement: fields.agreement ? { agreement: fields.agreement, comment: fields.agreementComment } : null,
    measurements: fields.measurements,
    key_images: fields.keyImages,
  };
}

export type SaveState = 'saved' | 'pending' | 'saving' | 'conflict' | 'error';

export interface AutosaveOptions<R> {
  delayMs: number;
  save: (content: ReportContent, baseVersion: number) => Promise<R & { version: number }>;
  onSaved: (report: R & { version: number }) => void;
  onState: (state: SaveState, message?: string) => void;
  isConflict: (error: unknown) => boolean;
  describe: (error: unknown) => string;
  schedule?: (fn: () => void, ms: number) => unknown;
  cancel?: (handle: unknown) => void;
}

/** Debounced, serialised autosave; a stale version stops saving (no silent overwrite). */
export class Autosave<R> {
  private timer: unknown = null;
  private pending: ReportContent | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private version: number,
    private readonly options: AutosaveOptions<R>,
  ) {}

  get baseVersion(): number {
    return this.version;
  }

  /** Records a change; saves after the delay. */
  change(content: ReportContent): void {
    if (this.stopped) return;
    this.pending = content;
    this.options.onState('pending');
    const schedule = this.options.schedule ?? ((fn, ms) => setTimeout(fn, ms));
    const cancel = this.options.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    if (this.timer !== null) cancel(this.timer);
    this.timer = schedule(() => {
      this.timer = null;
      void this.flush();
    }, this.options.delayMs);
  }

  /**
   * Saves now whatever is pending (e.g. before a preview or signing). Resolves once nothing is
   * pending or being saved, including a save already under way and changes typed meanwhile;
   * after a failure it resolves with the text kept for the next change or flush.
   */
  flush(): Promise<void> {
    if (this.running) return this.running;
    if (this.stopped || !this.pending) return Promise.resolve();
    this.running = this.saveAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async saveAll(): Promise<void> {
    while (this.pending && !this.stopped) {
      const content = this.pending;
      this.pending = null;
      this.options.onState('saving');
      try {
        const saved = await this.options.save(content, this.version);
        this.version = saved.version;
        this.options.onSaved(saved);
        this.options.onState(this.pending ? 'pending' : 'saved');
      } catch (error) {
        if (this.options.isConflict(error)) {
          this.stopped = true;
          this.options.onState('conflict', this.options.describe(error));
        } else {
          this.pending = this.pending ?? content; // keep the text for the next change or flush
          this.options.onState('error', this.options.describe(error));
        }
        return;
      }
    }
  }

  dispose(): void {
    this.stopped = true;
    if (this.timer !== null) (this.options.cancel ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)))(this.timer);
  }
}
