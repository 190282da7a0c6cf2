/** The case report: read, draft autosave with optimistic concurrency, sign, amend, outputs. */
import { api, errorFromResponse, type ApiClient } from './client';

export interface FindingSection {
  key: string;
  title: string;
  text: string;
}

/** A measured value of a live-session annotation, with the image region it was measured on (SCOORD). */
export interface Measurement {
  annotation_id: string;
  kind: string;
  value: number;
  unit: string;
  study_instance_uid: string;
  series_instance_uid: string;
  sop_class_uid: string;
  sop_instance_uid: string;
  frame_number: number | null;
  graphic_type: 'POINT' | 'POLYLINE' | 'CIRCLE' | 'ELLIPSE';
  points: [number, number][];
  finding: string;
}

/** A key image: the frame, its window and the annotations drawn on it. */
export interface KeyImage {
  study_instance_uid: string;
  series_instance_uid: string;
  sop_class_uid: string;
  sop_instance_uid: string;
  frame_number: number | null;
  window_center: number | null;
  window_width: number | null;
  annotation_ids: string[];
  caption: string;
}

export interface ReportContent {
  title: string;
  history: string;
  technique: string;
  comparison: string;
  findings: FindingSection[];
  measurements: Measurement[];
  impression: string[];
  recommendations: string[];
  agreement: { agreement: 'concordant' | 'minor_discrepancy' | 'major_discrepancy'; comment: string } | null;
  key_images: KeyImage[];
}

export interface ReportVersionSummary {
  number: number;
  status: string;
  signed_at: string | null;
  signer: string | null;
  amendment_reason?: string | null;
}

export interface Report {
  id: string;
  case_id: string;
  version: number;
  document_version: number;
  status: 'draft' | 'final' | 'amended' | string;
  template_id: string | null;
  content: ReportContent;
  author: string;
  signer: string | null;
  signed_at: string | null;
  verification_code: string | null;
  amendment_reason: string | null;
  predecessor_version?: number | null;
  required_fields: string[];
  missing_fields: string[];
  can_edit: boolean;
  can_sign: boolean;
  can_amend: boolean;
  versions: ReportVersionSummary[];
  updated_at: string;
}

/** What `GET …/report/annotations` answers: live measurements in report form, and what was left out. */
export interface AnnotationImport {
  items: Measurement[];
  skipped: { annotation_id: string; reason: string }[];
}

const base = (caseId: string) => `/api/cases/${encodeURIComponent(caseId)}/report`;
const versionQuery = (version?: number) => (version ? `?version=${version}` : '');

export function getReport(caseId: string, client: ApiClient = api, signal?: AbortSignal) {
  return client.get<Report>(base(caseId), undefined, signal);
}

export function startReport(caseId: string, client: ApiClient = api) {
  return client.post<Report>(base(caseId), {});
}

export function saveReport(caseId: string, content: ReportContent, baseVersion: number, client: ApiClient = api) {
  return client.put<Report>(base(caseId), { ...content, base_version: baseVersion });
}

export function signReport(caseId: string, password: string, baseVersion: number, client: ApiClient = api) {
  return client.post<Report>(`${base(caseId)}/sign`, { password, base_version: baseVersion });
}

export function amendReport(caseId: string, reason: string, baseVersion: number, client: ApiClient = api) {
  return client.post<Report>(`${base(caseId)}/amend`, { reason, base_version: baseVersion });
}

export function getReportAnnotations(caseId: string, client: ApiClient = api) {
  return client.get<AnnotationImport>(`${base(caseId)}/annotations`);
}

/** A report output or preview as bytes (for a blob URL), with the API's error on failure. */
export async function fetchReportFile(url: string, accept: string, client: ApiClient = api, signal?: AbortSignal): Promise<Blob> {
  const response = await fetch(client.url(url), { headers: client.headersFor('GET', { Accept: accept }), credentials: 'same-origin', signal });
  if (!response.ok) throw await errorFromResponse(response);
  return response.blob();
}

export const reportPdfUrl = (caseId: string, version?: number) => `${base(caseId)}.pdf${versionQuery(version)}`;
export const reportSrUrl = (caseId: string, version?: number) => `${base(caseId)}/sr.dcm${versionQuery(version)}`;
export const reportPreviewUrl = (caseId: string, version?: number) => `${base(caseId)}/preview${versionQuery(version)}`;

/** Ids of the case's live annotations drawn on one image frame (the key image shows them). */
export async function annotationIdsOn(caseId: string, sopInstanceUid: string, frame: number, client: ApiClient = api): Promise<string[]> {
  const list = await client.get<{ items: { id: string; frame_number: number | null }[] }>(
    `/api/cases/${encodeURIComponent(caseId)}/annotations`,
    { sop_instance_uid: sopInstanceUid },
  );
  return list.items.filter((a) => (a.frame_number ?? 1) === frame).map((a) => a.id);
}
