import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { getInvitation } from '../api/auth';
import { errorMessage } from '../api/client';
import { useAsync } from '../cases/useAsync';
import { useSession } from '../auth/useSession';
import { sessionStore } from '../auth/session';
import { ErrorAlert, Field, Loading } from '../ui/components';
import { formatDateTime } from '../cases/caseStatus';
import { validateRegistration, type RegistrationErrors } from '../signUp/validation';

/** /invitations/:token — the link from an invitation e-mail. */
export function InvitationPage() {
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const session = useSession();
  const info = useAsync(() => getInvitation(token), [token]);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<RegistrationErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (info.loading && !info.data) return <Loading label="Opening the invitation…" />;
  if (!info.data) {
    return (
      <section className="page narrow">
        <h1>Invitation</h1>
        <ErrorAlert message={info.error ?? 'This invitation is not valid.'} />
        <Link to="/">Go to the start page</Link>
      </section>
    );
  }
  const inv = info.data;
  const signedIn = session.status === 'authenticated';
  const wrongUser = signedIn && session.user.email.toLowerCase() !== inv.email.toLowerCase();

  async function accept(event: FormEvent) {
    event.preventDefault();
    setError(null);
    let body: { name?: string; password?: string } = {};
    if (!signedIn && !inv.account_exists) {
      const found = validateRegistration({ name, email: inv.email, password, confirm });
      setErrors(found);
      if (Object.keys(found).length) return;
      body = { name: name.trim(), password };
    }
    setBusy(true);
    try {
      await sessionStore.acceptInvitation(token, body);
      navigate(inv.case_id ? `/cases/${inv.case_id}` : '/', { replace: true });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const next = encodeURIComponent(`/invitations/${token}`);
  return (
    <section className="page narrow auth-page">
      <h1>You are invited</h1>
      <p className="lead">
        {inv.invited_by ?? 'Someone'} invited <strong>{inv.email}</strong>
        {inv.case_title ? (
          <>
            {' '}
            to the consult “{inv.case_title}”
          </>
        ) : (
          ' to Second Opinion'
        )}
        . The invitation is valid until {formatDateTime(inv.expires_at)}.
      </p>
      <form className="card form" onSubmit={accept} noValidate>
        <ErrorAlert message={error} />
        {wrongUser && (
          <ErrorAlert message={`You are signed in as ${session.status === 'authenticated' ? session.user.email : ''}. This invitation is for ${inv.email}.`} />
        )}
        {!signedIn && inv.account_exists && (
          <p>
            You already have an account. <Link to={`/signin?next=${next}`}>Sign in</Link> to accept.
          </p>
        )}
        {!signedIn && !inv.account_exists && (
          <>
            <Field label="Full name" error={errors.name}>
              {(props) => <input {...props} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field label="Choose a password" hint="At least 10 characters." error={errors.password}>
              {(props) => (
                <input {...props} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
              )}
            </Field>
            <Field label="Confirm password" error={errors.confirm}>
              {(props) => (
                <input {...props} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
              )}
            </Field>
          </>
        )}
        {(signedIn || !inv.account_exists) && (
          <button type="submit" className="button primary block" disabled={busy || wrongUser}>
            {busy ? 'Accepting…' : 'Accept invitation'}
          </button>
        )}
      </form>
    </section>
  );
}
