/**
 * The measurements list: one row per annotation on the shown series, with its value and unit as
 * Cornerstone computed them (its `cachedStats`). Plain TypeScript, unit-tested without a browser.
 */

/** The part of a Cornerstone annotation the list reads. */
export interface AnnotationLike {
  annotationUID?: string;
  metadata?: { toolName?: string; referencedImageId?: string };
  data?: { label?: string; text?: string; cachedStats?: Record<string, Record<string, unknown> | undefined> };
}

export interface Measurement {
  uid: string;
  /** Human name of the kind: "Length", "Ellipse ROI"... */
  kind: string;
  /** The value with units, e.g. "Mean 40 HU · SD 2.1 HU · Area 314 mm²", or the text of a note. */
  value: string;
  imageId: string;
  /** 0-based index in the viewer's stack, -1 when not in it. */
  index: number;
  /** A note whose text can be edited (arrow, text). */
  textual: boolean;
}

const TEXTUAL = new Set(['ArrowAnnotate', 'Label']);

export const KIND_LABELS: Record<string, string> = {
  Length: 'Length',
  Angle: 'Angle',
  EllipticalROI: 'Ellipse ROI',
  RectangleROI: 'Rectangle ROI',
  Probe: 'Probe',
  ArrowAnnotate: 'Arrow',
  Label: 'Text',
};

/** A number shown to a reader: at most 2 decimals, fewer for large values, no "-0". */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 1 : 2;
  const rounded = Number(value.toFixed(digits));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function withUnit(value: number, unit: unknown): string {
  const u = typeof unit === 'string' ? unit.trim() : '';
  return u ? `${formatNumber(value)} ${u}` : formatNumber(value);
}

/** The first computed statistics of an annotation (Cornerstone keys them by target image/volume). */
export function firstStats(annotation: AnnotationLike): Record<string, unknown> {
  const all = annotation.data?.cachedStats ?? {};
  for (const stats of Object.values(all)) if (stats && Object.keys(stats).length) return stats;
  return {};
}

/** "Mean 40 HU · SD 2.1 HU · Area 314 mm²", "12.3 mm", "45.2°", "Value 40 HU" or the note's text. */
export function describeValue(toolName: string, annotation: AnnotationLike): string {
  const s = firstStats(annotation);
  switch (toolName) {
    case 'Length':
      return isNum(s.length) ? withUnit(s.length, s.unit ?? 'mm') : '';
    case 'Angle':
      return isNum(s.angle) ? `${formatNumber(s.angle)}°` : '';
    case 'EllipticalROI':
    case 'RectangleROI': {
      const parts: string[] = [];
      if (isNum(s.mean)) parts.push(`Mean ${withUnit(s.mean, s.modalityUnit)}`);
      if (isNum(s.stdDev)) parts.push(`SD ${withUnit(s.stdDev, s.modalityUnit)}`);
      if (isNum(s.area)) parts.push(`Area ${withUnit(s.area, s.areaUnit ?? 'mm²')}`);
      return parts.join(' · ');
    }
    case 'Probe':
      return isNum(s.value) ? `Value ${withUnit(s.value, s.modalityUnit)}` : '';
    default:
      return (annotation.data?.label ?? annotation.data?.text ?? '').trim();
  }
}

/** Rows for the annotations that belong to the stack `imageIds`, in stack order then drawing order. */
export function measurementRows(annotations: readonly AnnotationLike[], imageIds: readonly string[]): Measurement[] {
  const indexOf = new Map(imageIds.map((id, i) => [id, i]));
  const rows: Measurement[] = [];
  for (const a of annotations) {
    const toolName = a.metadata?.toolName ?? '';
    const imageId = a.metadata?.referencedImageId ?? '';
    const index = indexOf.get(imageId);
    if (!a.annotationUID || !(toolName in KIND_LABELS) || index === undefined) continue;
    rows.push({
      uid: a.annotationUID,
      kind: KIND_LABELS[toolName]!,
      value: describeValue(toolName, a),
      imageId,
      index,
      textual: TEXTUAL.has(toolName),
    });
  }
  return rows.sort((x, y) => x.index - y.index);
}
