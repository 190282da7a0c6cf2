import { useState } from 'react';
import { errorMessage } from '../api/client';
import { getReportAnnotations, type AnnotationImport, type Measurement } from '../api/reports';
import { ErrorAlert, Loading, Notice } from '../ui/components';
import {
  addMeasurements,
  defaultSelection,
  describeMeasurement,
  importChoices,
  MAX_FINDING,
  removeAt,
  setMeasurementFinding,
  type ImportChoice,
} from './items';

const where = (m: Pick<Measurement, 'sop_instance_uid' | 'frame_number'>) =>
  `image …${m.sop_instance_uid.slice(-8)}${m.frame_number && m.frame_number > 1 ? `, frame ${m.frame_number}` : ''}`;

/** The draft's measurements: imported from the case's live sessions, labelled, removable. */
export function MeasurementsPart({
  caseId,
  measurements,
  onChange,
}: {
  caseId: string;
  measurements: Measurement[];
  onChange: (next: Measurement[]) => void;
}) {
  const [importing, setImporting] = useState<{ data: AnnotationImport; choices: ImportChoice[]; selected: Set<string> } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function open() {
    setLoading(true);
    setError(null);
    setDone(null);
    try {
      const data = await getReportAnnotations(caseId);
      const choices = importChoices(data, measurements);
      setImporting({ data, choices, selected: defaultSelection(choices) });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }

  function toggle(key: string, on: boolean) {
    setImporting((prev) => {
      if (!prev) return prev;
      const selected = new Set(prev.selected);
      if (on) selected.add(key);
      else selected.delete(key);
      return { ...prev, selected };
    });
  }

  function add() {
    if (!importing) return;
    const result = addMeasurements(measurements, importing.choices, importing.selected);
    if (result.error) {
      setError(result.error);
      return;
    }
    onChange(result.measurements);
    setImporting(null);
    setDone(`${result.added} measurement${result.added === 1 ? '' : 's'} added to the report.`);
  }

  const selectable = importing?.choices.filter((c) => !c.added) ?? [];
  const chosen = selectable.filter((c) => importing?.selected.has(c.key)).length;

  return (
    <section className="report-part" aria-labelledby="measurements-heading">
      <div className="section-header">
        <h3 id="measurements-heading">Measurements</h3>
        {!importing && (
          <button type="button" className="button secondary" disabled={loading} onClick={open}>
            Import measurements from live sessions
          </button>
        )}
      </div>
      <ErrorAlert message={error} />
      {loading && <Loading label="Looking for measurements…" />}
      {done && <Notice>{done}</Notice>}
      {importing && (
        <fieldset className="import-panel" aria-label="Measurements from live sessions">
          <legend>Measurements drawn in this case’s live sessions</legend>
          {importing.choices.length === 0 && <p className="muted">No measurements have been drawn in a live session of this case yet.</p>}
          <ul className="plain-list">
            {importing.choices.map((c) => (
              <li key={c.key}>
                <label className="check">
                  <input
                    type="checkbox"
                    disabled={c.added}
                    checked={c.added || importing.selected.has(c.key)}
                    onChange={(e) => toggle(c.key, e.target.checked)}
                  />
                  <span>
                    {describeMeasurement(c.measurement)}
                    {c.measurement.finding && ` · ${c.measurement.finding}`}
                    <span className="muted small"> · {where(c.measurement)}</span>
                    {c.added && <span className="muted small"> · already in the report</span>}
                  </span>
                </label>
              </li>
            ))}
          </ul>
          {importing.data.skipped.length > 0 && (
            <div className="skipped">
              <p className="muted small">Not importable:</p>
              <ul className="plain-list small">
                {importing.data.skipped.map((s, i) => (
                  <li key={`${s.annotation_id}-${i}`}>
                    Annotation …{s.annotation_id.slice(-8)}: {s.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div className="form-actions">
            <button type="button" className="button ghost" onClick={() => setImporting(null)}>
              Cancel
            </button>
            <span className="spacer" />
            <button type="button" className="button primary" disabled={chosen === 0} onClick={add}>
              Add {chosen} selected
            </button>
          </div>
        </fieldset>
      )}
      {measurements.length === 0 ? (
        !importing && <p className="muted">No measurements in the report.</p>
      ) : (
        <ul className="plain-list report-measurements">
          {measurements.map((m, i) => {
            const name = describeMeasurement(m);
            return (
              <li key={`${m.annotation_id}|${m.kind}|${i}`}>
                <span className="report-measure">{name}</span>
                <span className="muted small">{where(m)}</span>
                <label className="visually-hidden" htmlFor={`finding-${i}`}>
                  Finding for {name}
                </label>
                <input
                  id={`finding-${i}`}
                  placeholder="Finding (e.g. RUL nodule)"
                  maxLength={MAX_FINDING}
                  value={m.finding}
                  onChange={(e) => onChange(setMeasurementFinding(measurements, i, e.target.value))}
                />
                <button type="button" className="button ghost" aria-label={`Remove ${name}`} onClick={() => onChange(removeAt(measurements, i))}>
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
