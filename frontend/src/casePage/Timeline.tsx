import { getTimeline } from '../api/cases';
import { useAsync } from '../cases/useAsync';
import { formatDateTime, statusLabel } from '../cases/caseStatus';
import { ErrorAlert, Loading } from '../ui/components';
import { timelineLabel } from './actions';

export function Timeline({ caseId, version }: { caseId: string; version: number }) {
  const timeline = useAsync(() => getTimeline(caseId), [caseId, version]);
  const items = timeline.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <ErrorAlert message={timeline.error} />
      {timeline.loading && !timeline.data && <Loading />}
      {timeline.data && items.length === 0 && <p className="muted">Nothing has happened yet.</p>}
      <ol className="timeline">
        {items.map((entry) => (
          <li key={entry.id}>
            <div className="timeline-title">
              {timelineLabel(entry.action)}
              {entry.to_status &&
                entry.to_status !== entry.from_status &&
                statusLabel(entry.to_status) !== timelineLabel(entry.action) && (
                <span className="muted"> → {statusLabel(entry.to_status)}</span>
              )}
            </div>
            <div className="muted small">
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
              {entry.actor && <> · {entry.actor.name}</>}
            </div>
            {entry.note && <p className="timeline-note prewrap">{entry.note}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}
