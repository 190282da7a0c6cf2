import { useState } from 'react';
import { seriesThumbnailUrl } from '../dicomweb/qido';
import type { SeriesSummary } from '../dicomweb/dicomJson';
import { ErrorAlert, Loading } from '../ui/components';
import { SERIES_DRAG_TYPE } from './layout';

export interface SeriesBrowserProps {
  base: string;
  studyUid: string;
  series: SeriesSummary[];
  loading: boolean;
  error: string | null;
  /** Series per viewport, to mark which viewports show a series. */
  panes: readonly string[];
  activeSeries: string;
  onSelect: (seriesUid: string) => void;
  open: boolean;
}

/**
 * The study's series as thumbnails: click shows one in the active viewport, drag drops it onto any
 * viewport. On a phone it is a drawer (`open`), so the image gets the whole screen.
 */
export function SeriesBrowser({ base, studyUid, series, loading, error, panes, activeSeries, onSelect, open }: SeriesBrowserProps) {
  return (
    <nav className={`series-browser${open ? ' open' : ''}`} aria-label="Series" id="series-browser">
      {loading && <Loading label="Loading series…" />}
      <ErrorAlert message={error} />
      {series.map((s) => (
        <SeriesThumb
          key={s.seriesInstanceUid}
          s={s}
          selected={s.seriesInstanceUid === activeSeries}
          shownIn={panes.flatMap((p, i) => (p === s.seriesInstanceUid ? [i + 1] : []))}
          multi={panes.length > 1}
          src={seriesThumbnailUrl(base, studyUid, s.seriesInstanceUid)}
          onSelect={() => onSelect(s.seriesInstanceUid)}
        />
      ))}
    </nav>
  );
}

interface ThumbProps {
  s: SeriesSummary;
  selected: boolean;
  shownIn: number[];
  multi: boolean;
  src: string;
  onSelect: () => void;
}

function SeriesThumb({ s, selected, shownIn, multi, src, onSelect }: ThumbProps) {
  const [broken, setBroken] = useState(false);
  return (
    <button
      type="button"
      className={`series-thumb${selected ? ' selected' : ''}`}
      aria-pressed={selected}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(SERIES_DRAG_TYPE, s.seriesInstanceUid);
        e.dataTransfer.effectAllowed = 'copy';
      }}
      onClick={onSelect}
      data-series={s.seriesInstanceUid}
    >
      {broken ? (
        <span className="thumb-placeholder" aria-hidden="true">
          {s.modality}
        </span>
      ) : (
        <img src={src} alt="" loading="lazy" draggable={false} onError={() => setBroken(true)} />
      )}
      <span className="series-label">
        {s.modality} {s.number !== undefined ? `#${s.number}` : ''} {s.description}
        {s.instances !== undefined && <span className="muted small block">{s.instances} images</span>}
        {multi && shownIn.length > 0 && <span className="pane-badges">in viewport {shownIn.join(', ')}</span>}
      </span>
    </button>
  );
}
