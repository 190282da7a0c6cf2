import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useSession } from '../auth/useSession';
import { homePath, safeNext, sessionStore } from '../auth/session';
import { errorMessage } from '../api/client';
import { ErrorAlert, Field, Notice } from '../ui/components';
import { SsoButtons } from '../security/SsoButtons';
import { MfaChallenge } from '../security/MfaChallenge';
import { needsSecondFactor, ssoErrorMessage, type SecondFactor } from '../security/signInFlow';

export function SignInPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(() => ssoErrorMessage(search.get('sso_error')));
  const [challenge, setChallenge] = useState(false);
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
      // The password was right and a second factor is enrolled: ask for the code next.
      if (needsSecondFactor(err)) setChallenge(true);
      // Keep what was typed; only the message changes.
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function onSecondFactor(factor: SecondFactor) {
    const user = await sessionStore.login({ email: email.trim(), password, ...factor });
    navigate(next ?? homePath(user), { replace: true });
  }

  if (challenge) {
    return (
      <section className="page narrow auth-page">
        <h1>Sign in</h1>
        <MfaChallenge email={email.trim()} onSubmit={onSecondFactor} onCancel={() => setChallenge(false)} />
      </section>
    );
  }

  return (
    <section className="page narrow auth-page">
      <h1>Sign in</h1>
      <p className="lead">Second opinions from specialists, with your images and reports in one place.</p>
      {search.get('expired') && <Notice>Your session ended. Please sign in again.</Notice>}
      <SsoButtons next={next} />
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
        <Link to="/forgot-password" state={{ email: email.trim() }} className="forgot-link">
          Forgot your password?
        </Link>
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
