import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { getCase } from '../api/cases';
import type { Case } from '../api/types';
import { useAsync } from '../cases/useAsync';
import { dueInfo, formatDateTime, STATUS_HINTS } from '../cases/caseStatus';
import { ErrorAlert, Loading, Notice, PriorityBadge, StatusBadge } from '../ui/components';
import { CaseActions } from './CaseActions';
import { Timeline } from './Timeline';
import { Messages } from './Messages';
import { Participants } from './Participants';
import { Studies } from './Studies';
import { LiveSessions } from './LiveSessions';
import { ShareLinks } from './ShareLinks';
import { RoutingSection } from './RoutingSection';
import { ReportSection } from '../report/ReportSection';
import { specialtyLabel } from '../newCase/wizard';

export function CasePage() {
  const { caseId = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  // A one-time message from the page before (kept in state so a reload does not show it again).
  const [flash] = useState(() => (location.state as { flash?: string } | null)?.flash ?? null);
  useEffect(() => {
    if (location.state) navigate(location.pathname + location.search, { replace: true, state: null });
  }, [location.state, location.pathname, location.search, navigate]);
  const current = useAsync((signal) => getCase(caseId, undefined, signal), [caseId]);
  // Bumped after each transition so the timeline reloads.
  const [version, setVersion] = useState(0);

  if (current.loading && !current.data) return <Loading label="Loading the case…" />;
  if (!current.data) {
    return (
      <section className="page narrow">
        <h1>Case not available</h1>
        <ErrorAlert message={current.error ?? 'This case was not found.'} />
        <Link to="/cases">Back to your cases</Link>
      </section>
    );
  }

  const c: Case = current.data;
  const due = dueInfo(c.status, c.due_at);
  if (c.overdue) due.overdue = true;

  function onChanged(updated: Case) {
    current.setData(updated);
    setVersion((v) => v + 1);
  }

  return (
    <section className="page case-page">
      <p className="breadcrumb">
        <Link to="/cases">Cases</Link> / {c.title}
      </p>
      {flash && <Notice>{flash}</Notice>}
      <header className="case-header">
        <div>
          <h1>{c.title}</h1>
          <div className="case-meta">
            <StatusBadge status={c.status} />
            <PriorityBadge priority={c.priority} />
            <span className={due.overdue ? 'overdue' : 'muted'}>{due.text}</span>
          </div>
          <p className="muted">{STATUS_HINTS[c.status]}</p>
        </div>
      </header>

      <CaseActions c={c} onChanged={onChanged} />
      <RoutingSection
        c={c}
        onChanged={() => {
          current.reload();
          setVersion((v) => v + 1);
        }}
      />

      <div className="case-grid">
        <div className="case-main">
          <section className="card" aria-labelledby="details-heading">
            <h2 id="details-heading">Details</h2>
            <dl className="summary">
              <dt>Question</dt>
              <dd className="prewrap">{c.question}</dd>
              {c.history && (
                <>
                  <dt>History</dt>
                  <dd className="prewrap">{c.history}</dd>
                </>
              )}
              {c.patient_name && (
                <>
                  <dt>Patient</dt>
                  <dd>{c.patient_name}</dd>
                </>
              )}
              <dt>Requested specialty</dt>
              <dd>{specialtyLabel(c.requested_specialty)}</dd>
              <dt>Opened by</dt>
              <dd>
                {c.created_by?.name} on {formatDateTime(c.created_at)}
              </dd>
              {c.submitted_at && (
                <>
                  <dt>Submitted</dt>
                  <dd>{formatDateTime(c.submitted_at)}</dd>
                </>
              )}
              {c.due_at && (
                <>
                  <dt>Due</dt>
                  <dd>{formatDateTime(c.due_at)}</dd>
                </>
              )}
            </dl>
          </section>
          <ReportSection c={c} onChanged={current.reload} />
          <Studies c={c} />
          <ShareLinks c={c} />
          <Messages caseId={c.id} />
        </div>
        <aside className="case-side">
          <LiveSessions c={c} />
          <Timeline caseId={c.id} version={version} />
          <Participants caseId={c.id} />
        </aside>
      </div>
    </section>
  );
}
