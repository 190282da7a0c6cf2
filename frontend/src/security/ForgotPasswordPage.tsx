import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { errorMessage } from '../api/client';
import { requestPasswordReset } from '../api/identity';
import { ErrorAlert, Field, Notice } from '../ui/components';
import './security.css';

/** The e-mail typed on the sign-in page, which its "Forgot your password?" link passes along. */
function emailFromSignIn(state: unknown): string {
  const email = (state as { email?: unknown } | null)?.email;
  return typeof email === 'string' ? email : '';
}

/** /forgot-password: e-mails a single-use reset link (the answer never says whether the account exists). */
export function ForgotPasswordPage() {
  const location = useLocation();
  const [email, setEmail] = useState(() => emailFromSignIn(location.state));
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      setError('Enter the e-mail address of your account.');
      return;
    }
    setError(null);
    setBusy(true);
    try {
      setSent((await requestPasswordReset(email.trim())).status);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page narrow auth-page">
      <h1>Reset your password</h1>
      {sent ? (
        <Notice>
          {sent} Check your inbox (and spam folder); the link works once and expires soon.
        </Notice>
      ) : (
        <form onSubmit={submit} className="card form" noValidate>
          <p className="muted">Enter the e-mail address you sign in with and we will send you a link to choose a new password.</p>
          <ErrorAlert message={error} />
          <Field label="Email">
            {(p) => <input {...p} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <button type="submit" className="button primary block" disabled={busy}>
            {busy ? 'Sending…' : 'Send reset link'}
          </button>
        </form>
      )}
      <p className="aside">
        <Link to="/signin">Back to sign in</Link>
      </p>
    </section>
  );
}
