import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage } from '../api/client';
import { getPreferences, savePreferences, type NotificationPreference } from '../api/routing';
import { useAsync } from '../cases/useAsync';
import { useSession } from '../auth/useSession';
import { hasRole } from '../auth/session';
import { ErrorAlert, Loading, Notice } from '../ui/components';
import { changedPreferences, setAll } from './preferences';

/** /account/notifications: in-app and e-mail delivery for each kind of notification. */
export function NotificationPreferencesPage() {
  const session = useSession();
  const isSpecialist = session.status === 'authenticated' && hasRole(session.user, 'specialist');
  const saved = useAsync(() => getPreferences(), []);
  const [edited, setEdited] = useState<NotificationPreference[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const base = saved.data?.items ?? [];
  const rows = edited ?? base;
  const changes = changedPreferences(base, rows);

  function update(next: NotificationPreference[]) {
    setDone(false);
    setEdited(next);
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setDone(false);
    if (changes.length === 0) return;
    setBusy(true);
    try {
      const answer = await savePreferences(changes);
      saved.setData(answer);
      setEdited(null);
      setDone(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page">
      <h1>Notification settings</h1>
      <p className="muted">
        Choose how you hear about each kind of event. In-app notifications appear under <Link to="/notifications">Notifications</Link>.
      </p>
      {isSpecialist && (
        <p>
          Working hours, absences and languages: <Link to="/account/availability">My availability</Link>.
        </p>
      )}
      <ErrorAlert message={saved.error} />
      {saved.loading && !saved.data && <Loading />}
      {saved.data && (
        <form className="card form" onSubmit={onSubmit} noValidate aria-label="Notification settings">
          <ErrorAlert message={error} />
          {done && <Notice>Your notification settings are saved.</Notice>}
          <div className="table-wrap">
            <table className="case-table">
              <caption className="visually-hidden">Delivery per kind of notification</caption>
              <thead>
                <tr>
                  <th scope="col">Notification</th>
                  <th scope="col">In the app</th>
                  <th scope="col">By e-mail</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <tr key={p.kind}>
                    <td data-label="Notification">{p.label}</td>
                    {(['in_app', 'email'] as const).map((channel) => (
                      <td key={channel} data-label={channel === 'in_app' ? 'In the app' : 'By e-mail'}>
                        <input
                          type="checkbox"
                          checked={p[channel]}
                          aria-label={`${p.label}: ${channel === 'in_app' ? 'in the app' : 'by e-mail'}`}
                          onChange={(e) => update(rows.map((r) => (r.kind === p.kind ? { ...r, [channel]: e.target.checked } : r)))}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="form-actions">
            <button type="button" className="button ghost" onClick={() => update(setAll(rows, 'email', false))}>
              No e-mail at all
            </button>
            <button type="button" className="button ghost" disabled={!edited} onClick={() => update(base)}>
              Undo changes
            </button>
            <span className="spacer" />
            <button type="submit" className="button primary" disabled={busy || changes.length === 0}>
              {busy ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
