/** How statuses, priorities and due times are shown to people. */
import type { CaseStatus, Priority } from '../api/types';

export const STATUSES: CaseStatus[] = [
  'draft',
  'submitted',
  'triage',
  'offered',
  'accepted',
  'in_review',
  'info_requested',
  'reported',
  'closed',
  'cancelled',
];

export const STATUS_LABELS: Record<CaseStatus, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  triage: 'In triage',
  offered: 'Offered to specialist',
  accepted: 'Accepted',
  in_review: 'In review',
  info_requested: 'Information requested',
  reported: 'Report ready',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

export type Tone = 'neutral' | 'info' | 'progress' | 'warning' | 'success' | 'muted';

export const STATUS_TONES: Record<CaseStatus, Tone> = {
  draft: 'neutral',
  submitted: 'info',
  triage: 'info',
  offered: 'info',
  accepted: 'progress',
  in_review: 'progress',
  info_requested: 'warning',
  reported: 'success',
  closed: 'muted',
  cancelled: 'muted',
};

export const PRIORITY_LABELS: Record<Priority, string> = {
  stat: 'STAT',
  urgent: 'Urgent',
  routine: 'Routine',
};

/** What a person can expect next, one sentence per status. */
export const STATUS_HINTS: Record<CaseStatus, string> = {
  draft: 'Not sent yet. Submit the consult when it is complete.',
  submitted: 'Received. A coordinator will route it to a specialist.',
  triage: 'A coordinator is choosing the right specialist.',
  offered: 'Offered to a specialist, waiting for them to accept.',
  accepted: 'A specialist has accepted and will start the review.',
  in_review: 'A specialist is reviewing the case.',
  info_requested: 'The specialist needs more information from you.',
  reported: 'The report is ready.',
  closed: 'This consult is closed.',
  cancelled: 'This consult was cancelled.',
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status as CaseStatus] ?? status.replace(/_/g, ' ');
}

export function statusTone(status: string): Tone {
  return STATUS_TONES[status as CaseStatus] ?? 'neutral';
}

export function isStatus(value: string | null | undefined): value is CaseStatus {
  return !!value && (STATUSES as string[]).includes(value);
}

const FINISHED: CaseStatus[] = ['reported', 'closed', 'cancelled'];

function humanDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 60) return `${Math.max(minutes, 1)} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

export interface DueInfo {
  text: string;
  overdue: boolean;
}

/** "Due in 3 h", "Overdue by 2 days", or a note when the clock does not run. */
export function dueInfo(status: string, dueAt: string | null, now: Date = new Date()): DueInfo {
  if (status === 'draft') return { text: 'Not submitted yet', overdue: false };
  if ((FINISHED as string[]).includes(status)) return { text: '—', overdue: false };
  if (!dueAt) return { text: 'No due time', overdue: false };
  const due = new Date(dueAt);
  if (Number.isNaN(due.getTime())) return { text: 'No due time', overdue: false };
  const diff = due.getTime() - now.getTime();
  if (diff < 0) return { text: `Overdue by ${humanDuration(diff)}`, overdue: true };
  return { text: `Due in ${humanDuration(diff)}`, overdue: false };
}

/** A date-time in the reader's locale, e.g. "21 Nov 2026, 14:05". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}
