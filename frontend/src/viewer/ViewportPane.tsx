import { useEffect, useRef, useState, type DragEvent } from 'react';
import { errorMessage } from '../api/client';
import { peekSeriesMetadata, prefetchSeriesMetadata, takeSeriesMetadata } from '../dicomweb/qido';
import { ErrorAlert, Loading } from '../ui/components';
import type { StackViewer, ToolName, ViewerState } from './engine';
import { stackImages, type StackImage } from './imageIds';
import { SERIES_DRAG_TYPE } from './layout';
import { markFirstPreview, previewUrl, startImage } from './preview';
import { describeWindow } from './windowing';

export interface ViewportPaneProps {
  /** 0-based position in the layout. */
  index: number;
  active: boolean;
  base: string;
  studyUid: string;
  seriesUid: string;
  tool: ToolName;
  onViewer: (index: number, viewer: StackViewer | null) => void;
  onState: (index: number, state: ViewerState) => void;
  onActivate: (index: number) => void;
  onDropSeries: (index: number, seriesUid: string) => void;
  /** Where a newly opened series starts (the live presenter's image), or -1 for the middle. */
  startIndex?: (images: readonly StackImage[]) => number;
  /** Called after a series is shown in this viewport. */
  onShown?: () => void;
}

/**
 * One viewport of the layout: its own Cornerstone stack viewport and series. The active one carries
 * the plain test ids (`viewport`, `slice-indicator`...) so journeys written for a single viewport
 * keep addressing "the" viewport; the others are numbered (`viewport-2`...).
 */
