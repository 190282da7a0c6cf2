import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { getReport, reportPdfUrl, reportSrUrl, saveReport, signReport, startReport, type Report } from '../api/reports';
import type { Case } from '../api/types';
import { formatDateTime } from '../cases/caseStatus';
import { ErrorAlert, Field, Notice } from '../ui/components';
import { Autosave, contentFromFields, fieldsFromContent, type ReportFields, type SaveState } from './draft';

const SAVE_TEXT: Record<SaveState, string> = {
  saved: 'All changes saved',
  pending: 'Unsaved changes…',
  saving: 'Saving…',
  conflict: 'Someone else changed this report',
  error: 'Not saved',
};

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
  if (loading) return null;
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
          key={report.id}
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
        {report.status === 'amended' && report.amendment_reason && ` · Amended: ${report.amendment_reason}`}
      </p>
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
      {report.verification_code && <p className="muted small">Verification code: {report.verification_code}</p>}
    </div>
  );
}

function ReportEditor({ caseId, report, onSigned }: { caseId: string; report: Report; onSigned: (r: Report) => void }) {
  const [fields, setFields] = useState<ReportFields>(() => fieldsFromContent(report.content));
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [saveMessage, setSaveMessage] = useState<string | null>(null);
  const [current, setCurrent] = useState(report);
  const [password, setPassword] = useState('');
  const [signError, setSignError] = useState<string | null>(null);
  const [signing, setSigning] = useState(false);
  const previous = useRef(report.content);

  const autosave = useMemo(
    () =>
      new Autosave<Report>(report.version, {
        delayMs: 800,
        save: (content, version) => saveReport(caseId, content, version),
        onSaved: (saved) => {
          previous.current = saved.content;
          setCurrent(saved);
        },
        onState: (state, message) => {
          setSaveState(state);
          setSaveMessage(message ?? null);
        },
        isConflict: (err) => err instanceof ApiError && err.status === 409,
        describe: errorMessage,
      }),
    [caseId, report.version],
  );
  useEffect(() => () => autosave.dispose(), [autosave]);

  function set<K extends keyof ReportFields>(name: K, value: ReportFields[K]) {
    setFields((prev) => {
      const next = { ...prev, [name]: value };
      autosave.change(contentFromFields(next, previous.current));
      return next;
    });
  }

  async function sign(event: FormEvent) {
    event.preventDefault();
    setSignError(null);
    if (!password) {
      setSignError('Enter your password to sign.');
      return;
    }
    setSigning(true);
    try {
      await autosave.flush();
      const signed = await signReport(caseId, password, autosave.baseVersion);
      setPassword('');
      onSigned(signed);
    } catch (err) {
      setSignError(errorMessage(err));
    } finally {
      setSigning(false);
    }
  }

  return (
    <div className="report-editor">
      <p className={`save-state ${saveState}`} role="status">
        {SAVE_TEXT[saveState]}
        {saveMessage && saveState !== 'saved' ? ` — ${saveMessage}` : ''}
      </p>
      <Field label="Clinical history">{(p) => <textarea {...p} rows={2} value={fields.history} onChange={(e) => set('history', e.target.value)} />}</Field>
      <Field label="Technique">{(p) => <textarea {...p} rows={2} value={fields.technique} onChange={(e) => set('technique', e.target.value)} />}</Field>
      <Field label="Comparison">{(p) => <textarea {...p} rows={2} value={fields.comparison} onChange={(e) => set('comparison', e.target.value)} />}</Field>
      {fields.findings.map((f, i) => (
        <Field key={f.key || i} label={`Findings: ${f.title}`}>
          {(p) => (
            <textarea
              {...p}
              rows={4}
              value={f.text}
              onChange={(e) => set('findings', fields.findings.map((x, j) => (j === i ? { ...x, text: e.target.value } : x)))}
            />
          )}
        </Field>
      ))}
      <Field label="Impression" hint="One statement per line.">
        {(p) => <textarea {...p} rows={3} value={fields.impression} onChange={(e) => set('impression', e.target.value)} />}
      </Field>
      <Field label="Recommendations" hint="One per line.">
        {(p) => <textarea {...p} rows={2} value={fields.recommendations} onChange={(e) => set('recommendations', e.target.value)} />}
      </Field>
      <Field label="Agreement with the original read">
        {(p) => (
          <select {...p} value={fields.agreement} onChange={(e) => set('agreement', e.target.value as ReportFields['agreement'])}>
            <option value="">Not applicable</option>
            <option value="concordant">Concordant</option>
            <option value="minor_discrepancy">Minor discrepancy</option>
            <option value="major_discrepancy">Major discrepancy</option>
          </select>
        )}
      </Field>
      {current.missing_fields.length > 0 && <Notice>Still needed before signing: {current.missing_fields.join(', ')}.</Notice>}
      <form className="sign-form" onSubmit={sign}>
        <ErrorAlert message={signError} />
        <Field label="Password to sign" hint="Signing makes the report final and sends it to the patient and the referring doctor.">
          {(p) => <input {...p} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <button type="submit" className="button primary" disabled={signing || saveState === 'conflict'}>
          {signing ? 'Signing…' : 'Sign report'}
        </button>
      </form>
      {saveState === 'conflict' && (
        <p className="field-error">Reload the page to see the newest version; your text is still here to copy.</p>
      )}
    </div>
  );
}
