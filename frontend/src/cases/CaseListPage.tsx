import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { listCases } from '../api/cases';
import { useSession } from '../auth/useSession';
import { hasRole } from '../auth/session';
import { ErrorAlert, Loading, PriorityBadge, StatusBadge } from '../ui/components';
import { dueInfo, formatDateTime, STATUSES, statusLabel } from './caseStatus';
import { apiQuery, filtersFromSearch, pageCount, searchFromFilters, type ListFilters } from './listQuery';
import { useAsync } from './useAsync';
import { specialtyLabel } from '../newCase/wizard';

export function CaseListPage() {
  const session = useSession();
  const user = session.status === 'authenticated' ? session.user : null;
  const [search, setSearch] = useSearchParams();
  const filters = filtersFromSearch(search);
  const [q, setQ] = useState(filters.q);
  const key = searchFromFilters(filters).toString();

  useEffect(() => setQ(filters.q), [filters.q]);

  const cases = useAsync((signal) => listCases(apiQuery(filters), undefined, signal), [key]);

  function update(change: Partial<ListFilters>) {
    setSearch(searchFromFilters({ ...filters, page: 1, ...change }));
  }

  function onSearch(event: FormEvent) {
    event.preventDefault();
    update({ q });
  }

  const page = cases.data;
  const pages = page ? pageCount(page.total, page.per_page) : 1;
  const canCreate = hasRole(user, 'patient', 'referrer');
  const now = new Date();

  return (
    <section className="page">
      <div className="page-header">
        <div>
          <h1>{hasRole(user, 'specialist') && !canCreate ? 'Your worklist' : 'Your cases'}</h1>
          <p className="muted">
            {page ? `${page.total} ${page.total === 1 ? 'case' : 'cases'}` : '\u00a0'}
          </p>
        </div>
        {canCreate && (
          <Link to="/cases/new" className="button primary">
            New consult
          </Link>
        )}
      </div>

      <form className="filters" onSubmit={onSearch} role="search">
        <div className="field inline">
          <label htmlFor="status-filter">Status</label>
          <select id="status-filter" value={filters.status} onChange={(e) => update({ status: e.target.value })}>
            <option value="">All statuses</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
              </option>
            ))}
          </select>
        </div>
        <div className="field inline grow">
          <label htmlFor="case-search">Search</label>
          <input
            id="case-search"
            type="search"
            placeholder="Title, question or patient"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </div>
        <button type="submit" className="button secondary">
          Search
        </button>
      </form>

      <ErrorAlert message={cases.error}>
        {' '}
        <button type="button" className="link-button" onClick={cases.reload}>
          Try again
        </button>
      </ErrorAlert>
      {cases.loading && !page && <Loading label="Loading cases…" />}

      {page && page.items.length === 0 && (
        <div className="empty card">
          <p>{filters.status || filters.q ? 'No cases match these filters.' : 'You have no cases yet.'}</p>
          {canCreate && !filters.status && !filters.q && (
            <Link to="/cases/new" className="button primary">
              Ask for a second opinion
            </Link>
          )}
        </div>
      )}

      {page && page.items.length > 0 && (
        <div className={`table-wrap${cases.loading ? ' stale' : ''}`} aria-busy={cases.loading}>
          <table className="case-table">
            <caption className="visually-hidden">Cases</caption>
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Status</th>
                <th scope="col">Priority</th>
                <th scope="col">Expected</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((c) => {
                const due = dueInfo(c.status, c.due_at, now);
                return (
                  <tr key={c.id}>
                    <td data-label="Case">
                      <Link to={`/cases/${c.id}`} className="case-link">
                        {c.title}
                      </Link>
                      <span className="muted small">
                        {[c.patient_name, c.requested_specialty && specialtyLabel(c.requested_specialty)].filter(Boolean).join(' · ')}
                      </span>
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={c.status} />
                    </td>
                    <td data-label="Priority">
                      <PriorityBadge priority={c.priority} />
                    </td>
                    <td data-label="Expected" className={due.overdue ? 'overdue' : undefined}>
                      {due.text}
                    </td>
                    <td data-label="Updated">
                      <time dateTime={c.updated_at}>{formatDateTime(c.updated_at)}</time>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {page && pages > 1 && (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="button secondary"
            disabled={filters.page <= 1}
            onClick={() => update({ page: filters.page - 1 })}
          >
            Previous
          </button>
          <span>
            Page {page.page} of {pages}
          </span>
          <button
            type="button"
            className="button secondary"
            disabled={filters.page >= pages}
            onClick={() => update({ page: filters.page + 1 })}
          >
            Next
          </button>
        </nav>
      )}
    </section>
  );
}
