/** Window/level presets and conversion between centre/width and Cornerstone's VOI range. */

export interface WindowLevel {
  center: number;
  width: number;
}

export interface VoiRange {
  lower: number;
  upper: number;
}

export interface Preset extends WindowLevel {
  id: string;
  label: string;
  /** Shortcut key. */
  key: string;
}

export const CT_PRESETS: Preset[] = [
  { id: 'brain', label: 'CT brain', center: 40, width: 80, key: '1' },
  { id: 'subdural', label: 'CT subdural', center: 75, width: 215, key: '2' },
  { id: 'lung', label: 'CT lung', center: -600, width: 1500, key: '3' },
  { id: 'abdomen', label: 'CT abdomen', center: 40, width: 400, key: '4' },
  { id: 'bone', label: 'CT bone', center: 400, width: 1800, key: '5' },
  { id: 'mediastinum', label: 'CT mediastinum', center: 50, width: 350, key: '6' },
];

/**
 * Linear VOI (PS3.3 C.11.2.1.2.1, the formula Cornerstone uses too): values up to
 * c - 0.5 - (w - 1)/2 are black, from c - 0.5 + (w - 1)/2 white. Both directions use it, so the
 * file's "40 / 400" reads back as 40 / 400.
 */
export function toVoiRange({ center, width }: WindowLevel): VoiRange {
  const w = Math.max(width, 1);
  return { lower: center - 0.5 - (w - 1) / 2, upper: center - 0.5 + (w - 1) / 2 };
}

export function fromVoiRange({ lower, upper }: VoiRange): WindowLevel {
  return { center: (lower + upper + 1) / 2, width: Math.max(upper - lower + 1, 1) };
}

/** Rounded "C 40 / W 400" for the overlay. */
export function describeWindow(wl: WindowLevel): string {
  return `C ${Math.round(wl.center)} / W ${Math.round(wl.width)}`;
}

/** The file's own window (first value of Window Center/Width), if it has one. */
export function fileWindow(center: unknown, width: unknown): WindowLevel | null {
  const c = Number(Array.isArray(center) ? center[0] : center);
  const w = Number(Array.isArray(width) ? width[0] : width);
  return Number.isFinite(c) && Number.isFinite(w) && w > 0 ? { center: c, width: w } : null;
}
