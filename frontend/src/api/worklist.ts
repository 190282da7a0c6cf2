/** GET /api/worklist: what each person has to do, in buckets (routing feature). */
import { api, type ApiClient } from './client';
import type { CaseStatus, PersonRef, Priority } from './types';

export type WorklistView = 'specialist' | 'coordinator' | 'requester';

export interface WorkItem {
  case_id: string;
  title: string;
  status: CaseStatus;
  priority: Priority;
  requested_specialty: string | null;
  submitted_at: string | null;
  due_at: string | null;
  expected_at: string | null;
  overdue: boolean;
  due_soon: boolean;
  sla_paused: boolean;
  flagged: boolean;
  flag_reason: string | null;
  specialist: PersonRef | null;
  offer_expires_at: string | null;
  buckets: string[];
}

export interface SpecialistLoad {
  specialist: PersonRef;
  active: number;
  pending_offers: number;
  capacity: number;
  accepting: boolean;
  available_now: boolean;
}

export interface Worklist {
  view: WorklistView;
  buckets: string[];
  counts: Record<string, number>;
  items: WorkItem[];
  total: number;
  page: number;
  per_page: number;
  load?: SpecialistLoad[] | null;
}

export interface WorklistQuery {
  view?: WorklistView;
  bucket?: string;
  q?: string;
  sort?: string;
  page?: number;
  per_page?: number;
}

export function getWorklist(query: WorklistQuery, client: ApiClient = api, signal?: AbortSignal) {
  return client.get<Worklist>('/api/worklist', { ...query }, signal);
}

export const BUCKET_LABELS: Record<string, string> = {
  offered: 'Offered to me',
  active: 'In progress',
  due_soon: 'Due soon',
  overdue: 'Overdue',
  triage: 'Needs routing',
  flagged: 'Flagged',
  in_progress: 'In progress',
  breached: 'SLA breached',
  open: 'Open',
  waiting_for_you: 'Waiting for you',
  reported: 'Report ready',
  closed: 'Closed',
};

/** On the coordinator board "offered" means offered to some specialist, not to the reader. */
export function bucketLabel(bucket: string, view?: WorklistView): string {
  if (view === 'coordinator' && bucket === 'offered') return 'Offered, waiting';
  return BUCKET_LABELS[bucket] ?? bucket.replace(/_/g, ' ');
}
