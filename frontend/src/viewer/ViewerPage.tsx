import { useCallback, useState, type KeyboardEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { caseDicomwebBase, searchSeries } from '../dicomweb/qido';
import { seriesSummary, TAGS, all } from '../dicomweb/dicomJson';
import { useAsync } from '../cases/useAsync';
import { CT_PRESETS, fileWindow } from './windowing';
import type { StackViewer, ToolName, ViewerState } from './engine';
import { AttributeBrowser } from './AttributeBrowser';
import {
  LAYOUTS,
  activate,
  assignSeries,
  changeLayout,
  readLayoutParams,
  resolvePanes,
  writeLayoutParams,
  type ViewerLayoutState,
} from './layout';
import { ViewportPane } from './ViewportPane';
import { SeriesBrowser } from './SeriesBrowser';
import { MeasurementsPanel } from './MeasurementsPanel';
import { TextPromptDialog } from './TextPromptDialog';
import { ShortcutsPanel } from './ShortcutsPanel';
import { useLiveViewer } from '../live/useLiveViewer';
import { LivePanel } from '../live/LivePanel';
import { KeyImageButton } from '../report/KeyImageButton';

const TOOLS: { name: ToolName; label: string; key: string }[] = [
  { name: 'WindowLevel', label: 'Window/level', key: 'w' },
  { name: 'Pan', label: 'Pan', key: 'p' },
  { name: 'Zoom', label: 'Zoom', key: 'z' },
  { name: 'StackScroll', label: 'Scroll', key: 's' },
  { name: 'Length', label: 'Length', key: 'l' },
  { name: 'Angle', label: 'Angle', key: 'a' },
  { name: 'EllipticalROI', label: 'Ellipse ROI', key: 'e' },
  { name: 'RectangleROI', label: 'Rectangle ROI', key: 'b' },
  { name: 'Probe', label: 'Probe', key: 'o' },
  { name: 'ArrowAnnotate', label: 'Arrow', key: 't' },
  { name: 'Label', label: 'Text', key: 'n' },
];

/**
 * /cases/:caseId/viewer?study=…&series=…[&layout=2x2&panes=…&active=n] — the diagnostic viewer over
 * the case's DICOMweb: 1, 2 or 4 viewports (layout.ts), toolbar and keys act on the active one.
 */
export function ViewerPage() {
  const { caseId = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const studyUid = search.get('study') ?? '';
  const base = caseDicomwebBase(caseId);
  const series = useAsync(
    async (signal) => (await searchSeries(base, studyUid, undefined, signal)).map(seriesSummary),
    [base, studyUid],
  );
  const seriesList = (series.data ?? []).slice().sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
  const seriesUids = seriesList.map((s) => s.seriesInstanceUid);
  const seriesKey = seriesUids.join(',');
  const layoutState = readLayoutParams(search);
  const panes = resolvePanes(layoutState.panes, seriesUids);
  const activePane = layoutState.active;
  // The active viewport's series: what the live session shows and follows.
  const selected = panes[activePane] ?? '';

  const [viewers, setViewers] = useState<(StackViewer | null)[]>([]);
  const [states, setStates] = useState<(ViewerState | null)[]>([]);
  const viewer = viewers[activePane] ?? null;
  const state = states[activePane] ?? null;
  const [tool, setTool] = useState<ToolName>('WindowLevel');
  const [fps, setFps] = useState(12);
  const [showAttributes, setShowAttributes] = useState(false);
  const [showMeasurements, setShowMeasurements] = useState(false);
  const [showShortcuts, setShowShortcuts] = useState(false);
  // On a phone the toolbar and the series are collapsed until asked for.
  const [toolsOpen, setToolsOpen] = useState(false);
  const [seriesOpen, setSeriesOpen] = useState(false);
  const onViewer = useCallback((index: number, v: StackViewer | null) => {
    setViewers((before) => Object.assign(before.slice(), { [index]: v }));
    if (!v) setStates((before) => Object.assign(before.slice(), { [index]: null }));
  }, []);
  const onState = useCallback((index: number, s: ViewerState) => {
    setStates((before) => Object.assign(before.slice(), { [index]: s }));
  }, []);
  /** Changes layout/viewport assignment in the URL (replace: the back button leaves the viewer). */
  const updateLayout = useCallback(
    (change: (state: ViewerLayoutState) => ViewerLayoutState, extra?: (params: URLSearchParams) => void) =>
      setSearch(
        (before) => {
          const current = readLayoutParams(before);
          const uids = seriesKey ? seriesKey.split(',') : [];
          const next = writeLayoutParams(before, change({ ...current, panes: resolvePanes(current.panes, uids) }));
          extra?.(next);
          return next;
        },
        { replace: true },
      ),
    [setSearch, seriesKey],
  );

  // Live session (?session=<id>): see live/useLiveViewer.
  const sessionId = search.get('session');
  const showSeries = useCallback(
    (study: string, seriesUid: string) => updateLayout((s) => assignSeries(s, seriesUid), (params) => params.set('study', study)),
    [updateLayout],
  );
  const live = useLiveViewer({ sessionId, viewer, state, studyUid, seriesUid: selected, showSeries });
  const { startIndex: liveStartIndex, stackShown: liveStackShown } = live;

  // Every viewport gets the chosen tool (ViewportPane applies it), so one can draw in any of them.
  const chooseTool = setTool;
  const current = viewer?.getImages()[state?.index ?? 0];
  const ownWindow = current ? fileWindow(all(current.metadata, TAGS.WindowCenter), all(current.metadata, TAGS.WindowWidth)) : null;

  function deleteSelected() {
    for (const v of viewers) v?.removeAnnotations(v.selectedAnnotations());
  }

  function applyPreset(id: string) {
    if (!viewer) return;
    if (id === 'file' && ownWindow) viewer.setWindow(ownWindow);
    const preset = CT_PRESETS.find((p) => p.id === id);
    if (preset) viewer.setWindow(preset);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (!viewer || event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
    const key = event.key;
    const handled = (() => {
      const layout = event.shiftKey && LAYOUTS.find((l) => event.code === `Digit${l.digit}`);
      if (layout) updateLayout((s) => changeLayout(s, layout.id));
      else if (key === '?') setShowShortcuts((v) => !v);
      else if (key === 'v') updateLayout((s) => activate(s, (s.active + 1) % s.panes.length));
      else if (key === 'Delete' || key === 'Backspace') deleteSelected();
      else if (event.ctrlKey || event.metaKey || event.altKey) return false;
      else if (key === 'ArrowDown' || key === 'ArrowRight' || key === 'PageDown') viewer.scroll(1);
      else if (key === 'ArrowUp' || key === 'ArrowLeft' || key === 'PageUp') viewer.scroll(-1);
      else if (key === 'Home') void viewer.setIndex(0);
      else if (key === 'End') void viewer.setIndex(Number.MAX_SAFE_INTEGER);
      else if (key === 'r') viewer.reset();
      else if (key === 'i') viewer.toggleInvert();
      else if (key === '+' || key === '=') viewer.zoomBy(1.25);
      else if (key === '-') viewer.zoomBy(0.8);
      else if (key === ' ') (state?.playing ? viewer.stop() : viewer.play(fps));
      else if (key === '0') applyPreset('file');
      else {
        const preset = CT_PRESETS.find((p) => p.key === key);
        const t = TOOLS.find((x) => x.key === key);
        if (preset) viewer.setWindow(preset);
        else if (t) chooseTool(t.name);
        else return false;
      }
      return true;
    })();
    if (handled) event.preventDefault();
  }

  return (
    <section
      className={`viewer-page${toolsOpen ? ' tools-open' : ''}${seriesOpen ? ' series-open' : ''}`}
      onKeyDown={onKeyDown}
      aria-label="Image viewer"
    >
      <header className="viewer-bar">
        <Link to={`/cases/${caseId}`} className="viewer-back">
          ← Back to case
        </Link>
        <button
          type="button"
          className="tool phone-only"
          aria-expanded={seriesOpen}
          aria-controls="series-browser"
          onClick={() => setSeriesOpen((o) => !o)}
        >
          Series
        </button>
        <button type="button" className="tool phone-only" aria-expanded={toolsOpen} onClick={() => setToolsOpen((o) => !o)}>
          Tools
        </button>
        <div className="viewer-tools" role="toolbar" aria-label="Viewer tools">
          {LAYOUTS.map((l) => (
            <button
              key={l.id}
              type="button"
              className={`tool${layoutState.layout === l.id ? ' active' : ''}`}
              aria-pressed={layoutState.layout === l.id}
              aria-label={`Layout ${l.id}`}
              title={`${l.label} viewports (Shift+${l.digit}); V moves to the next viewport`}
              onClick={() => updateLayout((s) => changeLayout(s, l.id))}
            >
              {l.label}
            </button>
          ))}
          <span className="tool-sep" aria-hidden="true" />
          {TOOLS.map((t) => (
            <button
              key={t.name}
              type="button"
              className={`tool${tool === t.name ? ' active' : ''}`}
              aria-pressed={tool === t.name}
              title={`${t.label} (${t.key.toUpperCase()})`}
              onClick={() => chooseTool(t.name)}
            >
              {t.label}
            </button>
          ))}
          <span className="tool-sep" aria-hidden="true" />
          <label className="visually-hidden" htmlFor="wl-preset">
            Window preset
          </label>
          <select
            id="wl-preset"
            className="tool"
            value=""
            onChange={(e) => {
              applyPreset(e.target.value);
              e.target.value = '';
            }}
          >
            <option value="">Window preset…</option>
            {ownWindow && <option value="file">From the file (0)</option>}
            {CT_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label} ({p.key})
              </option>
            ))}
          </select>
          <button type="button" className="tool" onClick={() => viewer?.zoomBy(1.25)} aria-label="Zoom in">
            +
          </button>
          <button type="button" className="tool" onClick={() => viewer?.zoomBy(0.8)} aria-label="Zoom out">
            −
          </button>
          <button type="button" className="tool" onClick={() => viewer?.rotateBy(90)} aria-label="Rotate 90 degrees">
            ⟳
          </button>
          <button type="button" className="tool" onClick={() => viewer?.flip('horizontal')} aria-label="Flip horizontally" aria-pressed={!!state?.flipHorizontal}>
            ⇋
          </button>
          <button type="button" className="tool" onClick={() => viewer?.flip('vertical')} aria-label="Flip vertically" aria-pressed={!!state?.flipVertical}>
            ⇵
          </button>
          <button type="button" className="tool" onClick={() => viewer?.toggleInvert()} aria-label="Invert" aria-pressed={!!state?.invert}>
            Invert
          </button>
          <button type="button" className="tool" onClick={() => viewer?.reset()} aria-label="Reset view">
            Reset
          </button>
          <span className="tool-sep" aria-hidden="true" />
          <button
            type="button"
            className="tool"
            aria-label={state?.playing ? 'Stop cine' : 'Play cine'}
            onClick={() => (state?.playing ? viewer?.stop() : viewer?.play(fps))}
          >
            {state?.playing ? '■ Stop' : '▶ Cine'}
          </button>
          <label className="fps">
            <span className="visually-hidden">Frames per second</span>
            <input
              type="number"
              min={1}
              max={60}
              value={fps}
              aria-label="Frames per second"
              onChange={(e) => {
                const value = Math.min(60, Math.max(1, Number(e.target.value) || 1));
                setFps(value);
                if (state?.playing) viewer?.play(value);
              }}
            />
            fps
          </label>
          <button type="button" className="tool" onClick={deleteSelected} title="Delete the selected measurement (Delete)">
            Delete selected
          </button>
          <button
            type="button"
            className={`tool${showMeasurements ? ' active' : ''}`}
            aria-pressed={showMeasurements}
            onClick={() => setShowMeasurements((v) => !v)}
          >
            Measurements
          </button>
          <button type="button" className={`tool${showAttributes ? ' active' : ''}`} aria-pressed={showAttributes} onClick={() => setShowAttributes((v) => !v)}>
            Tags
          </button>
          <button
            type="button"
            className={`tool${showShortcuts ? ' active' : ''}`}
            aria-pressed={showShortcuts}
            title="Keyboard shortcuts and touch gestures (?)"
            onClick={() => setShowShortcuts((v) => !v)}
          >
            Keys
          </button>
          <KeyImageButton caseId={caseId} studyUid={studyUid} seriesUid={selected} image={current} window={state?.window} />
        </div>
      </header>
      <LivePanel live={live} />
      <div className="viewer-body">
        <SeriesBrowser
          base={base}
          studyUid={studyUid}
          series={seriesList}
          loading={series.loading && !series.data}
          error={series.error}
          panes={panes}
          activeSeries={selected}
          open={seriesOpen}
          onSelect={(uid) => {
            updateLayout((s) => assignSeries(s, uid));
            setSeriesOpen(false);
          }}
        />
        <div className={`viewport-grid layout-${layoutState.layout}`}>
          {panes.map((uid, i) => (
            <ViewportPane
              key={i}
              index={i}
              active={i === activePane}
              base={base}
              studyUid={studyUid}
              seriesUid={uid}
              tool={tool}
              onViewer={onViewer}
              onState={onState}
              onActivate={(index) => updateLayout((s) => activate(s, index))}
              onDropSeries={(index, seriesUid) => updateLayout((s) => assignSeries(s, seriesUid, index))}
              {...(i === activePane ? { startIndex: liveStartIndex, onShown: liveStackShown } : {})}
            />
          ))}
        </div>
        {showShortcuts && <ShortcutsPanel tools={TOOLS} onClose={() => setShowShortcuts(false)} />}
        {showMeasurements && <MeasurementsPanel viewer={viewer} onClose={() => setShowMeasurements(false)} />}
        {showAttributes && current && <AttributeBrowser dataset={current.metadata} onClose={() => setShowAttributes(false)} />}
      </div>
      <TextPromptDialog />
    </section>
  );
}
