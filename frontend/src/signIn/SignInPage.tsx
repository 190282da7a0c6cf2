import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useSession } from '../auth/useSession';
import { homePath, safeNext, sessionStore } from '../auth/session';
import { errorMessage } from '../api/client';
import { ErrorAlert, Field, Notice } from '../ui/components';

export function SignInPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(search.get('next'));

  if (session.status === 'authenticated' && !busy) {
    return <Navigate to={next ?? homePath(session.user)} replace />;
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const user = await sessionStore.login({ email: email.trim(), password });
      navigate(next ?? homePath(user), { replace: true });
    } catch (err) {
      // Keep what was typed; only the message changes.
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page narrow auth-page">
      <h1>Sign in</h1>
      <p className="lead">Second opinions from specialists, with your images and reports in one place.</p>
      {search.get('expired') && <Notice>Your session ended. Please sign in again.</Notice>}
      <form onSubmit={onSubmit} className="card form" noValidate>
        <ErrorAlert message={error} />
        <Field label="Email">
          {(props) => (
            <input
              {...props}
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Password">
          {(props) => (
            <input
              {...props}
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button primary block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="aside">
        New here? <Link to="/signup">Create a patient account</Link>
      </p>
    </section>
  );
}
