import { lazy, Suspense, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import { ApiError, errorMessage } from '../api/client';
import { formatDicomDate } from '../dicomweb/dicomJson';
import { formatDateTime } from '../cases/caseStatus';
import { ErrorAlert, Field, Loading } from '../ui/components';
import { getSharePage, shareClient, shareDicomwebBase, type SharePageData } from './shareLinks';

// Cornerstone is large: loaded only when the recipient opens a study.
const ShareViewer = lazy(() => import('./ShareViewer'));

type Load =
  | { state: 'loading' }
  | { state: 'passcode'; wrong: boolean }
  | { state: 'gone'; message: string }
  | { state: 'error'; message: string }
  | { state: 'ready'; data: SharePageData };

/** /share/:token — what a share-link recipient sees: the passcode prompt, the studies, a read-only viewer. */
export function SharePage() {
  const { token = '' } = useParams();
  // Held in memory only: the passcode is not written anywhere in the browser.
  const [passcode, setPasscode] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [study, setStudy] = useState<string | null>(null);
  const client = useMemo(() => shareClient(passcode), [passcode]);

  useEffect(() => {
    const controller = new AbortController();
    setLoad({ state: 'loading' });
    getSharePage(token, client, controller.signal)
      .then((data) => setLoad({ state: 'ready', data }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof ApiError && err.code === 'passcode_required') setLoad({ state: 'passcode', wrong: passcode !== null });
        else if (err instanceof ApiError && (err.status === 410 || err.status === 404)) {
          setLoad({ state: 'gone', message: err.status === 404 ? 'This share link does not exist. Check that it was copied whole.' : err.message });
        } else setLoad({ state: 'error', message: errorMessage(err) });
      });
    return () => controller.abort();
  }, [token, client, passcode]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (typed.trim().length < 4) {
      setLoad({ state: 'passcode', wrong: true });
      return;
    }
    setPasscode(typed.trim());
  }

  if (load.state === 'ready' && study) {
    return (
      <Suspense fallback={<Loading label="Opening the viewer…" />}>
        <ShareViewer base={shareDicomwebBase(token)} studyUid={study} passcode={passcode} client={client} onClose={() => setStudy(null)} />
      </Suspense>
    );
  }

  return (
    <section className="page narrow">
      <h1>Shared images</h1>
      {load.state === 'loading' && <Loading label="Opening the share link…" />}
      {load.state === 'gone' && <ErrorAlert message={load.message}>Ask the person who sent it for a new link.</ErrorAlert>}
      {load.state === 'error' && <ErrorAlert message={load.message} />}
      {load.state === 'passcode' && (
        <form className="card form" onSubmit={onSubmit} noValidate>
          <p>This link is protected. Enter the passcode you were given with it.</p>
          <Field label="Passcode" error={load.wrong ? 'That passcode is not right. Check it and try again.' : undefined}>
            {(p) => (
              <input
                {...p}
                value={typed}
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                maxLength={128}
                onChange={(e) => setTyped(e.target.value)}
              />
            )}
          </Field>
          <div className="form-actions">
            <span className="spacer" />
            <button type="submit" className="button primary">
              Open
            </button>
          </div>
        </form>
      )}
      {load.state === 'ready' && (
        <div className="card">
          <h2>{load.data.case.title || 'Consult images'}</h2>
          <p className="muted small">Read-only. This link works until {formatDateTime(load.data.expires_at)}.</p>
          {load.data.studies.length === 0 && <p className="muted">No images have been added yet.</p>}
          <ul className="studies" aria-label="Studies">
            {load.data.studies.map((s) => (
              <li key={s.study_instance_uid}>
                <div>
                  <strong>{s.study_description || 'Study'}</strong>
                  <span className="muted small block">{s.study_date ? formatDicomDate(s.study_date) : 'Date unknown'}</span>
                </div>
                <button type="button" className="button primary" onClick={() => setStudy(s.study_instance_uid)}>
                  Open viewer
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
