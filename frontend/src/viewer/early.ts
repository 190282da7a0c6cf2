/**
 * What a page opened straight on a viewer link (/cases/<id>/viewer?study=…&series=…) can start before
 * React has rendered the viewer: the series' metadata request (bench/bench_viewer.py, issue 6).
 */
import { caseDicomwebBase, prefetchSeriesMetadata } from '../dicomweb/qido';
import { readLayoutParams } from './layout';

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

/** Starts the shown series' metadata request; ViewportPane takes it (takeSeriesMetadata) when it mounts. */
export function startViewerRequests(link: ViewerLink): void {
  if (link.studyUid && link.seriesUid) prefetchSeriesMetadata(caseDicomwebBase(link.caseId), link.studyUid, link.seriesUid);
}
