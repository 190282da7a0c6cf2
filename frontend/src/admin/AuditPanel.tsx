import { useState, type FormEvent } from 'react';
import { searchAudit, type AuditQuery } from '../api/admin';
import { useAsync } from '../cases/useAsync';
import { formatDateTime } from '../cases/caseStatus';
import { ErrorAlert, Field, Loading } from '../ui/components';
import { pageCount } from '../cases/listQuery';

const PER_PAGE = 50;

export function AuditPanel() {
  const [form, setForm] = useState({ action: '', case_id: '', outcome: '', since: '', until: '' });
  const [query, setQuery] = useState<AuditQuery>({ page: 1 });
  const events = useAsync(() => searchAudit({ ...query, per_page: PER_PAGE }), [JSON.stringify(query)]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setQuery({
      action: form.action.trim() || undefined,
      case_id: form.case_id.trim() || undefined,
      outcome: form.outcome || undefined,
      since: form.since ? new Date(form.since).toISOString() : undefined,
      until: form.until ? new Date(form.until).toISOString() : undefined,
      page: 1,
    });
  }

  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((prev) => ({ ...prev, [name]: e.target.value }));
  const pages = events.data ? pageCount(events.data.total, PER_PAGE) : 1;
  const page = query.page ?? 1;

  return (
    <>
      <form className="card form audit-filters" onSubmit={onSubmit} role="search">
        <div className="grid-3">
          <Field label="Action" hint="Exact, or a prefix with *, e.g. case.*">
            {(p) => <input {...p} value={form.action} onChange={set('action')} />}
          </Field>
          <Field label="Case id">{(p) => <input {...p} value={form.case_id} onChange={set('case_id')} />}</Field>
          <Field label="Outcome">
            {(p) => (
              <select {...p} value={form.outcome} onChange={set('outcome')}>
                <option value="">Any</option>
                <option value="success">success</option>
                <option value="denied">denied</option>
                <option value="failure">failure</option>
              </select>
            )}
          </Field>
          <Field label="From">{(p) => <input {...p} type="datetime-local" value={form.since} onChange={set('since')} />}</Field>
          <Field label="Until">{(p) => <input {...p} type="datetime-local" value={form.until} onChange={set('until')} />}</Field>
        </div>
        <button type="submit" className="button primary">
          Search audit trail
        </button>
      </form>
      <ErrorAlert message={events.error} />
      {events.loading && !events.data && <Loading />}
      {events.data && (
        <>
          <p className="muted">{events.data.total} events</p>
          <div className="table-wrap">
            <table className="case-table audit-table">
              <caption className="visually-hidden">Audit events</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Entity</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">IP</th>
                </tr>
              </thead>
              <tbody>
                {events.data.items.map((e) => (
                  <tr key={e.id}>
                    <td data-label="Time">{formatDateTime(e.at)}</td>
                    <td data-label="Actor">{e.actor_email ?? '—'}</td>
                    <td data-label="Action">
                      <code>{e.action}</code>
                    </td>
                    <td data-label="Entity">
                      {e.entity_type}
                      {e.entity_id && <span className="muted small block">{e.entity_id}</span>}
                    </td>
                    <td data-label="Outcome">
                      <span className={`badge ${e.outcome === 'success' ? 'badge-success' : 'badge-warning'}`}>{e.outcome}</span>
                    </td>
                    <td data-label="IP">{e.ip ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pages > 1 && (
            <nav className="pager" aria-label="Pages">
              <button type="button" className="button secondary" disabled={page <= 1} onClick={() => setQuery({ ...query, page: page - 1 })}>
                Previous
              </button>
              <span>
                Page {page} of {pages}
              </span>
              <button type="button" className="button secondary" disabled={page >= pages} onClick={() => setQuery({ ...query, page: page + 1 })}>
                Next
              </button>
            </nav>
          )}
        </>
      )}
    </>
  );
}
