import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import {
  beginMfaEnrolment,
  confirmMfaEnrolment,
  disableMfa,
  getMfaStatus,
  regenerateRecoveryCodes,
  type MfaEnrolment,
} from '../api/identity';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Field, Loading, Notice } from '../ui/components';
import { groupSecret, parseOtpauthUri } from './otpauth';
import { QrCode } from './QrCode';
import { ReauthPrompt } from './ReauthPrompt';
import { RecoveryCodes } from './RecoveryCodes';

type Sensitive = { label: string; run: () => Promise<void> };

/** Two-step verification: status, enrolment with a QR code, recovery codes, turning it off. */
export function MfaSection() {
  const status = useAsync(() => getMfaStatus(), []);
  const [enrolment, setEnrolment] = useState<MfaEnrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<Sensitive | null>(null);

  async function start() {
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      setEnrolment(await beginMfaEnrolment());
      setCode('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    const compact = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(compact)) {
      setError('Enter the 6-digit code your app shows.');
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const answer = await confirmMfaEnrolment(compact);
      setEnrolment(null);
      setCodes(answer.recovery_codes);
      status.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  /** Runs a sensitive action; asks for the password first when the server wants a fresh proof. */
  async function sensitive(action: Sensitive) {
    setError(null);
    setNotice(null);
    try {
      await action.run();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'reauth_required') setPending(action);
      else setError(errorMessage(err));
    }
  }

  const newCodes: Sensitive = {
    label: 'make new recovery codes',
    run: async () => {
      setCodes((await regenerateRecoveryCodes()).recovery_codes);
      status.reload();
    },
  };
  const turnOff: Sensitive = {
    label: 'turn off two-step verification',
    run: async () => {
      await disableMfa();
      setNotice('Two-step verification is off.');
      status.reload();
    },
  };

  const s = status.data;
  const otp = enrolment ? parseOtpauthUri(enrolment.otpauth_uri) : null;

  return (
    <section className="card security-section" aria-labelledby="mfa-title">
      <h2 id="mfa-title">
        Two-step verification{' '}
        {s && <span className={s.enrolled ? 'status-on' : 'status-off'}>{s.enrolled ? 'On' : 'Off'}</span>}
      </h2>
      <ErrorAlert message={status.error ?? error} />
      {notice && <Notice>{notice}</Notice>}
      {status.loading && !s && <Loading />}
      {codes && <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />}
      {pending && (
        <ReauthPrompt
          action={pending.label}
          onCancel={() => setPending(null)}
          onDone={() => {
            const action = pending;
            setPending(null);
            void sensitive(action);
          }}
        />
      )}
      {s && !s.enrolled && !enrolment && (
        <>
          {s.enrolment_required && (
            <div className={`alert ${s.blocked ? 'alert-error' : 'alert-info'}`} role="status">
              {s.blocked
                ? 'Your role requires two-step verification. Set it up now to continue using the service.'
                : `Your role requires two-step verification${
                    s.grace_until ? ` — set it up before ${new Date(s.grace_until).toLocaleDateString()}` : ''
                  }.`}
            </div>
          )}
          <p>
            Protect your account with a code from an authenticator app (such as Google Authenticator, Microsoft
            Authenticator or 1Password) each time you sign in with your password.
          </p>
          <button type="button" className="button primary" onClick={start} disabled={busy}>
            Set up two-step verification
          </button>
        </>
      )}
      {enrolment && (
        <form onSubmit={confirm} noValidate className="form">
          <div className="enrol-grid">
            <QrCode value={enrolment.otpauth_uri} label="QR code to scan with your authenticator app" />
            <div>
              <ol>
                <li>Scan the QR code with your authenticator app.</li>
                <li>
                  Can’t scan it? Enter this key by hand{otp?.account ? ` for ${otp.account}` : ''}:{' '}
                  <code className="secret" data-testid="mfa-secret" data-secret={enrolment.secret}>
                    {groupSecret(enrolment.secret)}
                  </code>
                </li>
                <li>Enter the 6-digit code the app shows.</li>
              </ol>
              <Field label="Code from the app">
                {(p) => (
                  <input {...p} className="code-input" inputMode="numeric" autoComplete="one-time-code"
                    maxLength={7} value={code} onChange={(e) => setCode(e.target.value)} />
                )}
              </Field>
              <div className="form-actions">
                <button type="button" className="button ghost" onClick={() => setEnrolment(null)}>
                  Cancel
                </button>
                <span className="spacer" />
                <button type="submit" className="button primary" disabled={busy}>
                  {busy ? 'Checking…' : 'Turn on'}
                </button>
              </div>
            </div>
          </div>
        </form>
      )}
      {s && s.enrolled && !codes && (
        <>
          <p>
            You will be asked for a code from your authenticator app when you sign in with your password.{' '}
            <span className={s.recovery_codes_left <= 2 ? 'overdue' : 'muted'} data-testid="recovery-codes-left">
              {s.recovery_codes_left} recovery {s.recovery_codes_left === 1 ? 'code' : 'codes'} left.
            </span>
          </p>
          <div className="form-actions">
            <button type="button" className="button secondary" onClick={() => sensitive(newCodes)}>
              New recovery codes
            </button>
            {!s.required && (
              <button type="button" className="button danger" onClick={() => sensitive(turnOff)}>
                Turn off
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}
