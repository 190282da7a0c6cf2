import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { saveReport, signReport, type Report } from '../api/reports';
import { ErrorAlert, Field, Notice } from '../ui/components';
import { Autosave, contentFromFields, fieldsFromContent, type ReportFields, type SaveState } from './draft';
import { KeyImagesPart } from './KeyImagesPart';
import { MeasurementsPart } from './MeasurementsPart';
import { PdfPreview } from './PdfPreview';

const SAVE_TEXT: Record<SaveState, string> = {
  saved: 'All changes saved',
  pending: 'Unsaved changes…',
  saving: 'Saving…',
  conflict: 'Someone else changed this report',
  error: 'Not saved',
};

/** The draft editor of the reading specialist: structured fields, measurements, key images, autosave, sign. */
export function ReportEditor({ caseId, report, onSigned }: { caseId: string; report: Report; onSigned: (r: Report) => void }) {
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
      {report.amendment_reason && (
        <Notice>
          Amendment of version {report.predecessor_version ?? report.document_version - 1}: {report.amendment_reason}
        </Notice>
      )}
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
      <MeasurementsPart caseId={caseId} measurements={fields.measurements} onChange={(next) => set('measurements', next)} />
      <KeyImagesPart caseId={caseId} keyImages={fields.keyImages} onChange={(next) => set('keyImages', next)} />
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
      <PdfPreview caseId={caseId} version={current.document_version} beforeLoad={() => autosave.flush()} />
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
