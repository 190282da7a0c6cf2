import { useState, type FormEvent } from 'react';
import { listUsers } from '../api/admin';
import { errorMessage } from '../api/client';
import { resetUserMfa } from '../api/identity';
import type { AdminUser } from '../api/types';
import { ErrorAlert, Field, Notice } from '../ui/components';
import './security.css';

/** /admin/two-step: remove a user's authenticator (lost phone) and give them days to set it up again. */
export function MfaResetPanel() {
  const [q, setQ] = useState('');
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [graceDays, setGraceDays] = useState(3);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function search(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setDone(null);
    if (!q.trim()) return;
    try {
      setUsers((await listUsers({ q: q.trim(), per_page: 20 })).items);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function reset(user: AdminUser) {
    if (!window.confirm(`Remove ${user.name}'s authenticator? Their recovery codes stop working too.`)) return;
    setError(null);
    setDone(null);
    try {
      await resetUserMfa(user.id, graceDays);
      setDone(`${user.name}’s authenticator was removed; they must set up two-step verification again within ${graceDays} ${graceDays === 1 ? 'day' : 'days'}.`);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <>
      <p className="muted">
        When someone has lost their phone and their recovery codes, remove their authenticator here. Confirm who
        they are first (for example by calling them back at a known number); the reset is recorded in the audit trail.
      </p>
      <form className="filters" role="search" onSubmit={search}>
        <div className="field inline grow">
          <label htmlFor="mfa-user-search">Find the user</label>
          <input id="mfa-user-search" type="search" value={q} placeholder="Name or e-mail" onChange={(e) => setQ(e.target.value)} />
        </div>
        <Field label="Days to set it up again">
          {(p) => (
            <input {...p} type="number" min={0} max={90} value={graceDays}
              onChange={(e) => setGraceDays(Math.max(0, Math.min(90, Number(e.target.value) || 0)))} />
          )}
        </Field>
        <button type="submit" className="button secondary">
          Search
        </button>
      </form>
      <ErrorAlert message={error} />
      {done && <Notice>{done}</Notice>}
      {users && (
        <div className="table-wrap">
          <table className="case-table">
            <caption className="visually-hidden">Users found</caption>
            <tbody>
              {users.length === 0 && (
                <tr>
                  <td className="empty muted">Nobody matches “{q}”.</td>
                </tr>
              )}
              {users.map((u) => (
                <tr key={u.id}>
                  <td>
                    <strong>{u.name}</strong>
                    <span className="muted small block">{u.email} · {u.roles.join(', ')}</span>
                  </td>
                  <td className="nowrap-cell">
                    <button type="button" className="button danger" onClick={() => reset(u)} aria-label={`Reset two-step verification of ${u.name}`}>
                      Reset two-step verification
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
