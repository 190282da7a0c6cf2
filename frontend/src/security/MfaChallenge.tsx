import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client';
import { ErrorAlert, Field } from '../ui/components';
import { secondFactorFrom, type SecondFactor } from './signInFlow';
import './security.css';

interface Props {
  email: string;
  /** Sends the password again with the code; rejects with the server's error. */
  onSubmit: (factor: SecondFactor) => Promise<void>;
  onCancel: () => void;
}

/** The second sign-in step: a code from the authenticator app, or a recovery code. */
export function MfaChallenge({ email, onSubmit, onCancel }: Props) {
  const [mode, setMode] = useState<'totp' | 'recovery'>('totp');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const factor = secondFactorFrom(code, mode);
    if (!factor) {
      setError(mode === 'totp' ? 'Enter the 6-digit code from your app.' : 'Enter a recovery code like abcde-fghjk.');
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await onSubmit(factor);
    } catch (err) {
      setError(errorMessage(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  }

  function switchMode() {
    setMode((m) => (m === 'totp' ? 'recovery' : 'totp'));
    setCode('');
    setError(null);
  }

  return (
    <form onSubmit={submit} className="card form" noValidate aria-labelledby="mfa-heading">
      <h2 id="mfa-heading">
        Two-step verification
      </h2>
      <p className="muted">
        {mode === 'totp'
          ? `Open your authenticator app and enter the code for ${email}.`
          : 'Enter one of the recovery codes you saved when you set up two-step verification. Each works once.'}
      </p>
      <ErrorAlert message={error} />
      <Field label={mode === 'totp' ? 'Authentication code' : 'Recovery code'}>
        {(props) => (
          <input
            {...props}
            className="code-input"
            name={mode === 'totp' ? 'totp' : 'recovery_code'}
            inputMode={mode === 'totp' ? 'numeric' : 'text'}
            autoComplete="one-time-code"
            maxLength={mode === 'totp' ? 7 : 12}
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="button primary block" disabled={busy}>
        {busy ? 'Verifying…' : 'Verify'}
      </button>
      <div className="form-actions">
        <button type="button" className="link-button" onClick={switchMode}>
          {mode === 'totp' ? 'Use a recovery code instead' : 'Use my authenticator app'}
        </button>
        <span className="spacer" />
        <button type="button" className="link-button" onClick={onCancel}>
          Back
        </button>
      </div>
    </form>
  );
}
