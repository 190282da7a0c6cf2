import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { getCase } from '../api/cases';
import { annotationIdsOn, getReport, saveReport, startReport, type KeyImage, type Report } from '../api/reports';
import { str, TAGS, type DicomJsonDataset } from '../dicomweb/dicomJson';
import { addKeyImage, MAX_CAPTION } from './items';
import './report.css';

const WRITING = ['accepted', 'in_review', 'info_requested'];

interface ShownImage {
  sopInstanceUid: string;
  frame: number;
  metadata: DicomJsonDataset;
}

/** Who may add key images: the reading specialist while the report is a draft (or not started yet). */
async function mayEdit(caseId: string, signal: AbortSignal): Promise<boolean> {
  try {
    const report = await getReport(caseId, undefined, signal);
    return report.can_edit && report.status === 'draft';
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) return false;
    const c = await getCase(caseId, undefined, signal);
    return c.my_role === 'specialist' && WRITING.includes(c.status);
  }
}

/** Saves the key image into the draft; on a concurrent change, retries once on the newest version. */
async function addToDraft(caseId: string, image: KeyImage): Promise<{ report: Report; error: string | null }> {
  let report: Report;
  try {
    report = await getReport(caseId);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    report = await startReport(caseId);
  }
  for (let attempt = 0; ; attempt += 1) {
    if (!report.can_edit || report.status !== 'draft') return { report, error: 'The report is signed; amend it first to add key images.' };
    const result = addKeyImage(report.content.key_images ?? [], image);
    if (result.error) return { report, error: result.error };
    try {
      return { report: await saveReport(caseId, { ...report.content, key_images: result.keyImages }, report.version), error: null };
    } catch (err) {
      const current = err instanceof ApiError && err.status === 409 ? (err.details as { current?: Report } | undefined)?.current : undefined;
      if (!current || attempt > 0) throw err;
      report = current;
    }
  }
}

/** "Add key image" in the viewer toolbar: the shown frame, with its window, goes into the report draft. */
export function KeyImageButton({
  caseId,
  studyUid,
  seriesUid,
  image,
  window: shownWindow,
}: {
  caseId: string;
  studyUid: string;
  seriesUid: string;
  image: ShownImage | undefined;
  window: { center: number; width: number } | null | undefined;
}) {
  const [allowed, setAllowed] = useState(false);
  const [open, setOpen] = useState(false);
  const [caption, setCaption] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    mayEdit(caseId, controller.signal)
      .then((ok) => !controller.signal.aborted && setAllowed(ok))
      .catch(() => undefined);
    return () => controller.abort();
  }, [caseId]);

  if (!allowed) return null;

  async function add(event: FormEvent) {
    event.preventDefault();
    if (!image) return;
    const sopClass = str(image.metadata, TAGS.SOPClassUID);
    if (!sopClass) {
      setMessage({ text: 'This image has no SOP Class UID and cannot be a key image.', error: true });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const annotationIds = await annotationIdsOn(caseId, image.sopInstanceUid, image.frame).catch(() => []);
      const keyImage: KeyImage = {
        study_instance_uid: studyUid,
        series_instance_uid: seriesUid,
        sop_class_uid: sopClass,
        sop_instance_uid: image.sopInstanceUid,
        frame_number: image.frame,
        window_center: shownWindow && shownWindow.width > 0 ? Math.round(shownWindow.center * 100) / 100 : null,
        window_width: shownWindow && shownWindow.width > 0 ? Math.round(shownWindow.width * 100) / 100 : null,
        annotation_ids: annotationIds.slice(0, 100),
        caption: caption.trim(),
      };
      const { report, error } = await addToDraft(caseId, keyImage);
      if (error) {
        setMessage({ text: error, error: true });
      } else {
        setMessage({ text: `Key image ${report.content.key_images.length} added to the report draft.`, error: false });
        setCaption('');
        setOpen(false);
      }
    } catch (err) {
      setMessage({ text: `Not added: ${errorMessage(err)}`, error: true }); // the caption stays
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="key-image-button">
      <button
        type="button"
        className={`tool${open ? ' active' : ''}`}
        aria-expanded={open}
        disabled={!image}
        onClick={() => {
          setOpen((v) => !v);
          setMessage(null);
        }}
      >
        Add key image
      </button>
      {message && (
        <span className={`key-image-status${message.error ? ' error' : ''}`} role={message.error ? 'alert' : 'status'}>
          {' '}
          {message.text}
        </span>
      )}
      {open && (
        <form className="key-image-popover" onSubmit={add} aria-label="Add key image">
          <label htmlFor="key-image-caption">Caption (optional)</label>
          <input
            id="key-image-caption"
            autoFocus
            maxLength={MAX_CAPTION}
            value={caption}
            placeholder="e.g. Posterior horn tear"
            onChange={(e) => setCaption(e.target.value)}
          />
          <p className="small">
            This image{image && image.frame > 1 ? `, frame ${image.frame}` : ''}
            {shownWindow ? `, window C ${Math.round(shownWindow.center)} / W ${Math.round(shownWindow.width)}` : ''}.
          </p>
          <div className="form-actions">
            <button type="button" className="tool" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="tool active" disabled={busy || !image}>
              {busy ? 'Adding…' : 'Add to report'}
            </button>
          </div>
        </form>
      )}
    </span>
  );
}
