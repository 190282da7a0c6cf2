import { useState, type FormEvent } from 'react';
import { createShareLink, listShareLinks, revokeShareLink, type ShareLink } from '../api/cases';
import { ApiError, errorMessage } from '../api/client';
import type { Case } from '../api/types';
import { useAsync } from '../cases/useAsync';
import { formatDateTime } from '../cases/caseStatus';
import {
  absoluteShareUrl,
  EMPTY_SHARE_FORM,
  EXPIRY_CHOICES,
  generatePasscode,
  LINK_STATE_TEXT,
  linkState,
  toShareInput,
  type ShareForm,
} from '../share/shareLinks';
import { ErrorAlert, Field, Loading } from '../ui/components';

const OWNER_ROLES = ['owner', 'patient', 'referrer'];

/** Read-only links to the case's images for someone without an account: create, see use, revoke. */
export function ShareLinks({ c }: { c: Case }) {
  const ownerSide = c.my_role == null || OWNER_ROLES.includes(c.my_role);
  const links = useAsync(
    (signal) =>
      ownerSide
        ? listShareLinks(c.id, undefined, signal).catch((error: unknown) => {
            if (error instanceof ApiError && (error.status === 403 || error.code === 'route_not_found')) return null;
            throw error;
          })
        : Promise.resolve(null),
    [c.id, ownerSide],
  );
  const [form, setForm] = useState<ShareForm>(EMPTY_SHARE_FORM);
  const [formOpen, setFormOpen] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ link: ShareLink; passcode: string | null } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  if (!ownerSide || links.data === null) return null;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const passcode = form.withPasscode ? generatePasscode() : null;
    const checked = toShareInput(form, passcode);
    if (checked.errors) {
      setErrors(checked.errors);
      return;
    }
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const link = await createShareLink(c.id, checked.input);
      setCreated({ link, passcode: checked.input.passcode });
      setForm(EMPTY_SHARE_FORM);
      setFormOpen(false);
      links.reload();
    } catch (err) {
      // The form keeps what was typed; the message says what to change.
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(link: ShareLink) {
    if (!window.confirm(`Revoke the link${link.label ? ` "${link.label}"` : ''}? It stops working at once.`)) return;
    setError(null);
    try {
      await revokeShareLink(link.id);
      links.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function copy(text: string, what: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied(null);
    }
  }

  const items = links.data?.items ?? [];
  const url = created ? absoluteShareUrl(created.link, window.location.origin) : '';
  return (
    <section className="card" aria-labelledby="share-heading">
      <div className="section-header">
        <h2 id="share-heading">Share links</h2>
        {!formOpen && (
          <button type="button" className="button secondary" onClick={() => setFormOpen(true)}>
            Create a share link
          </button>
        )}
      </div>
      <p className="muted small">
        Someone without an account (another doctor, family) can look at the images, read-only, until the link
        expires or you revoke it.
      </p>
      <ErrorAlert message={links.error ?? error} />
      {created && (
        <div className="alert alert-info" role="status" aria-label="New share link">
          <p>
            <strong>Link created.</strong> Copy it now: it is shown only once.
          </p>
          <p className="share-secret">
            <code data-testid="share-url">{url}</code>{' '}
            <button type="button" className="button ghost" onClick={() => void copy(url, 'link')}>
              Copy link
            </button>
          </p>
          {created.passcode && (
            <p className="share-secret">
              Passcode: <code data-testid="share-passcode">{created.passcode}</code>{' '}
              <button type="button" className="button ghost" onClick={() => void copy(created.passcode!, 'passcode')}>
                Copy passcode
              </button>
              <span className="muted small block">Send the passcode separately from the link (e.g. by text message).</span>
            </p>
          )}
          {copied && <p className="small">Copied the {copied}.</p>}
          <button type="button" className="button ghost" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {formOpen && (
        <form className="form" onSubmit={onSubmit} noValidate>
          <Field label="Note (who it is for)" error={errors.label}>
            {(p) => <input {...p} maxLength={200} value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} />}
          </Field>
          <Field label="Works for" error={errors.expires_in_hours}>
            {(p) => (
              <select {...p} value={form.expiresInHours} onChange={(e) => setForm({ ...form, expiresInHours: Number(e.target.value) })}>
                {EXPIRY_CHOICES.map((choice) => (
                  <option key={choice.hours} value={choice.hours}>
                    {choice.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Number of visits allowed" hint="Leave empty for no limit." error={errors.max_uses}>
            {(p) => (
              <input {...p} inputMode="numeric" value={form.maxUses} onChange={(e) => setForm({ ...form, maxUses: e.target.value })} />
            )}
          </Field>
          <label className="checkbox">
            <input type="checkbox" checked={form.withPasscode} onChange={(e) => setForm({ ...form, withPasscode: e.target.checked })} />{' '}
            Protect with a passcode (recommended)
          </label>
          <div className="form-actions">
            <button type="button" className="button ghost" onClick={() => setFormOpen(false)}>
              Close
            </button>
            <span className="spacer" />
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create link'}
            </button>
          </div>
        </form>
      )}
      {links.loading && !links.data && <Loading />}
      {links.data && items.length === 0 && !created && <p className="muted">No share links yet.</p>}
      {items.length > 0 && (
        <ul className="share-links" aria-label="Share links">
          {items.map((link) => {
            const state = linkState(link);
            const visits = link.accesses.filter((a) => a.outcome === 'success').length;
            const denied = link.accesses.length - visits;
            return (
              <li key={link.id} className={`share-link ${state}`}>
                <div>
                  <strong>{link.label || 'Share link'}</strong> <span className={`badge share-${state}`}>{LINK_STATE_TEXT[state]}</span>
                  <span className="muted small block">
                    Created {formatDateTime(link.created_at)} ·{' '}
                    {state === 'revoked' && link.revoked_at ? `revoked ${formatDateTime(link.revoked_at)}` : `expires ${formatDateTime(link.expires_at)}`}
                    {link.has_passcode ? ' · passcode' : ''}
                  </span>
                  <span className="small block" data-testid="share-usage">
                    {link.use_count} {link.use_count === 1 ? 'use' : 'uses'}
                    {link.max_uses !== null ? ` of ${link.max_uses}` : ''} · {visits} {visits === 1 ? 'visit' : 'visits'} logged
                    {denied > 0 ? ` · ${denied} refused (no or wrong passcode)` : ''}
                  </span>
                  {link.accesses.length > 0 && (
                    <details>
                      <summary className="small">Access log</summary>
                      <ul className="small">
                        {link.accesses.slice(0, 20).map((a, i) => (
                          <li key={`${a.at}-${i}`}>
                            {formatDateTime(a.at)} · {a.outcome === 'success' ? 'opened' : 'refused'} · {a.ip ?? 'unknown address'}
                          </li>
                        ))}
                      </ul>
                    </details>
                  )}
                </div>
                {state !== 'revoked' && (
                  <button type="button" className="button danger" onClick={() => void revoke(link)} aria-label={`Revoke ${link.label || 'share link'}`}>
                    Revoke
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
