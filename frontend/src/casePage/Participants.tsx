import { useState, type FormEvent } from 'react';
import { invite, listParticipants } from '../api/cases';
import { ApiError, errorMessage } from '../api/client';
import type { Invitation } from '../api/types';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Field, Loading, Notice } from '../ui/components';

const ROLE_NAMES: Record<string, string> = {
  owner: 'Owner',
  patient: 'Patient',
  referrer: 'Referring doctor',
  specialist: 'Specialist',
  coordinator: 'Coordinator',
};

export function Participants({ caseId }: { caseId: string }) {
  const people = useAsync(() => listParticipants(caseId), [caseId]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Invitation['role']>('referrer');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [formOpen, setFormOpen] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSent(null);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      setError('Enter a valid email address.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const invitation = await invite(caseId, email.trim(), role);
      setSent(`Invitation sent to ${invitation.email}.`);
      setEmail('');
      people.reload();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const items = people.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="people-heading">
      <h2 id="people-heading">People</h2>
      <ErrorAlert message={people.error} />
      {people.loading && !people.data && <Loading />}
      <ul className="people">
        {items.map((p) => (
          <li key={`${p.user.id}-${p.role}`}>
            <span className="avatar" aria-hidden="true">
              {p.user.name.slice(0, 1).toUpperCase()}
            </span>
            <span>
              {p.user.name}
              <span className="muted small block">{ROLE_NAMES[p.role] ?? p.role}</span>
            </span>
          </li>
        ))}
      </ul>
      {sent && <Notice>{sent}</Notice>}
      {!formOpen ? (
        <button type="button" className="button secondary" onClick={() => setFormOpen(true)}>
          Invite someone
        </button>
      ) : (
        <form className="form invite-form" onSubmit={onSubmit}>
          <ErrorAlert message={error} />
          <Field label="Email to invite">
            {(props) => (
              <input {...props} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
            )}
          </Field>
          <Field label="Invite as">
            {(props) => (
              <select {...props} value={role} onChange={(e) => setRole(e.target.value as Invitation['role'])}>
                <option value="referrer">Referring doctor</option>
                <option value="patient">Patient</option>
              </select>
            )}
          </Field>
          <div className="form-actions">
            <button type="button" className="button ghost" onClick={() => setFormOpen(false)}>
              Close
            </button>
            <span className="spacer" />
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Sending…' : 'Send invitation'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
