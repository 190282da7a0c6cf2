import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { errorMessage } from '../api/client';
import { caseDicomwebBase, searchSeries, seriesMetadata, seriesThumbnailUrl } from '../dicomweb/qido';
import { seriesSummary, TAGS, all, type SeriesSummary } from '../dicomweb/dicomJson';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Loading } from '../ui/components';
import { stackImages } from './imageIds';
import { CT_PRESETS, describeWindow, fileWindow } from './windowing';
import type { StackViewer, ToolName, ViewerState } from './engine';
import { AttributeBrowser } from './AttributeBrowser';
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
];

/** /cases/:caseId/viewer?study=…&series=… — the diagnostic viewer over the case's DICOMweb. */
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
  const selected = search.get('series') ?? seriesList[0]?.seriesInstanceUid ?? '';

  const elementRef = useRef<HTMLDivElement>(null);
  const [viewer, setViewer] = useState<StackViewer | null>(null);
  const [state, setState] = useState<ViewerState | null>(null);
  const [tool, setTool] = useState<ToolName>('WindowLevel');
  const [fps, setFps] = useState(12);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loadingSeries, setLoadingSeries] = useState(false);
  const [showAttributes, setShowAttributes] = useState(false);
  const [ownWindow, setOwnWindow] = useState<{ center: number; width: number } | null>(null);

  // Live session (?session=<id>): see live/useLiveViewer.
  const sessionId = search.get('session');
  const showSeries = useCallback(
    (study: string, seriesUid: string) =>
      setSearch({ study, series: seriesUid, ...(sessionId ? { session: sessionId } : {}) }, { replace: true }),
    [sessionId, setSearch],
  );
  const live = useLiveViewer({ sessionId, viewer, state, studyUid, seriesUid: selected, showSeries });
  const { startIndex: liveStartIndex, stackShown: liveStackShown } = live;

  // Cornerstone is loaded only on this page (it is large).
  useEffect(() => {
    let disposed = false;
    let created: StackViewer | null = null;
    (async () => {
      try {
        const { initCornerstone, StackViewer } = await import('./engine');
        await initCornerstone();
        if (disposed || !elementRef.current) return;
        created = new StackViewer(elementRef.current);
        created.subscribe(setState);
        setViewer(created);
      } catch (error) {
        setLoadError(`The viewer could not start: ${errorMessage(error)}`);
      }
    })();
    return () => {
      disposed = true;
      created?.destroy();
    };
  }, []);

  useEffect(() => {
    if (!viewer || !selected || !studyUid) return;
    let cancelled = false;
    setLoadingSeries(true);
    setLoadError(null);
    seriesMetadata(base, studyUid, selected)
      .then(async (instances) => {
        if (cancelled) return;
        const images = stackImages(window.location.origin, base, studyUid, selected, instances);
        if (images.length === 0) throw new Error('This series has no images.');
        const first = images[0]!.metadata;
        setOwnWindow(fileWindow(all(first, TAGS.WindowCenter), all(first, TAGS.WindowWidth)));
        const startIndex = liveStartIndex(images);
        await viewer.setStack(images, startIndex >= 0 ? startIndex : Math.floor(images.length / 2));
        liveStackShown();
      })
      .catch((error: unknown) => {
        if (!cancelled) setLoadError(errorMessage(error));
      })
      .finally(() => {
        if (!cancelled) setLoadingSeries(false);
      });
    return () => {
      cancelled = true;
    };
  }, [viewer, base, studyUid, selected, liveStartIndex, liveStackShown]);

  useEffect(() => {
    if (!viewer) return;
    const onResize = () => viewer.resize();
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, [viewer]);

  const chooseTool = useCallback(
    (name: ToolName) => {
      viewer?.setTool(name);
      setTool(name);
    },
    [viewer],
  );

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
      if (key === 'ArrowDown' || key === 'ArrowRight' || key === 'PageDown') viewer.scroll(1);
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

  const current = viewer?.getImages()[state?.index ?? 0];

  return (
    <section className="viewer-page" onKeyDown={onKeyDown} aria-label="Image viewer">
      <header className="viewer-bar">
        <Link to={`/cases/${caseId}`} className="viewer-back">
          ← Back to case
        </Link>
        <div className="viewer-tools" role="toolbar" aria-label="Viewer tools">
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
          <button type="button" className={`tool${showAttributes ? ' active' : ''}`} aria-pressed={showAttributes} onClick={() => setShowAttributes((v) => !v)}>
            Tags
          </button>
          <KeyImageButton caseId={caseId} studyUid={studyUid} seriesUid={selected} image={current} window={state?.window} />
        </div>
      </header>
      <LivePanel live={live} />
      <div className="viewer-body">
        <nav className="series-browser" aria-label="Series">
          {series.loading && !series.data && <Loading label="Loading series…" />}
          <ErrorAlert message={series.error} />
          {seriesList.map((s) => (
            <SeriesThumb
              key={s.seriesInstanceUid}
              s={s}
              selected={s.seriesInstanceUid === selected}
              src={seriesThumbnailUrl(base, studyUid, s.seriesInstanceUid)}
              onSelect={() =>
                setSearch(
                  { study: studyUid, series: s.seriesInstanceUid, ...(sessionId ? { session: sessionId } : {}) },
                  { replace: true },
                )
              }
            />
          ))}
        </nav>
        <div className="viewport-wrap">
          <div
            ref={elementRef}
            className="viewport"
            data-testid="viewport"
            tabIndex={0}
            aria-label="Image, use arrow keys to scroll"
            onContextMenu={(e) => e.preventDefault()}
          />
          <div className="overlay top-left" aria-live="off">
            {state && state.count > 0 && (
              <span data-testid="slice-indicator">
                Image {state.index + 1} / {state.count}
              </span>
            )}
            {current && current.frame > 1 && <span> · frame {current.frame}</span>}
          </div>
          <div className="overlay bottom-left">
            {state?.window && <span data-testid="window-indicator">{describeWindow(state.window)}</span>}
            {state && <span> · Zoom {Math.round((state.zoom ?? 1) * 100)}%</span>}
          </div>
          {(loadingSeries || (!viewer && !loadError)) && (
            <div className="overlay center">
              <Loading label="Loading images…" />
            </div>
          )}
          {(loadError || state?.error) && (
            <div className="overlay center">
              <ErrorAlert message={loadError ?? state?.error ?? null} />
            </div>
          )}
        </div>
        {showAttributes && current && <AttributeBrowser dataset={current.metadata} onClose={() => setShowAttributes(false)} />}
      </div>
    </section>
  );
}

function SeriesThumb({ s, selected, src, onSelect }: { s: SeriesSummary; selected: boolean; src: string; onSelect: () => void }) {
  const [broken, setBroken] = useState(false);
  return (
    <button type="button" className={`series-thumb${selected ? ' selected' : ''}`} aria-pressed={selected} onClick={onSelect}>
      {broken ? (
        <span className="thumb-placeholder" aria-hidden="true">
          {s.modality}
        </span>
      ) : (
        <img src={src} alt="" loading="lazy" onError={() => setBroken(true)} />
      )}
      <span className="series-label">
        {s.modality} {s.number !== undefined ? `#${s.number}` : ''} {s.description}
        {s.instances !== undefined && <span className="muted small block">{s.instances} images</span>}
      </span>
    </button>
  );
}
