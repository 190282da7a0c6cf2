import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { amendReport, getReport, reportPdfUrl, reportSrUrl, startReport, type Report, type ReportVersionSummary } from '../api/reports';
import type { Case } from '../api/types';
import { formatDateTime } from '../cases/caseStatus';
import { ErrorAlert, Field, Notice } from '../ui/components';
import { amendReasonError, AMEND_REASON_MAX, describeMeasurement } from './items';
import { ReportEditor } from './ReportEditor';
import './report.css';

const STATUS_TEXT: Record<string, string> = { draft: 'Draft', final: 'Signed', amended: 'Signed amendment' };

/** The report on the case page: read-only for most, the draft editor for the reading specialist. */
export function ReportSection({ c, onChanged }: { c: Case; onChanged: () => void }) {
  const [report, setReport] = useState<Report | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    getReport(c.id, undefined, controller.signal)
      .then((r) => {
        setReport(r);
        setMissing(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof ApiError && err.status === 404) setMissing(true);
        else setError(errorMessage(err));
      })
      .finally(() => !controller.signal.aborted && setLoading(false));
    return () => controller.abort();
  }, [c.id, c.status]);

  const specialistReading = c.my_role === 'specialist' && ['in_review', 'accepted', 'info_requested'].includes(c.status);
  // Only the first load hides the section; a reload (the case status changed) keeps what is shown.
  if (loading && !report) return null;
  if (missing && !specialistReading) return null;

  async function start() {
    setError(null);
    try {
      setReport(await startReport(c.id));
      setMissing(false);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const signedVersions = report?.versions.filter((v) => v.status !== 'draft') ?? [];
  const latestSigned = signedVersions[signedVersions.length - 1];

  return (
    <section className="card report" aria-labelledby="report-heading">
      <div className="section-header">
        <h2 id="report-heading">Report</h2>
        {report && report.status !== 'draft' && (
          <div className="actions">
            <a className="button primary" href={reportPdfUrl(c.id)} download>
              Download PDF
            </a>
            <a className="button secondary" href={reportSrUrl(c.id)} download>
              DICOM SR
            </a>
          </div>
        )}
      </div>
      <ErrorAlert message={error} />
      {missing && specialistReading && (
        <button type="button" className="button primary" onClick={start}>
          Start the report
        </button>
      )}
      {report && report.can_edit && report.status === 'draft' ? (
        <ReportEditor
          key={`${report.id}-${report.document_version}`}
          caseId={c.id}
          report={report}
          onSigned={(r) => {
            setReport(r);
            onChanged();
          }}
        />
      ) : (
        report && <ReportView report={report} />
      )}
      {report && report.can_amend && report.status !== 'draft' && <AmendForm caseId={c.id} report={report} onAmended={setReport} />}
      {report && signedVersions.length > 0 && (report.versions.length > 1 || report.status === 'draft') && (
        <VersionList caseId={c.id} versions={report.versions} latestSigned={latestSigned?.number} />
      )}
    </section>
  );
}

function ReportView({ report }: { report: Report }) {
  const content = report.content;
  return (
    <div className="report-view">
      <p className="muted">
        {report.status === 'draft'
          ? 'Draft — not signed yet.'
          : `Signed by ${report.signer ?? report.author} on ${formatDateTime(report.signed_at)}`}
      </p>
      {report.status === 'amended' && (
        <Notice>
          This report was amended{report.amendment_reason ? `: ${report.amendment_reason}` : '.'} It replaces the earlier version
          {report.predecessor_version ? ` (version ${report.predecessor_version})` : ''}.
        </Notice>
      )}
      {content.impression.length > 0 && (
        <>
          <h3>Impression</h3>
          <ol>
            {content.impression.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ol>
        </>
      )}
      {content.findings
        .filter((f) => f.text)
        .map((f) => (
          <div key={f.key || f.title}>
            <h3>{f.title}</h3>
            <p className="prewrap">{f.text}</p>
          </div>
        ))}
      {content.measurements.length > 0 && (
        <>
          <h3>Measurements</h3>
          <ul>
            {content.measurements.map((m, i) => (
              <li key={`${m.annotation_id}-${m.kind}-${i}`}>
                {describeMeasurement(m)}
                {m.finding && ` — ${m.finding}`}
              </li>
            ))}
          </ul>
        </>
      )}
      {content.recommendations.length > 0 && (
        <>
          <h3>Recommendations</h3>
          <ul>
            {content.recommendations.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </>
      )}
      {content.key_images.length > 0 && <p className="muted small">{content.key_images.length} key image(s) in the PDF.</p>}
      {report.verification_code && <p className="muted small">Verification code: {report.verification_code}</p>}
    </div>
  );
}

/** Opens an amendment of the signed report: a new draft version with the reason for the change. */
function AmendForm({ caseId, report, onAmended }: { caseId: string; report: Report; onAmended: (r: Report) => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const problem = amendReasonError(reason);
    setFieldError(problem ?? undefined);
    if (problem) return;
    setBusy(true);
    try {
      onAmended(await amendReport(caseId, reason.trim(), report.version));
    } catch (err) {
      setError(errorMessage(err)); // the reason stays in the field
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <div className="form-actions">
        <button type="button" className="button secondary" onClick={() => setOpen(true)}>
          Amend report
        </button>
      </div>
    );
  }
  return (
    <form className="amend-form" onSubmit={submit} noValidate aria-label="Amend the report">
      <ErrorAlert message={error} />
      <Field
        label="Reason for the amendment"
        hint="Shown to the patient and the referring doctor with the amended report. The signed version stays available."
        error={fieldError}
      >
        {(p) => <textarea {...p} rows={3} maxLength={AMEND_REASON_MAX} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <div className="form-actions">
        <button type="button" className="button ghost" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <span className="spacer" />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Opening…' : 'Start the amendment'}
        </button>
      </div>
    </form>
  );
}

function VersionList({ caseId, versions, latestSigned }: { caseId: string; versions: ReportVersionSummary[]; latestSigned?: number }) {
  return (
    <div className="report-versions">
      <h3>Versions</h3>
      <ul className="plain-list">
        {[...versions].reverse().map((v) => (
          <li key={v.number}>
            <span>
              <strong>Version {v.number}</strong> · {STATUS_TEXT[v.status] ?? v.status}
              {v.number === latestSigned && ' (current)'}
              {v.signed_at && (
                <span className="muted small">
                  {' '}
                  · {v.signer ?? ''} {formatDateTime(v.signed_at)}
                </span>
              )}
              {v.amendment_reason && <span className="block muted small">Reason: {v.amendment_reason}</span>}
            </span>
            {v.status !== 'draft' && (
              <span className="row-actions">
                <a className="button ghost" href={reportPdfUrl(caseId, v.number)} download aria-label={`Download PDF of version ${v.number}`}>
                  PDF
                </a>
                <a className="button ghost" href={reportSrUrl(caseId, v.number)} download aria-label={`Download DICOM SR of version ${v.number}`}>
                  SR
                </a>
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
