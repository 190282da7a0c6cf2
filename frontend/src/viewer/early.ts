/**
 * What a page opened straight on a viewer link (/cases/<id>/viewer?study=…&series=…) can start before
 * React has rendered the viewer: the series' metadata request (bench/bench_viewer.py, issue 6).
 */
import { caseDicomwebBase, peekSeriesMetadata, prefetchSeriesMetadata } from '../dicomweb/qido';
import { stackImages } from './imageIds';
import { readLayoutParams } from './layout';
import { preloadPreview, previewUrl, startImage } from './preview';

export interface ViewerLink {
  caseId: string;
  studyUid: string;
  /** The series of the active viewport ('' when the link names none). */
  seriesUid: string;
}

const VIEWER_PATH = /^\/cases\/([^/]+)\/viewer\/?$/;

/** The case, study and shown series of a viewer URL, or null for any other page. */
export function parseViewerLink(pathname: string, search: string): ViewerLink | null {
  const match = VIEWER_PATH.exec(pathname);
  if (!match) return null;
  const params = new URLSearchParams(search);
  const layout = readLayoutParams(params);
  return {
    caseId: decodeURIComponent(match[1] ?? ''),
    studyUid: params.get('study') ?? '',
    seriesUid: layout.panes[layout.active] ?? '',
  };
}

/**
 * Starts the shown series' metadata request (ViewportPane takes it, takeSeriesMetadata, when it mounts)
 * and, once it is here, the preview of the middle slice (viewer/preview.ts), so that both are in the
 * browser before React has rendered the viewer.
 */
export function startViewerRequests(link: ViewerLink): void {
  const { studyUid, seriesUid } = link;
  if (!studyUid || !seriesUid) return;
  const base = caseDicomwebBase(link.caseId);
  prefetchSeriesMetadata(base, studyUid, seriesUid);
  peekSeriesMetadata(base, studyUid, seriesUid)
    ?.then((instances) => {
      const image = startImage(stackImages(window.location.origin, base, studyUid, seriesUid, instances), -1);
      if (image) preloadPreview(previewUrl(base, studyUid, seriesUid, image));
    })
    .catch(() => undefined); // the viewer reports a failed metadata request
}
