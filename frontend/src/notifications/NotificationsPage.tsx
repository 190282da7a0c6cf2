import { Link } from 'react-router-dom';
import { markAllRead, markRead, listNotifications } from '../api/notifications';
import { useAsync } from '../cases/useAsync';
import { formatDateTime } from '../cases/caseStatus';
import { ErrorAlert, Loading } from '../ui/components';
import { refreshUnread } from './unread';

/** /notifications: what happened on the user's cases, newest first. */
export function NotificationsPage() {
  const list = useAsync(() => listNotifications({ per_page: 50 }), []);
  const items = list.data?.items ?? [];

  async function readAll() {
    await markAllRead().catch(() => undefined);
    list.reload();
    refreshUnread();
  }

  return (
    <section className="page narrow">
      <div className="page-header">
        <h1>Notifications</h1>
        {list.data && list.data.unread > 0 && (
          <button type="button" className="button secondary" onClick={readAll}>
            Mark all as read
          </button>
        )}
      </div>
      <ErrorAlert message={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && items.length === 0 && <p className="muted">Nothing new.</p>}
      <ul className="notifications">
        {items.map((n) => (
          <li key={n.id} className={n.read_at ? 'read' : 'unread'}>
            <div>
              <strong>{n.title}</strong>
              <p className="prewrap">{n.body}</p>
              <span className="muted small">{formatDateTime(n.created_at)}</span>
            </div>
            {n.case_id && (
              <Link
                className="button secondary"
                to={`/cases/${n.case_id}`}
                onClick={() => {
                  if (!n.read_at) void markRead(n.id).then(refreshUnread, () => undefined);
                }}
              >
                Open case
              </Link>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
