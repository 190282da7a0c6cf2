import { useState } from 'react';
import { errorMessage } from '../api/client';
import { listSessions, revokeSession } from '../api/identity';
import { useAsync } from '../cases/useAsync';
import { ErrorAlert, Loading } from '../ui/components';
import { describeUserAgent, sessionKindLabel, sortSessions } from './sessions';

const when = (iso: string) => new Date(iso).toLocaleString();

/** One's active sessions and API tokens, each revocable except this one (sign out for that). */
export function SessionsSection() {
  const sessions = useAsync(() => listSessions(), []);
  const [error, setError] = useState<string | null>(null);

  async function revoke(id: string) {
    setError(null);
    try {
      await revokeSession(id);
      sessions.setData({ items: (sessions.data?.items ?? []).filter((s) => s.id !== id) });
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const items = sortSessions(sessions.data?.items ?? []);
  return (
    <section className="card security-section" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Where you are signed in</h2>
      <ErrorAlert message={sessions.error ?? error} />
      {sessions.loading && !sessions.data && <Loading />}
      <ul className="session-list" data-testid="session-list">
        {items.map((s) => (
          <li key={s.id} data-current={s.current || undefined}>
            <div>
              <strong>{describeUserAgent(s.user_agent)}</strong>{' '}
              <span className="muted small">· {sessionKindLabel(s.kind)}</span>
              {s.current && <span className="badge badge-success">This device</span>}
              <span className="muted small block">
                {s.ip ?? 'unknown address'} · signed in {when(s.created_at)} · last active {when(s.last_seen_at)}
              </span>
            </div>
            {!s.current && (
              <button type="button" className="button danger" onClick={() => revoke(s.id)}
                aria-label={`Sign out ${describeUserAgent(s.user_agent)} (${s.ip ?? 'unknown address'})`}>
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
