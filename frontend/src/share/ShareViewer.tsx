import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { internal as loaderInternal } from '@cornerstonejs/dicom-image-loader';
import type { ApiClient } from '../api/client';
import { errorMessage } from '../api/client';
import { useAsync } from '../cases/useAsync';
import { searchSeries, seriesMetadata } from '../dicomweb/qido';
import { seriesSummary } from '../dicomweb/dicomJson';
import { initCornerstone, StackViewer, type ToolName, type ViewerState } from '../viewer/engine';
import { stackImages } from '../viewer/imageIds';
import { CT_PRESETS, describeWindow } from '../viewer/windowing';
import { ErrorAlert, Loading } from '../ui/components';

const TOOLS: { name: ToolName; label: string }[] = [
  { name: 'WindowLevel', label: 'Window/level' },
  { name: 'Pan', label: 'Pan' },
  { name: 'Zoom', label: 'Zoom' },
  { name: 'StackScroll', label: 'Scroll' },
  { name: 'Length', label: 'Length' },
];

type BeforeSend = (xhr: unknown, imageIdOrUrl: string, headers: Record<string, string>, params: unknown) => unknown;

/**
 * Frames are fetched by the Cornerstone image loader, not by our API client: add the passcode header
 * to the requests under this share link (and only those), keeping whatever hook was there before.
 */
function sendPasscodeWithFrames(sharePath: string, passcode: string | null): () => void {
  const options = loaderInternal.getOptions() as { beforeSend?: BeforeSend };
  const previous = options.beforeSend;
  const hook: BeforeSend = async (xhr, target, headers, params) => {
    const base = ((await previous?.(xhr, target, headers, params)) ?? {}) as Record<string, string>;
    return passcode && target.includes(sharePath) ? { ...base, 'X-Share-Passcode': passcode } : base;
  };
  loaderInternal.setOptions({ beforeSend: hook } as never);
  return () => loaderInternal.setOptions({ beforeSend: previous } as never);
}

/** A read-only viewer of one study through a share link's DICOMweb base (no measurements are kept). */
export default function ShareViewer({
  base,
  studyUid,
  passcode,
  client,
  onClose,
}: {
  base: string;
  studyUid: string;
  passcode: string | null;
  client: ApiClient;
  onClose: () => void;
}) {
  const series = useAsync(async (signal) => (await searchSeries(base, studyUid, client, signal)).map(seriesSummary), [base, studyUid, client]);
  const list = (series.data ?? []).slice().sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
  const [chosen, setChosen] = useState<string | null>(null);
  const selected = chosen ?? list[0]?.seriesInstanceUid ?? '';
  const elementRef = useRef<HTMLDivElement>(null);
  const [viewer, setViewer] = useState<StackViewer | null>(null);
  const [state, setState] = useState<ViewerState | null>(null);
  const [tool, setTool] = useState<ToolName>('WindowLevel');
  const [error, setError] = useState<string | null>(null);
  const [toolsOpen, setToolsOpen] = useState(false);

  useEffect(() => {
    let disposed = false;
    let created: StackViewer | null = null;
    let restore: (() => void) | null = null;
    (async () => {
      try {
        await initCornerstone();
        restore = sendPasscodeWithFrames(base, passcode);
        if (disposed || !elementRef.current) return;
        created = new StackViewer(elementRef.current);
        created.subscribe(setState);
        setViewer(created);
      } catch (err) {
        setError(`The viewer could not start: ${errorMessage(err)}`);
      }
    })();
    return () => {
      disposed = true;
      created?.destroy();
      restore?.();
    };
  }, [base, passcode]);

  useEffect(() => {
    if (!viewer || !selected) return;
    let cancelled = false;
    setError(null);
    seriesMetadata(base, studyUid, selected, client)
      .then(async (instances) => {
        if (cancelled) return;
        const images = stackImages(window.location.origin, base, studyUid, selected, instances);
        if (images.length === 0) throw new Error('This series has no images.');
        await viewer.setStack(images, Math.floor(images.length / 2));
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(errorMessage(err));
      });
    return () => {
      cancelled = true;
    };
  }, [viewer, base, studyUid, selected, client]);

  useEffect(() => {
    if (!viewer) return;
    const onResize = () => viewer.resize();
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, [viewer]);

  function onKeyDown(event: KeyboardEvent) {
    if (!viewer) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowRight') viewer.scroll(1);
    else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') viewer.scroll(-1);
    else return;
    event.preventDefault();
  }

  return (
    <section className={`viewer-page share-viewer${toolsOpen ? ' tools-open' : ''}`} aria-label="Shared images viewer">
      <header className="viewer-bar">
        <button type="button" className="tool" onClick={onClose}>
          ← Studies
        </button>
        <button type="button" className="tool phone-only" aria-expanded={toolsOpen} onClick={() => setToolsOpen((o) => !o)}>
          Tools
        </button>
        <div className="viewer-tools" role="toolbar" aria-label="Tools">
          <label className="visually-hidden" htmlFor="share-series">
            Series
          </label>
          <select id="share-series" className="tool" value={selected} onChange={(e) => setChosen(e.target.value)}>
            {list.map((s) => (
              <option key={s.seriesInstanceUid} value={s.seriesInstanceUid}>
                {[s.modality, s.description || `Series ${s.number ?? ''}`].filter(Boolean).join(' · ')}
              </option>
            ))}
          </select>
          {TOOLS.map((t) => (
            <button
              key={t.name}
              type="button"
              className={`tool${tool === t.name ? ' active' : ''}`}
              aria-pressed={tool === t.name}
              onClick={() => {
                viewer?.setTool(t.name);
                setTool(t.name);
              }}
            >
              {t.label}
            </button>
          ))}
          <label className="visually-hidden" htmlFor="share-preset">
            Window preset
          </label>
          <select
            id="share-preset"
            className="tool"
            value=""
            onChange={(e) => {
              const preset = CT_PRESETS.find((p) => p.id === e.target.value);
              if (preset) viewer?.setWindow(preset);
            }}
          >
            <option value="">Window preset…</option>
            {CT_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
          <button type="button" className="tool" onClick={() => viewer?.reset()}>
            Reset
          </button>
        </div>
      </header>
      {(series.error || error) && <ErrorAlert message={series.error ?? error} />}
      {series.loading && !series.data && <Loading label="Loading the series…" />}
      <div className="viewer-body">
        <div className="viewport-grid layout-1x1">
          <div className="viewport-wrap active">
            <div ref={elementRef} className="viewport" data-testid="viewport" tabIndex={0} onKeyDown={onKeyDown} onContextMenu={(e) => e.preventDefault()} />
            <div className="overlay top-left">
              {state && state.count > 0 && (
                <span data-testid="slice-indicator">
                  Image {state.index + 1} / {state.count}
                </span>
              )}
            </div>
            <div className="overlay bottom-left">{state?.window && <span data-testid="window-indicator">{describeWindow(state.window)}</span>}</div>
          </div>
        </div>
      </div>
    </section>
  );
}
