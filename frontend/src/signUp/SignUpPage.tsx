import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate } from 'react-router-dom';
import { useSession } from '../auth/useSession';
import { homePath, sessionStore } from '../auth/session';
import { ApiError, errorMessage } from '../api/client';
import { ErrorAlert, Field } from '../ui/components';
import { validateRegistration, type RegistrationErrors } from './validation';

export function SignUpPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<RegistrationErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (session.status === 'authenticated' && !busy) {
    return <Navigate to={homePath(session.user)} replace />;
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const found = validateRegistration({ name, email, password, confirm });
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const user = await sessionStore.register({ name: name.trim(), email: email.trim(), password });
      navigate(homePath(user), { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      if (err instanceof ApiError) setErrors(err.fieldErrors());
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page narrow auth-page">
      <h1>Create a patient account</h1>
      <p className="lead">
        Ask a specialist for a second opinion on your diagnosis and images. Doctors are invited by
        their organisation.
      </p>
      <form onSubmit={onSubmit} className="card form" noValidate>
        <ErrorAlert message={error} />
        <Field label="Full name" error={errors.name}>
          {(props) => (
            <input {...props} name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <Field label="Email" error={errors.email}>
          {(props) => (
            <input
              {...props}
              type="email"
              name="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Password" hint="At least 10 characters. Avoid common passwords." error={errors.password}>
          {(props) => (
            <input
              {...props}
              type="password"
              name="new-password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <Field label="Confirm password" error={errors.confirm}>
          {(props) => (
            <input
              {...props}
              type="password"
              name="confirm-password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button primary block" disabled={busy}>
          {busy ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p className="aside">
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </section>
  );
}
