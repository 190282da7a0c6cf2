import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { transition } from '../api/cases';
import { errorMessage } from '../api/client';
import { bucketLabel, getWorklist, type WorkItem, type WorklistView } from '../api/worklist';
import { useSession } from '../auth/useSession';
import { hasRole } from '../auth/session';
import { useAsync } from '../cases/useAsync';
import { dueInfo, formatDateTime } from '../cases/caseStatus';
import { pageCount } from '../cases/listQuery';
import { ErrorAlert, Field, Loading, Notice, PriorityBadge, StatusBadge } from '../ui/components';
import { RouteCase } from './RouteCase';
import { routeMode } from './routeCase';

/** /worklist: the specialist's worklist or the coordinator's board, in buckets with counts. */
export function WorklistPage() {
  const session = useSession();
  const user = session.status === 'authenticated' ? session.user : null;
  const [search, setSearch] = useSearchParams();
  const views: WorklistView[] = [
    ...(hasRole(user, 'coordinator', 'admin') ? (['coordinator'] as const) : []),
    ...(hasRole(user, 'specialist') ? (['specialist'] as const) : []),
  ];
  const view = (search.get('view') as WorklistView | null) ?? views[0] ?? 'requester';
  const bucket = search.get('bucket') ?? '';
  const page = Math.max(1, Number(search.get('page') ?? 1) || 1);
  const list = useAsync((signal) => getWorklist({ view, bucket: bucket || undefined, page }, undefined, signal), [view, bucket, page]);
  const [actionError, setActionError] = useState<string | null>(null);
  const [actionDone, setActionDone] = useState<string | null>(null);

  function go(change: Record<string, string>) {
    const next = new URLSearchParams({ view, ...(bucket ? { bucket } : {}), ...change });
    for (const [k, v] of [...next.entries()]) if (!v) next.delete(k);
    setSearch(next);
  }

  const data = list.data;
  const pages = data ? pageCount(data.total, data.per_page) : 1;

  return (
    <section className="page">
      <div className="page-header">
        <div>
          <h1>{view === 'coordinator' ? 'Coordinator board' : 'Your worklist'}</h1>
          <p className="muted">{data ? `${data.total} ${data.total === 1 ? 'case' : 'cases'}` : '\u00a0'}</p>
        </div>
        {views.length > 1 && (
          <div className="actions">
            {views.map((v) => (
              <button key={v} type="button" className={`button ${v === view ? 'primary' : 'secondary'}`} onClick={() => go({ view: v, bucket: '', page: '' })}>
                {v === 'coordinator' ? 'Board' : 'My worklist'}
              </button>
            ))}
          </div>
        )}
      </div>
      {data && (
        <nav className="tabs" aria-label="Buckets">
          <button type="button" className={`tab${!bucket ? ' active' : ''}`} aria-pressed={!bucket} onClick={() => go({ bucket: '', page: '' })}>
            All
          </button>
          {data.buckets.map((b) => (
            <button key={b} type="button" className={`tab${bucket === b ? ' active' : ''}`} aria-pressed={bucket === b} onClick={() => go({ bucket: b, page: '' })}>
              {bucketLabel(b, view)} <span className="count">{data.counts[b] ?? 0}</span>
            </button>
          ))}
        </nav>
      )}
      <ErrorAlert message={list.error ?? actionError} />
      {actionDone && <Notice>{actionDone}</Notice>}
      {list.loading && !data && <Loading label="Loading the worklist…" />}
      <div className={view === 'coordinator' && data?.load?.length ? 'case-grid' : undefined}>
        <div>
          {data && data.items.length === 0 && <div className="empty card">Nothing here right now.</div>}
          {data && data.items.length > 0 && (
            <div className="table-wrap">
              <table className="case-table">
                <caption className="visually-hidden">Worklist</caption>
                <thead>
                  <tr>
                    <th scope="col">Case</th>
                    <th scope="col">Status</th>
                    <th scope="col">Priority</th>
                    <th scope="col">Due</th>
                    {view === 'coordinator' && <th scope="col">Specialist</th>}
                    {view === 'specialist' && <th scope="col">Offer</th>}
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((item) => (
                    <WorkRow
                      key={item.case_id}
                      item={item}
                      view={view}
                      onChanged={list.reload}
                      onError={setActionError}
                      onDone={(message) => {
                        setActionDone(message);
                        list.reload();
                      }}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {data && pages > 1 && (
            <nav className="pager" aria-label="Pages">
              <button type="button" className="button secondary" disabled={page <= 1} onClick={() => go({ page: String(page - 1) })}>
                Previous
              </button>
              <span>
                Page {page} of {pages}
              </span>
              <button type="button" className="button secondary" disabled={page >= pages} onClick={() => go({ page: String(page + 1) })}>
                Next
              </button>
            </nav>
          )}
        </div>
        {view === 'coordinator' && data?.load && data.load.length > 0 && (
          <aside className="card" aria-labelledby="load-heading">
            <h2 id="load-heading">Specialist load</h2>
            <ul className="people">
              {data.load.map((l) => (
                <li key={l.specialist.id}>
                  <span className={`avatar${l.available_now ? '' : ' away'}`} aria-hidden="true">
                    {l.specialist.name.slice(0, 1)}
                  </span>
                  <span>
                    {l.specialist.name}
                    <span className="muted small block">
                      {l.active}/{l.capacity} active · {l.pending_offers} offers
                      {!l.accepting && ' · not accepting'}
                      {!l.available_now && ' · away'}
                    </span>
                    <progress max={Math.max(l.capacity, 1)} value={Math.min(l.active, l.capacity)} aria-label={`Load of ${l.specialist.name}`} />
                  </span>
                </li>
              ))}
            </ul>
          </aside>
        )}
      </div>
    </section>
  );
}

function WorkRow({
  item,
  view,
  onChanged,
  onError,
  onDone,
}: {
  item: WorkItem;
  view: WorklistView;
  onChanged: () => void;
  onError: (m: string | null) => void;
  onDone: (message: string) => void;
}) {
  const [routing, setRouting] = useState(false);
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const due = dueInfo(item.status, item.due_at);

  async function act(action: 'accept' | 'decline') {
    if (action === 'decline' && !reason.trim()) {
      onError('Give a reason for declining.');
      return;
    }
    setBusy(true);
    onError(null);
    try {
      if (action === 'accept') {
        await transition(item.case_id, 'accept', undefined);
        navigate(`/cases/${item.case_id}`, { state: { flash: 'You accepted the case.' } });
        return;
      }
      await transition(item.case_id, 'decline', { reason: reason.trim() });
      onChanged();
    } catch (err) {
      onError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const mode = view === 'coordinator' ? routeMode(item.status) : null;
  return (
    <>
    <tr className={item.overdue ? 'row-overdue' : undefined}>
      <td data-label="Case">
        <Link to={`/cases/${item.case_id}`} className="case-link">
          {item.title}
        </Link>
        <span className="muted small">
          {[item.requested_specialty, item.flagged ? `⚑ ${item.flag_reason ?? 'flagged'}` : ''].filter(Boolean).join(' · ')}
        </span>
      </td>
      <td data-label="Status">
        <StatusBadge status={item.status} />
      </td>
      <td data-label="Priority">
        <PriorityBadge priority={item.priority} />
      </td>
      <td data-label="Due" className={item.overdue ? 'overdue' : undefined}>
        {item.sla_paused ? 'Paused' : due.text}
      </td>
      {view === 'coordinator' && (
        <td data-label="Specialist">
          {item.specialist?.name ?? '—'}
          {item.status === 'offered' && (
            <span className="muted small block">
              Offer waiting{item.offer_expires_at ? `, answer due ${formatDateTime(item.offer_expires_at)}` : ''}
            </span>
          )}
          {mode && !routing && (
            <button type="button" className="button secondary" onClick={() => setRouting(true)} aria-label={`${mode === 'offer' ? 'Offer' : 'Reassign'} ${item.title}`}>
              {mode === 'offer' ? 'Offer…' : 'Reassign…'}
            </button>
          )}
        </td>
      )}
      {view === 'specialist' && (
        <td data-label="Offer">
          {item.status === 'offered' ? (
            <div className="row-actions">
              {item.offer_expires_at && <span className="muted small block">Expires {formatDateTime(item.offer_expires_at)}</span>}
              {!declining ? (
                <>
                  <button type="button" className="button primary" disabled={busy} onClick={() => act('accept')} aria-label={`Accept ${item.title}`}>
                    Accept
                  </button>
                  <button type="button" className="button secondary" disabled={busy} onClick={() => setDeclining(true)} aria-label={`Decline ${item.title}`}>
                    Decline
                  </button>
                </>
              ) : (
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act('decline');
                  }}
                >
                  <Field label="Reason for declining">{(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}</Field>
                  <button type="submit" className="button danger" disabled={busy}>
                    Confirm decline
                  </button>{' '}
                  <button type="button" className="button ghost" onClick={() => setDeclining(false)}>
                    Never mind
                  </button>
                </form>
              )}
            </div>
          ) : (
            '—'
          )}
        </td>
      )}
    </tr>
    {routing && mode && (
      <tr className="route-row">
        <td colSpan={5}>
          <RouteCase
            caseId={item.case_id}
            title={item.title}
            status={item.status}
            currentSpecialistId={item.specialist?.id ?? null}
            onDone={(message) => {
              setRouting(false);
              onDone(`${item.title}: ${message}`);
            }}
            onClose={() => setRouting(false)}
          />
        </td>
      </tr>
    )}
    </>
  );
}
