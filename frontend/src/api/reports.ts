/** The case report: read, draft autosave with optimistic concurrency, sign, amend, outputs. */
import { api, type ApiClient } from './client';

export interface FindingSection {
  key: string;
  title: string;
  text: string;
}

export interface ReportContent {
  title: string;
  history: string;
  technique: string;
  comparison: string;
  findings: FindingSection[];
  measurements: unknown[];
  impression: string[];
  recommendations: string[];
  agreement: { agreement: 'concordant' | 'minor_discrepancy' | 'major_discrepancy'; comment: string } | null;
  key_images: unknown[];
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
  required_fields: string[];
  missing_fields: string[];
  can_edit: boolean;
  can_sign: boolean;
  can_amend: boolean;
  versions: { number: number; status: string; signed_at: string | null; signer: string | null }[];
  updated_at: string;
}

const base = (caseId: string) => `/api/cases/${encodeURIComponent(caseId)}/report`;

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

export const reportPdfUrl = (caseId: string) => `${base(caseId)}.pdf`;
export const reportSrUrl = (caseId: string) => `${base(caseId)}/sr.dcm`;
export const reportPreviewUrl = (caseId: string) => `${base(caseId)}/preview`;
