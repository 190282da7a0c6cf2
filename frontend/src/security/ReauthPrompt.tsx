import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client';
import { reauthenticate } from '../api/identity';
import { ErrorAlert, Field } from '../ui/components';

/** Asks for the password again before a sensitive action (the server answered `reauth_required`). */
export function ReauthPrompt({ action, onDone, onCancel }: { action: string; onDone: () => void; onCancel: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const proof = /^\d{6}$/.test(password.trim()) ? { totp: password.trim() } : { password };
      await reauthenticate(proof);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Confirm it is you">
      <h3>Confirm it is you</h3>
      <p className="muted">To {action}, enter your password or a code from your authenticator app.</p>
      <ErrorAlert message={error} />
      <Field label="Password or code">
        {(p) => (
          <input {...p} type="password" autoComplete="current-password" autoFocus value={password}
            onChange={(e) => setPassword(e.target.value)} />
        )}
      </Field>
      <div className="form-actions">
        <button type="button" className="button ghost" onClick={onCancel}>
          Cancel
        </button>
        <span className="spacer" />
        <button type="submit" className="button primary" disabled={busy || !password}>
          {busy ? 'Checking…' : 'Continue'}
        </button>
      </div>
    </form>
  );
}
