import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { listSessions, startSession } from '../api/live';
import { errorMessage } from '../api/client';
import type { Case } from '../api/types';
import { useAsync } from '../cases/useAsync';
import { caseDicomwebBase, searchStudies } from '../dicomweb/qido';
import { str, TAGS } from '../dicomweb/dicomJson';
import { formatDateTime } from '../cases/caseStatus';
import { ErrorAlert } from '../ui/components';

/** Live sessions of the case: start one (opens the viewer as presenter) or join a running one. */
export function LiveSessions({ c }: { c: Case }) {
  const navigate = useNavigate();
  const sessions = useAsync(() => listSessions(c.id).catch(() => null), [c.id]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (sessions.data === null && !sessions.loading) return null; // no live feature on this server
  const items = sessions.data?.items ?? [];
  const running = items.filter((s) => s.status === 'live');

  async function open(sessionId: string) {
    const studies = await searchStudies(caseDicomwebBase(c.id));
    const study = studies[0] ? str(studies[0], TAGS.StudyInstanceUID) : '';
    if (!study) throw new Error('The case has no images to look at yet.');
    navigate(`/cases/${c.id}/viewer?study=${encodeURIComponent(study)}&session=${encodeURIComponent(sessionId)}`);
  }

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const created = await startSession(c.id, `Review of ${c.title}`);
      await open(created.id);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="live-heading">
      <div className="section-header">
        <h2 id="live-heading">Live sessions</h2>
        <button type="button" className="button secondary" disabled={busy} onClick={start}>
          Start live session
        </button>
      </div>
      <ErrorAlert message={error} />
      {items.length === 0 && <p className="muted">Look at the images together, in sync, with everyone on the case.</p>}
      <ul className="people">
        {running.map((s) => (
          <li key={s.id}>
            <span className="live-dot on" aria-hidden="true" />
            <span>
              {s.title}
              <span className="muted small block">
                Host {s.host.name} · since {formatDateTime(s.started_at)}
              </span>
            </span>
            <button
              type="button"
              className="button primary"
              aria-label={`Join ${s.title}`}
              onClick={() => open(s.id).catch((err: unknown) => setError(errorMessage(err)))}
            >
              Join
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
