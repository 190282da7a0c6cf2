import { useEffect, useState } from 'react';
import type { Measurement, StackViewer } from './engine';

/**
 * The measurements on the active viewport's series: kind, value with unit and slice. A click shows
 * the slice and selects the drawing; ✎ edits a note's text; × removes it (as do Delete/Backspace on
 * a selected one).
 */
export function MeasurementsPanel({ viewer, onClose }: { viewer: StackViewer | null; onClose: () => void }) {
  const [rows, setRows] = useState<Measurement[]>([]);
  const [selected, setSelected] = useState<string[]>([]);

  useEffect(() => {
    if (!viewer) {
      setRows([]);
      return;
    }
    const refresh = () => {
      setRows(viewer.measurements());
      setSelected(viewer.selectedAnnotations());
    };
    refresh();
    const stopAnnotations = viewer.onAnnotationsChanged(refresh);
    // A new series in this viewport changes which drawings belong to it.
    const stopState = viewer.subscribe(() => {
      const next = viewer.measurements();
      setRows((before) => (sameRows(before, next) ? before : next));
    });
    return () => {
      stopAnnotations();
      stopState();
    };
  }, [viewer]);

  return (
    <aside className="measurements" aria-label="Measurements">
      <div className="attributes-head">
        <strong>Measurements</strong>
        <button type="button" className="tool" onClick={onClose} aria-label="Close measurements">
          ×
        </button>
      </div>
      {rows.length === 0 ? (
        <p className="muted">None on this series yet. Pick Length, Angle, an ROI, Probe, Arrow or Text and draw on the image.</p>
      ) : (
        <ul className="measurement-list">
          {rows.map((m) => (
            <li key={m.uid} className={selected.includes(m.uid) ? 'selected' : ''} data-testid="measurement">
              <button type="button" className="measurement-show" onClick={() => void viewer?.showAnnotation(m.uid)}>
                <span className="measurement-kind">{m.kind}</span>
                <span className="measurement-value">{m.value || '…'}</span>
                <span className="muted">Image {m.index + 1}</span>
              </button>
              {m.textual && (
                <button
                  type="button"
                  className="tool"
                  aria-label={`Edit ${m.kind} on image ${m.index + 1}`}
                  onClick={() => void viewer?.editText(m.uid)}
                >
                  ✎
                </button>
              )}
              <button
                type="button"
                className="tool"
                aria-label={`Delete ${m.kind} on image ${m.index + 1}`}
                onClick={() => viewer?.removeAnnotations([m.uid])}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

function sameRows(a: Measurement[], b: Measurement[]): boolean {
  return a.length === b.length && a.every((m, i) => m.uid === b[i]!.uid && m.value === b[i]!.value && m.index === b[i]!.index);
}
