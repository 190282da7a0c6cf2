import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { changePassword } from '../api/identity';
import { ErrorAlert, Field, Notice } from '../ui/components';
import { validateNewPassword, type NewPasswordErrors } from './passwordForm';

/** Change one's password; every other session ends, this one continues with a new cookie. */
export function PasswordSection({ onChanged }: { onChanged?: () => void }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<NewPasswordErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    setError(null);
    const found = validateNewPassword({ current, password, confirm });
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const answer = await changePassword({ current_password: current, new_password: password });
      if (answer.csrf_token) api.setCsrfToken(answer.csrf_token);
      setCurrent('');
      setPassword('');
      setConfirm('');
      setDone(true);
      onChanged?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card security-section" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form onSubmit={submit} noValidate className="form">
        <ErrorAlert message={error} />
        {done && <Notice>Your password was changed. You were signed out everywhere else.</Notice>}
        <Field label="Current password" error={errors.current}>
          {(p) => <input {...p} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />}
        </Field>
        <div className="grid-2">
          <Field label="New password" error={errors.password}>
            {(p) => <input {...p} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
          </Field>
          <Field label="Repeat the new password" error={errors.confirm}>
            {(p) => <input {...p} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
          </Field>
        </div>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