export function ViewportPane(props: ViewportPaneProps) {
  const { index, active, base, studyUid, seriesUid, tool, onViewer, onState, onActivate, onDropSeries } = props;
  const elementRef = useRef<HTMLDivElement>(null);
  const [viewer, setViewer] = useState<StackViewer | null>(null);
  const [state, setState] = useState<ViewerState | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [dropping, setDropping] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);
  // The latest callbacks, read when a load finishes (not a reason to reload).
  const hooks = useRef({ startIndex: props.startIndex, onShown: props.onShown, onViewer, onState });
  hooks.current = { startIndex: props.startIndex, onShown: props.onShown, onViewer, onState };

  // The series metadata is requested while Cornerstone still loads, not after (bench_viewer).
  useEffect(() => {
    if (seriesUid && studyUid) prefetchSeriesMetadata(base, studyUid, seriesUid);
  }, [base, studyUid, seriesUid]);

  // Until Cornerstone draws, the server's rendering of the image it will show (viewer/preview.ts).
  useEffect(() => {
    setPreview(null);
    const request = seriesUid && studyUid ? peekSeriesMetadata(base, studyUid, seriesUid) : null;
    if (!request) return;
    let cancelled = false;
    request
      .then((instances) => {
        const images = stackImages(window.location.origin, base, studyUid, seriesUid, instances);
        const image = startImage(images, hooks.current.startIndex?.(images) ?? -1);
        if (!cancelled && image) setPreview(previewUrl(base, studyUid, seriesUid, image));
      })
      .catch(() => undefined); // the viewer reports a failed metadata request
    return () => {
      cancelled = true;
    };
  }, [base, studyUid, seriesUid]);

  // Cornerstone is loaded only on the viewer page (it is large).
  useEffect(() => {
    let disposed = false;
    let created: StackViewer | null = null;
    (async () => {
      try {
        const { initCornerstone, StackViewer } = await import('./engine');
        await initCornerstone();
        if (disposed || !elementRef.current) return;
        created = new StackViewer(elementRef.current, { instrumented: index === 0 });
        created.subscribe((s) => {
          setState(s);
          hooks.current.onState(index, s);
        });
        setViewer(created);
        hooks.current.onViewer(index, created);
      } catch (error) {
        setLoadError(`The viewer could not start: ${errorMessage(error)}`);
      }
    })();
    return () => {
      disposed = true;
      if (created) {
        hooks.current.onViewer(index, null);
        created.destroy();
      }
    };
  }, [index]);

  useEffect(() => {
    viewer?.setTool(tool);
  }, [viewer, tool]);

  useEffect(() => {
    if (!viewer || !seriesUid || !studyUid || viewer.getStackKey() === seriesUid) return;
    let cancelled = false;
    setLoading(true);
    setLoadError(null);
    takeSeriesMetadata(base, studyUid, seriesUid)
      .then(async (instances) => {
        if (cancelled) return;
        const images = stackImages(window.location.origin, base, studyUid, seriesUid, instances);
        if (images.length === 0) throw new Error('This series has no images.');
        const first = startImage(images, hooks.current.startIndex?.(images) ?? -1);
        await viewer.setStack(images, first ? images.indexOf(first) : 0, seriesUid);
        if (!cancelled) hooks.current.onShown?.();
      })
      .catch((error: unknown) => {
        if (!cancelled) setLoadError(errorMessage(error));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [viewer, base, studyUid, seriesUid]);

  // The canvas follows its box (window resize, layout change, a drawer opening).
  useEffect(() => {
    const element = elementRef.current;
    if (!viewer || !element || typeof ResizeObserver === 'undefined') return;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => viewer.resize());
    });
    observer.observe(element);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [viewer]);

  const id = (name: string) => (active ? name : `${name}-${index + 1}`);
  const current = viewer?.getImages()[state?.index ?? 0];
  const hasSeriesDrag = (e: DragEvent) => e.dataTransfer.types.includes(SERIES_DRAG_TYPE);
  // The preview stands in only until Cornerstone shows an image (or fails).
  const showPreview = !!preview && !state?.imageId && !loadError && !state?.error;

  return (
    <div
      className={`viewport-wrap${active ? ' active' : ''}${dropping ? ' dropping' : ''}`}
      data-pane={index + 1}
      onPointerDownCapture={() => {
        if (!active) onActivate(index);
      }}
      onFocusCapture={() => {
        if (!active) onActivate(index);
      }}
      onDragOver={(e) => {
        if (!hasSeriesDrag(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(e) => {
        setDropping(false);
        const uid = e.dataTransfer.getData(SERIES_DRAG_TYPE);
        if (!uid) return;
        e.preventDefault();
        onDropSeries(index, uid);
      }}
    >
      <div
        ref={elementRef}
        className="viewport"
        data-testid={id('viewport')}
        tabIndex={0}
        aria-label={`Viewport ${index + 1}${active ? ' (active)' : ''}, use arrow keys to scroll`}
        onContextMenu={(e) => e.preventDefault()}
      />
      {showPreview && (
        <>
          <img
            className="viewport-preview"
            src={preview ?? undefined}
            alt=""
            aria-hidden="true"
            data-testid={id('viewport-preview')}
            onLoad={(e) => {
              if (index === 0) markFirstPreview(e.currentTarget);
            }}
            onError={() => setPreview(null)}
          />
          <div className="overlay top-right preview-badge" role="status">
            Preview · loading full quality…
          </div>
        </>
      )}
      <div className="overlay top-left" aria-live="off">
        {state && state.count > 0 && (
          <span data-testid={id('slice-indicator')}>
            Image {state.index + 1} / {state.count}
          </span>
        )}
        {current && current.frame > 1 && <span> · frame {current.frame}</span>}
      </div>
      <div className="overlay bottom-left">
        {state?.window && <span data-testid={id('window-indicator')}>{describeWindow(state.window)}</span>}
        {state && state.count > 0 && <span data-testid={id('zoom-indicator')}> · Zoom {Math.round((state.zoom ?? 1) * 100)}%</span>}
      </div>
      {state && state.count > 1 && (
        <input
          type="range"
          className="scroll-strip"
          min={0}
          max={state.count - 1}
          value={state.index}
          aria-label={`Image in viewport ${index + 1}`}
          onChange={(e) => void viewer?.setIndex(Number(e.target.value))}
        />
      )}
      {!seriesUid && !loading && viewer && (
        <div className="overlay center empty-pane">Drop a series here, or pick one while this viewport is active.</div>
      )}
      {(loading || (!viewer && !loadError)) && !showPreview && (
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
  );
}
