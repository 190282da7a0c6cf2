/**
 * Viewport layouts (1x1, 1x2, 2x2) and which series each viewport shows, kept in the URL so a
 * reload (or a shared link) opens the same screen. Plain TypeScript, unit-tested without a browser.
 *
 * Search params: `layout` (absent = 1x1), `panes` (series UID per viewport, comma-separated,
 * empty = pick one), `active` (1-based viewport number, absent = 1) and the older `series`,
 * which always names the active viewport's series (the live session reads and writes it).
 */

export type LayoutId = '1x1' | '1x2' | '2x2';

export interface Layout {
  id: LayoutId;
  label: string;
  rows: number;
  cols: number;
  /** Shortcut: Shift + this digit (matched on `KeyboardEvent.code`, so keyboard layouts agree). */
  digit: string;
}

export const LAYOUTS: readonly Layout[] = [
  { id: '1x1', label: '1 × 1', rows: 1, cols: 1, digit: '1' },
  { id: '1x2', label: '1 × 2', rows: 1, cols: 2, digit: '2' },
  { id: '2x2', label: '2 × 2', rows: 2, cols: 2, digit: '4' },
];

export interface ViewerLayoutState {
  layout: LayoutId;
  /** 0-based index of the active viewport. */
  active: number;
  /** Series Instance UID per viewport ('' = not chosen yet); length = the layout's viewport count. */
  panes: string[];
}

/** A known layout id, or 1x1 for anything else. */
export function parseLayout(value: string | null | undefined): LayoutId {
  return LAYOUTS.some((l) => l.id === value) ? (value as LayoutId) : '1x1';
}

export function layoutOf(id: LayoutId): Layout {
  return LAYOUTS.find((l) => l.id === id) ?? LAYOUTS[0]!;
}

export function paneCount(id: LayoutId): number {
  const l = layoutOf(id);
  return l.rows * l.cols;
}

const UID = /^[0-9.]{1,64}$/;

/** Reads layout, active viewport and per-viewport series from the search params (bad values ignored). */
export function readLayoutParams(search: URLSearchParams): ViewerLayoutState {
  const layout = parseLayout(search.get('layout'));
  const count = paneCount(layout);
  const listed = (search.get('panes') ?? '').split(',').map((s) => (UID.test(s) ? s : ''));
  const panes = Array.from({ length: count }, (_, i) => listed[i] ?? '');
  const activeNumber = Number(search.get('active') ?? '1');
  const active = Number.isInteger(activeNumber) && activeNumber >= 1 && activeNumber <= count ? activeNumber - 1 : 0;
  const series = search.get('series');
  if (series && UID.test(series)) panes[active] = series;
  return { layout, active, panes };
}

/** The search params for `state`, keeping every other param (study, session, share base...). */
export function writeLayoutParams(search: URLSearchParams, state: ViewerLayoutState): URLSearchParams {
  const next = new URLSearchParams(search);
  const count = paneCount(state.layout);
  const panes = Array.from({ length: count }, (_, i) => state.panes[i] ?? '');
  const active = Math.min(Math.max(state.active, 0), count - 1);
  if (state.layout === '1x1') {
    next.delete('layout');
    next.delete('panes');
    next.delete('active');
  } else {
    next.set('layout', state.layout);
    next.set('panes', panes.join(','));
    if (active === 0) next.delete('active');
    else next.set('active', String(active + 1));
  }
  if (panes[active]) next.set('series', panes[active]);
  else next.delete('series');
  return next;
}

/** Switches layout: viewports that remain keep their series; the active one stays if it still exists. */
export function changeLayout(state: ViewerLayoutState, layout: LayoutId): ViewerLayoutState {
  const count = paneCount(layout);
  const panes = Array.from({ length: count }, (_, i) => state.panes[i] ?? '');
  // Shrinking to one viewport keeps what the user was looking at: the active viewport's series.
  if (count === 1) panes[0] = state.panes[state.active] ?? panes[0] ?? '';
  return { layout, active: state.active < count ? state.active : 0, panes };
}

/** Puts `seriesUid` into viewport `index` (default: the active one) and makes that viewport active. */
export function assignSeries(state: ViewerLayoutState, seriesUid: string, index = state.active): ViewerLayoutState {
  if (index < 0 || index >= state.panes.length) return state;
  const panes = state.panes.slice();
  panes[index] = seriesUid;
  return { ...state, panes, active: index };
}

export function activate(state: ViewerLayoutState, index: number): ViewerLayoutState {
  return index >= 0 && index < state.panes.length ? { ...state, active: index } : state;
}

/**
 * The series each viewport shows: the chosen one, else the first series of the study not shown
 * elsewhere (like a hanging protocol's "next series"), else nothing ('' = an empty viewport).
 */
export function resolvePanes(panes: readonly string[], seriesUids: readonly string[]): string[] {
  // Before the series list arrives, trust the URL: the first image need not wait for the list.
  if (seriesUids.length === 0) return panes.slice();
  const known = new Set(seriesUids);
  const out = panes.map((p) => (known.has(p) ? p : ''));
  const used = new Set(out.filter(Boolean));
  for (let i = 0; i < out.length; i += 1) {
    if (out[i]) continue;
    const next = seriesUids.find((s) => !used.has(s));
    // The first viewport always shows something when the study has any series.
    const pick = next ?? (i === 0 ? seriesUids[0] : undefined);
    if (pick) {
      out[i] = pick;
      used.add(pick);
    }
  }
  return out;
}

/** The drag-and-drop data type of a series thumbnail (its value is the Series Instance UID). */
export const SERIES_DRAG_TYPE = 'application/x-telehealth-series';
