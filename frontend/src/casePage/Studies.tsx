import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../api/client';
import type { Case } from '../api/types';
import { useAsync } from '../cases/useAsync';
import { caseDicomwebBase, searchStudies } from '../dicomweb/qido';
import { studySummary } from '../dicomweb/dicomJson';
import { UploadPanel } from '../upload/UploadPanel';
import { hasPendingUploads } from '../upload/resumable';
import { ErrorAlert, Loading } from '../ui/components';

const OWNER_ROLES = ['owner', 'patient', 'referrer'];
const OPEN = ['draft', 'submitted', 'triage', 'offered', 'accepted', 'in_review', 'info_requested'];

/** The case's imaging studies (QIDO-RS) with a link to the viewer, and the upload for the owner side. */
export function Studies({ c }: { c: Case }) {
  const base = caseDicomwebBase(c.id);
  const [tick, setTick] = useState(0);
  const studies = useAsync(
    (signal) =>
      searchStudies(base, undefined, signal).catch((error: unknown) => {
        // A server without the imaging feature answers route_not_found: say so calmly.
        if (error instanceof ApiError && error.code === 'route_not_found') return null;
        throw error;
      }),
    [base, tick],
  );
  const [showUpload, setShowUpload] = useState(false);
  const canUpload = OPEN.includes(c.status) && (c.my_role == null || OWNER_ROLES.includes(c.my_role));
  // Back after a reload or a lost connection: open the upload so the unfinished file can be resumed.
  useEffect(() => {
    if (!canUpload) return;
    let live = true;
    void hasPendingUploads(c.id).then((pending) => live && pending && setShowUpload(true));
    return () => {
      live = false;
    };
  }, [c.id, canUpload]);
  const unavailable = studies.error && !studies.data;
  const items = (studies.data ?? []).map(studySummary);
  const noImaging = !studies.loading && studies.data === null && !studies.error;

  return (
    <section className="card" aria-labelledby="studies-heading">
      <div className="section-header">
        <h2 id="studies-heading">Images</h2>
        {canUpload && !showUpload && !noImaging && (
          <button type="button" className="button secondary" onClick={() => setShowUpload(true)}>
            Add images
          </button>
        )}
      </div>
      {studies.loading && !studies.data && !studies.error && <Loading label="Loading studies…" />}
      {unavailable && <StudiesError error={studies.error} />}
      {noImaging && <p className="muted">Image storage is not available on this server yet.</p>}
      {studies.data && items.length === 0 && <p className="muted">No images yet.</p>}
      {items.length > 0 && (
        <ul className="studies">
          {items.map((s) => (
            <li key={s.studyInstanceUid}>
              <div>
                <strong>{s.description || 'Study'}</strong>
                <span className="muted small block">
                  {[s.date, s.modalities.join(', '), s.series !== undefined ? `${s.series} series` : '', s.instances !== undefined ? `${s.instances} images` : '']
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </div>
              <Link className="button primary" to={`/cases/${c.id}/viewer?study=${encodeURIComponent(s.studyInstanceUid)}`}>
                Open viewer
              </Link>
            </li>
          ))}
        </ul>
      )}
      {canUpload && showUpload && <UploadPanel caseId={c.id} onUploaded={() => setTick((t) => t + 1)} />}
    </section>
  );
}

function StudiesError({ error }: { error: string | null }) {
  return <ErrorAlert message={error ?? 'The images could not be loaded.'} />;
}
