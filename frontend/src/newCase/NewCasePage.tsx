import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { createCase, getCase, transition, updateCase } from '../api/cases';
import { ApiError, errorMessage } from '../api/client';
import { useSession } from '../auth/useSession';
import { ErrorAlert, Field, Loading } from '../ui/components';
import { PRIORITY_LABELS } from '../cases/caseStatus';
import { UploadPanel } from '../upload/UploadPanel';
import type { Priority } from '../api/types';
import {
  clearDraft,
  DRAFT_KEY,
  EMPTY_FIELDS,
  fieldsFromCase,
  loadDraft,
  saveDraft,
  SPECIALTIES,
  specialtyLabel,
  STEPS,
  toCaseInput,
  validateStep,
  type FieldErrors,
  type StepId,
  type WizardFields,
} from './wizard';

const storage = typeof window !== 'undefined' ? window.sessionStorage : undefined;

const PRIORITY_HINTS: Record<Priority, string> = {
  routine: 'Answer within a few working days.',
  urgent: 'Answer within 24 hours.',
  stat: 'Immediate: a specialist is needed within hours.',
};

export function NewCasePage() {
  const { caseId: editId } = useParams();
  const navigate = useNavigate();
  const session = useSession();
  const roles = session.status === 'authenticated' ? session.user.roles : [];
  const storageKey = editId ? `${DRAFT_KEY}.${editId}` : DRAFT_KEY;
  const initial = useRef(loadDraft(storage, storageKey));

  const [fields, setFields] = useState<WizardFields>(initial.current?.fields ?? EMPTY_FIELDS);
  const [step, setStep] = useState<StepId>(initial.current?.step ?? 'question');
  const [caseId, setCaseId] = useState<string | null>(editId ?? initial.current?.caseId ?? null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [loadingCase, setLoadingCase] = useState(!!editId && !initial.current);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Editing an existing draft: start from the server's copy unless we hold unsaved edits.
  useEffect(() => {
    if (!editId || initial.current) return;
    getCase(editId)
      .then((c) => setFields(fieldsFromCase(c)))
      .catch((err: unknown) => setError(errorMessage(err)))
      .finally(() => setLoadingCase(false));
  }, [editId]);

  useEffect(() => {
    saveDraft(storage, { fields, step, caseId }, storageKey);
  }, [fields, step, caseId, storageKey]);

  useEffect(() => {
    headingRef.current?.focus();
  }, [step]);

  function set<K extends keyof WizardFields>(name: K, value: WizardFields[K]) {
    setFields((prev) => ({ ...prev, [name]: value }));
    setErrors((prev) => ({ ...prev, [name]: undefined }));
  }

  /** Creates the draft case on the server, or saves changes to it; returns its id. */
  async function persist(): Promise<string> {
    const input = toCaseInput(fields);
    if (caseId) {
      await updateCase(caseId, input);
      return caseId;
    }
    const created = await createCase(input);
    setCaseId(created.id);
    return created.id;
  }

  function showServerError(err: unknown) {
    setError(errorMessage(err));
    if (err instanceof ApiError) {
      const fieldErrors = err.fieldErrors() as FieldErrors;
      if (Object.keys(fieldErrors).length) setErrors(fieldErrors);
    }
  }

  const index = STEPS.findIndex((s) => s.id === step);

  async function next(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const found = validateStep(step, fields, roles);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    if (step === 'question') {
      setStep('background');
      return;
    }
    setBusy(true);
    try {
      if (step === 'background') {
        await persist();
        setStep('images');
        return;
      }
      if (step === 'images') {
        setStep('review');
        return;
      }
      const id = await persist();
      await transition(id, 'submit', undefined);
      clearDraft(storage, storageKey);
      navigate(`/cases/${id}`, { replace: true, state: { flash: 'Your consult was submitted.' } });
    } catch (err) {
      showServerError(err);
    } finally {
      setBusy(false);
    }
  }

  async function saveAndExit() {
    setError(null);
    const found = validateStep('question', fields, roles);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setStep('question');
      return;
    }
    setBusy(true);
    try {
      const id = await persist();
      clearDraft(storage, storageKey);
      navigate(`/cases/${id}`, { state: { flash: 'Draft saved.' } });
    } catch (err) {
      showServerError(err);
    } finally {
      setBusy(false);
    }
  }

  if (loadingCase) return <Loading label="Loading the draft…" />;

  const isReferrer = roles.includes('referrer') && !roles.includes('patient');

  return (
    <section className="page narrow wizard">
      <p className="breadcrumb">
        <Link to="/cases">Cases</Link> / {editId ? 'Edit draft' : 'New consult'}
      </p>
      <h1>{editId ? 'Edit consult' : 'Ask for a second opinion'}</h1>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.id} className={i === index ? 'current' : i < index ? 'done' : ''} aria-current={i === index ? 'step' : undefined}>
            <span className="step-number" aria-hidden="true">{i + 1}</span> {s.title}
          </li>
        ))}
      </ol>

      <form className="card form" onSubmit={next} noValidate>
        <h2 tabIndex={-1} ref={headingRef}>
          Step {index + 1} of {STEPS.length}: {STEPS[index]?.title}
        </h2>
        <ErrorAlert message={error} />

        {step === 'question' && (
          <>
            <Field label="Title" hint="A few words, e.g. “Knee MRI – meniscus tear?”" error={errors.title}>
              {(props) => (
                <input {...props} name="title" maxLength={200} value={fields.title} onChange={(e) => set('title', e.target.value)} />
              )}
            </Field>
            <Field
              label="Your question for the specialist"
              hint="What would you like the specialist to answer?"
              error={errors.question}
            >
              {(props) => (
                <textarea {...props} name="question" rows={5} value={fields.question} onChange={(e) => set('question', e.target.value)} />
              )}
            </Field>
            <Field label="Requested specialty" error={errors.requested_specialty}>
              {(props) => (
                <select {...props} name="requested_specialty" value={fields.requested_specialty} onChange={(e) => set('requested_specialty', e.target.value)}>
                  <option value="">No preference</option>
                  {SPECIALTIES.map((s) => (
                    <option key={s.value} value={s.value}>
                      {s.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </>
        )}

        {step === 'background' && (
          <>
            <Field
              label="Medical history"
              hint="Symptoms, earlier diagnoses, treatments and medication that matter for the question."
              error={errors.history}
            >
              {(props) => (
                <textarea {...props} name="history" rows={6} value={fields.history} onChange={(e) => set('history', e.target.value)} />
              )}
            </Field>
            <fieldset className="field">
              <legend>Priority</legend>
              {(['routine', 'urgent', 'stat'] as Priority[]).map((p) => (
                <label key={p} className="radio">
                  <input type="radio" name="priority" value={p} checked={fields.priority === p} onChange={() => set('priority', p)} />
                  <span>
                    <strong>{PRIORITY_LABELS[p]}</strong> <span className="muted">{PRIORITY_HINTS[p]}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            {isReferrer && (
              <>
                <Field label="Patient name" error={errors.patient_name}>
                  {(props) => (
                    <input {...props} name="patient_name" value={fields.patient_name} onChange={(e) => set('patient_name', e.target.value)} />
                  )}
                </Field>
                <Field label="Patient date of birth" error={errors.patient_birth_date}>
                  {(props) => (
                    <input {...props} type="date" name="patient_birth_date" value={fields.patient_birth_date} onChange={(e) => set('patient_birth_date', e.target.value)} />
                  )}
                </Field>
              </>
            )}
          </>
        )}

        {step === 'images' && caseId && (
          <>
            <p>
              Add the images you would like the specialist to see: the files from a CD or USB stick, a ZIP,
              or single DICOM files. You can also add them later from the case page.
            </p>
            <UploadPanel caseId={caseId} />
          </>
        )}

        {step === 'review' && (
          <>
            <dl className="summary">
              <dt>Title</dt>
              <dd>{fields.title}</dd>
              <dt>Question</dt>
              <dd className="prewrap">{fields.question}</dd>
              {fields.history && (
                <>
                  <dt>History</dt>
                  <dd className="prewrap">{fields.history}</dd>
                </>
              )}
              <dt>Priority</dt>
              <dd>{PRIORITY_LABELS[fields.priority]}</dd>
              <dt>Specialty</dt>
              <dd>{specialtyLabel(fields.requested_specialty)}</dd>
            </dl>
            <div className={`field checkbox${errors.consent ? ' field-invalid' : ''}`}>
              <label>
                <input
                  type="checkbox"
                  name="consent"
                  checked={fields.consent}
                  aria-invalid={!!errors.consent}
                  onChange={(e) => set('consent', e.target.checked)}
                />
                <span>
                  I consent to sharing this information and my images with the specialists who review
                  this consult, and to the processing of my health data for this purpose.
                </span>
              </label>
              {errors.consent && <p className="field-error">{errors.consent}</p>}
            </div>
          </>
        )}

        <div className="form-actions">
          {index > 0 && (
            <button type="button" className="button secondary" disabled={busy} onClick={() => setStep(STEPS[index - 1]!.id)}>
              Back
            </button>
          )}
          <span className="spacer" />
          {(caseId || step !== 'question') && (
            <button type="button" className="button ghost" disabled={busy} onClick={saveAndExit}>
              Save draft
            </button>
          )}
          <button type="submit" className="button primary" disabled={busy}>
            {step === 'review' ? (busy ? 'Submitting…' : 'Submit consult') : busy ? 'Saving…' : 'Continue'}
          </button>
        </div>
      </form>
    </section>
  );
}
