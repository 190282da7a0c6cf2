import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { errorMessage } from '../api/client';
import { confirmPasswordReset } from '../api/identity';
import { ErrorAlert, Field, Notice } from '../ui/components';
import { validateNewPassword, type NewPasswordErrors } from './passwordForm';
import './security.css';

/** /reset-password?token=…: the page the e-mailed link opens; sets a new password once. */
export function ResetPasswordPage() {
  const [search] = useSearchParams();
  const token = search.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<NewPasswordErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateNewPassword({ password, confirm });
    setErrors(found);
    if (Object.keys(found).length) return;
    setError(null);
    setBusy(true);
    try {
      await confirmPasswordReset(token, password);
      setDone(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page narrow auth-page">
      <h1>Choose a new password</h1>
      {!token ? (
        <ErrorAlert message="This page needs the link from the reset e-mail.">
          {' '}
          <Link to="/forgot-password">Ask for a new link</Link>
        </ErrorAlert>
      ) : done ? (
        <Notice>
          Your password was changed and you were signed out everywhere. <Link to="/signin">Sign in</Link> with the
          new password.
        </Notice>
      ) : (
        <form onSubmit={submit} className="card form" noValidate>
          <ErrorAlert message={error}>
            {error && (
              <>
                {' '}
                <Link to="/forgot-password">Ask for a new link</Link>
              </>
            )}
          </ErrorAlert>
          <Field label="New password" error={errors.password}>
            {(p) => <input {...p} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
          </Field>
          <Field label="Repeat the new password" error={errors.confirm}>
            {(p) => <input {...p} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
          </Field>
          <button type="submit" className="button primary block" disabled={busy}>
            {busy ? 'Saving…' : 'Set new password'}
          </button>
        </form>
      )}
    </section>
  );
}
