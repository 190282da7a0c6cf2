import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { saveSpecialist, type SpecialistProfile } from '../api/routing';
import { ErrorAlert, Field, Notice } from '../ui/components';
import { draftFromProfile, profileInput, WEEKDAYS, WEEKDAY_LABELS, type DraftErrors, type ProfileDraft } from './profileForm';

interface Props {
  userId: string;
  profile: SpecialistProfile;
  /** A specialist editing their own profile: availability and languages only. */
  selfOnly: boolean;
  onSaved?: (profile: SpecialistProfile) => void;
}

/** Edits a specialist profile; what was typed stays in the form when saving fails. */
export function SpecialistProfileForm({ userId, profile, selfOnly, onSaved }: Props) {
  const [draft, setDraft] = useState<ProfileDraft>(() => draftFromProfile(profile));
  const [errors, setErrors] = useState<DraftErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  function set<K extends keyof ProfileDraft>(key: K, value: ProfileDraft[K]) {
    setSaved(false);
    setDraft((d) => ({ ...d, [key]: value }));
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const checked = profileInput(draft, selfOnly);
    setErrors(checked.errors);
    if (!checked.input) {
      setError('Please correct the highlighted fields.');
      return;
    }
    setBusy(true);
    try {
      const updated = await saveSpecialist(userId, checked.input);
      setDraft(draftFromProfile(updated));
      setSaved(true);
      onSaved?.(updated);
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const listField = (key: 'specialties' | 'subspecialties' | 'modalities' | 'licensed_regions' | 'languages', label: string, hint: string) => (
    <Field label={label} hint={hint} error={errors[key]}>
      {(p) => <input {...p} value={draft[key]} onChange={(e) => set(key, e.target.value)} />}
    </Field>
  );

  return (
    <form className="card form" onSubmit={onSubmit} noValidate aria-label={`Profile of ${profile.user.name}`}>
      <ErrorAlert message={error} />
      {saved && <Notice>Saved.</Notice>}
      {!selfOnly && (
        <>
          <h2>Qualifications</h2>
          <div className="grid-2">
            {listField('specialties', 'Specialties', 'Comma-separated, e.g. radiology, cardiology')}
            {listField('subspecialties', 'Subspecialties', 'Comma-separated, e.g. neuroradiology')}
            {listField('modalities', 'Modalities read', 'DICOM codes, e.g. CT, MR, CR')}
            {listField('licensed_regions', 'Licensed regions', 'Region codes, e.g. DE, US-CA')}
          </div>
          <Field label="Capacity (open cases at once)" error={errors.capacity}>
            {(p) => <input {...p} inputMode="numeric" value={draft.capacity} onChange={(e) => set('capacity', e.target.value)} />}
          </Field>
        </>
      )}
      <h2>Availability</h2>
      <div className="grid-2">
        {listField('languages', 'Languages', 'Language codes, e.g. en, de')}
        <Field label="Time zone" hint="An IANA name, e.g. Europe/Berlin or UTC" error={errors.time_zone}>
          {(p) => <input {...p} value={draft.time_zone} onChange={(e) => set('time_zone', e.target.value)} />}
        </Field>
      </div>
      <label className="radio">
        <input type="checkbox" checked={draft.accepting} onChange={(e) => set('accepting', e.target.checked)} />
        <span>Accepting new cases</span>
      </label>
      <fieldset className="field">
        <legend>Working hours</legend>
        <p className="field-hint">In the time zone above, e.g. 08:00-12:00, 13:00-17:00. Leave a day empty if not working. No hours at all means always available.</p>
        <div className="grid-2">
          {WEEKDAYS.map((day) => (
            <Field key={day} label={WEEKDAY_LABELS[day] ?? day} error={errors[`hours.${day}`]}>
              {(p) => (
                <input
                  {...p}
                  value={draft.hours[day] ?? ''}
                  placeholder="not working"
                  onChange={(e) => set('hours', { ...draft.hours, [day]: e.target.value })}
                />
              )}
            </Field>
          ))}
        </div>
        {errors.working_hours && <p className="field-error">{errors.working_hours}</p>}
      </fieldset>
      <fieldset className="field">
        <legend>Absences</legend>
        <p className="field-hint">Times are in your browser’s time zone.</p>
        {draft.absences.length === 0 && <p className="muted">No absences planned.</p>}
        {draft.absences.map((row, index) => (
          <div key={index} className="grid-3">
            <Field label={`From (absence ${index + 1})`} error={errors[`absences.${index}`]}>
              {(p) => (
                <input
                  {...p}
                  type="datetime-local"
                  value={row.starts}
                  onChange={(e) => set('absences', draft.absences.map((r, i) => (i === index ? { ...r, starts: e.target.value } : r)))}
                />
              )}
            </Field>
            <Field label="Until">
              {(p) => (
                <input
                  {...p}
                  type="datetime-local"
                  value={row.ends}
                  onChange={(e) => set('absences', draft.absences.map((r, i) => (i === index ? { ...r, ends: e.target.value } : r)))}
                />
              )}
            </Field>
            <Field label="Reason (optional)">
              {(p) => (
                <div className="row-actions">
                  <input
                    {...p}
                    value={row.reason}
                    maxLength={200}
                    onChange={(e) => set('absences', draft.absences.map((r, i) => (i === index ? { ...r, reason: e.target.value } : r)))}
                  />
                  <button
                    type="button"
                    className="link-button"
                    aria-label={`Remove absence ${index + 1}`}
                    onClick={() => set('absences', draft.absences.filter((_, i) => i !== index))}
                  >
                    Remove
                  </button>
                </div>
              )}
            </Field>
          </div>
        ))}
        {errors.absences && <p className="field-error">{errors.absences}</p>}
        <button type="button" className="button secondary" onClick={() => set('absences', [...draft.absences, { starts: '', ends: '', reason: '' }])}>
          Add an absence
        </button>
      </fieldset>
      <div className="form-actions">
        <span className="spacer" />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save profile'}
        </button>
      </div>
    </form>
  );
}
