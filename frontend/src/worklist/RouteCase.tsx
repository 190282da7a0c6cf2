import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client';
import { getCandidates, listOffers, offerCase, reassignCase } from '../api/routing';
import type { CaseStatus } from '../api/types';
import { useAsync } from '../cases/useAsync';
import { formatDateTime } from '../cases/caseStatus';
import { ErrorAlert, Field, Loading } from '../ui/components';
import { candidateOptions, describeOffer, routeMode, type RouteMode } from './routeCase';

interface Props {
  caseId: string;
  title: string;
  status: CaseStatus;
  allowed?: readonly string[];
  currentSpecialistId?: string | null;
  /** Called after a successful offer or reassignment with a sentence to show. */
  onDone: (message: string) => void;
  onClose?: () => void;
}

/** Coordinator: the offers so far, and a form to offer the case to a chosen specialist or reassign it. */
export function RouteCase({ caseId, title, status, allowed, currentSpecialistId, onDone, onClose }: Props) {
  const mode: RouteMode | null = routeMode(status, allowed);
  const candidates = useAsync((signal) => getCandidates(caseId, undefined, signal), [caseId, status]);
  const offers = useAsync((signal) => listOffers(caseId, undefined, signal), [caseId, status]);
  const [specialist, setSpecialist] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const options = candidateOptions(candidates.data?.items ?? [], currentSpecialistId);
  const names = new Map((candidates.data?.items ?? []).map((c) => [c.specialist.id, c.specialist.name]));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (mode === 'offer' && !specialist) {
      setError('Choose the specialist to offer the case to.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (mode === 'offer') {
        const made = await offerCase(caseId, specialist);
        onDone(`Offered to ${made.specialist.name}.`);
      } else {
        await reassignCase(caseId, specialist || null, reason);
        onDone(specialist ? `Reassigned to ${names.get(specialist) ?? 'the specialist'}.` : 'Reassigned to the next candidate.');
      }
      setReason('');
      setSpecialist('');
      offers.reload();
    } catch (err) {
      // What was chosen and typed stays in the form.
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const list = offers.data?.items ?? [];
  return (
    <div className="route-case">
      <h3 className="small-heading">Offers</h3>
      <ErrorAlert message={offers.error} />
      {offers.loading && !offers.data && <Loading label="Loading offers…" />}
      {offers.data && list.length === 0 && <p className="muted small">Not offered to anyone yet.</p>}
      {list.length > 0 && (
        <ul className="offers small" aria-label={`Offers for ${title}`}>
          {list.slice(0, 6).map((o) => (
            <li key={o.id} className={`offer offer-${o.status}`}>
              {describeOffer(o)}
              <span className="muted block">
                {formatDateTime(o.created_at)}
                {o.status === 'pending' && o.expires_at ? ` · answer due ${formatDateTime(o.expires_at)}` : ''}
                {o.responded_at ? ` · answered ${formatDateTime(o.responded_at)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      {mode && (
        <form className="form" onSubmit={onSubmit} noValidate aria-label={mode === 'offer' ? `Offer ${title}` : `Reassign ${title}`}>
          <ErrorAlert message={candidates.error ?? error} />
          <Field label={mode === 'offer' ? 'Offer to' : 'Reassign to'}>
            {(p) => (
              <select {...p} value={specialist} onChange={(e) => setSpecialist(e.target.value)} disabled={candidates.loading && !candidates.data}>
                <option value="">{mode === 'offer' ? 'Choose a specialist…' : 'The next candidate (automatic)'}</option>
                {options.map((o) => (
                  <option key={o.value} value={o.value} disabled={o.disabled}>
                    {o.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {mode === 'reassign' && (
            <Field label="Reason (shown to the specialist)">
              {(p) => <input {...p} maxLength={5000} value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
          )}
          <div className="form-actions">
            {onClose && (
              <button type="button" className="button ghost" onClick={onClose}>
                Close
              </button>
            )}
            <span className="spacer" />
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Sending…' : mode === 'offer' ? 'Offer case' : 'Reassign case'}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
