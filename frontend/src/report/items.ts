/**
 * The report's lists without React: measurements imported from live sessions, key images picked
 * in the viewer, and the amendment reason. Limits match telehealth/reports/schemas.py.
 */
import type { AnnotationImport, KeyImage, Measurement } from '../api/reports';
import { caseDicomwebBase } from '../dicomweb/qido';

export const MAX_MEASUREMENTS = 500;
export const MAX_KEY_IMAGES = 12;
export const MAX_CAPTION = 500;
export const MAX_FINDING = 200;
export const AMEND_REASON_MIN = 3;
export const AMEND_REASON_MAX = 2000;

const KIND_LABELS: Record<string, string> = {
  length: 'Length',
  diameter: 'Diameter',
  perimeter: 'Perimeter',
  area: 'Area',
  angle: 'Angle',
  probe: 'Value',
  mean: 'Mean',
  standard_deviation: 'Std. deviation',
  minimum: 'Minimum',
  maximum: 'Maximum',
};
const UNIT_LABELS: Record<string, string> = { mm2: 'mm²', deg: '°', "[hnsf'U]": 'HU' };

/** One value of one annotation: an annotation may carry several (area, mean…) and they share its id. */
export const measurementKey = (m: Pick<Measurement, 'annotation_id' | 'kind'>) => `${m.annotation_id}|${m.kind}`;

/** "Length 12.4 mm" */
export function describeMeasurement(m: Pick<Measurement, 'kind' | 'value' | 'unit'>): string {
  const value = String(Math.round(m.value * 100) / 100);
  const unit = UNIT_LABELS[m.unit] ?? m.unit;
  return `${KIND_LABELS[m.kind] ?? m.kind} ${value}${unit === '°' ? '' : ' '}${unit}`;
}

export interface ImportChoice {
  key: string;
  measurement: Measurement;
  /** Already in the draft: shown, not offered again. */
  added: boolean;
}

/** What the import dialog lists: every importable value, marked when the draft already has it. */
export function importChoices(imported: AnnotationImport, existing: readonly Measurement[]): ImportChoice[] {
  const have = new Set(existing.map(measurementKey));
  const seen = new Set<string>();
  const out: ImportChoice[] = [];
  for (const m of imported.items) {
    const key = measurementKey(m);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, measurement: m, added: have.has(key) });
  }
  return out;
}

/** The choices ticked when the dialog opens: everything not added yet. */
export const defaultSelection = (choices: readonly ImportChoice[]) => new Set(choices.filter((c) => !c.added).map((c) => c.key));

/** The draft's measurements after adding the chosen ones (no duplicates; refused past the limit). */
export function addMeasurements(
  existing: readonly Measurement[],
  choices: readonly ImportChoice[],
  selected: ReadonlySet<string>,
): { measurements: Measurement[]; added: number; error: string | null } {
  const have = new Set(existing.map(measurementKey));
  const chosen = choices.filter((c) => selected.has(c.key) && !have.has(c.key)).map((c) => ({ ...c.measurement }));
  if (existing.length + chosen.length > MAX_MEASUREMENTS) {
    return { measurements: [...existing], added: 0, error: `A report holds at most ${MAX_MEASUREMENTS} measurements.` };
  }
  return { measurements: [...existing, ...chosen], added: chosen.length, error: null };
}

export function setMeasurementFinding(list: readonly Measurement[], index: number, finding: string): Measurement[] {
  return list.map((m, i) => (i === index ? { ...m, finding: finding.slice(0, MAX_FINDING) } : m));
}

export function removeAt<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}

const sameImage = (a: KeyImage, b: KeyImage) =>
  a.sop_instance_uid === b.sop_instance_uid &&
  (a.frame_number ?? 1) === (b.frame_number ?? 1) &&
  a.window_center === b.window_center &&
  a.window_width === b.window_width;

/** The draft's key images after adding one; the same frame with the same window is not added twice. */
export function addKeyImage(list: readonly KeyImage[], image: KeyImage): { keyImages: KeyImage[]; error: string | null } {
  if (list.some((k) => sameImage(k, image))) {
    return { keyImages: [...list], error: 'This image, with this window, is already a key image of the report.' };
  }
  if (list.length >= MAX_KEY_IMAGES) {
    return { keyImages: [...list], error: `A report holds at most ${MAX_KEY_IMAGES} key images; remove one first.` };
  }
  return { keyImages: [...list, { ...image, caption: image.caption.trim().slice(0, MAX_CAPTION) }], error: null };
}

export function setCaption(list: readonly KeyImage[], index: number, caption: string): KeyImage[] {
  return list.map((k, i) => (i === index ? { ...k, caption: caption.slice(0, MAX_CAPTION) } : k));
}

/** A rendered frame of our DICOMweb (WADO-RS rendered, PS3.18 10.4.1.1.3) with the key image's window. */
export function keyImageThumbnailUrl(caseId: string, k: KeyImage, size = 160): string {
  const path = `${caseDicomwebBase(caseId)}/studies/${k.study_instance_uid}/series/${k.series_instance_uid}/instances/${k.sop_instance_uid}/frames/${k.frame_number ?? 1}/rendered`;
  const query = new URLSearchParams({ viewport: `${size},${size}` });
  if (k.window_center !== null && k.window_width !== null && k.window_width >= 1) {
    query.set('window', `${k.window_center},${k.window_width}`);
  }
  return `${path}?${query.toString()}`;
}

/** The amendment reason's problem, or null when it can be sent. */
export function amendReasonError(reason: string): string | null {
  const text = reason.trim();
  if (text.length < AMEND_REASON_MIN) return 'Say why the report is amended (at least 3 characters).';
  if (text.length > AMEND_REASON_MAX) return `Keep the reason under ${AMEND_REASON_MAX} characters.`;
  return null;
}
