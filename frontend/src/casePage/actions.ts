/** Which buttons a case page shows, from the case's `allowed_actions`. */
import type { CaseAction } from '../api/types';
import type { Transition } from '../api/cases';

export interface ActionSpec {
  action: Transition;
  label: string;
  /** A text the person must or may type before confirming. */
  input?: { label: string; field: 'reason' | 'message'; required: boolean };
  /** Asks for confirmation (irreversible). */
  confirm?: string;
  kind: 'primary' | 'secondary' | 'danger';
}

export const ACTION_SPECS: Record<Transition, ActionSpec> = {
  submit: { action: 'submit', label: 'Submit consult', kind: 'primary' },
  accept: { action: 'accept', label: 'Accept case', kind: 'primary' },
  start_review: { action: 'start_review', label: 'Start review', kind: 'primary' },
  provide_info: {
    action: 'provide_info',
    label: 'Provide information',
    input: { label: 'Information for the specialist', field: 'message', required: true },
    kind: 'primary',
  },
  request_info: {
    action: 'request_info',
    label: 'Request information',
    input: { label: 'What do you need?', field: 'message', required: true },
    kind: 'secondary',
  },
  decline: {
    action: 'decline',
    label: 'Decline',
    input: { label: 'Reason for declining', field: 'reason', required: true },
    kind: 'secondary',
  },
  close: { action: 'close', label: 'Close case', confirm: 'Close this case?', kind: 'secondary' },
  cancel: {
    action: 'cancel',
    label: 'Cancel consult',
    input: { label: 'Reason (optional)', field: 'reason', required: false },
    kind: 'danger',
  },
};

const ORDER: Transition[] = [
  'submit',
  'accept',
  'start_review',
  'provide_info',
  'request_info',
  'decline',
  'close',
  'cancel',
];

/** The transitions the user may make now, in display order; unknown actions are left out. */
export function availableActions(allowed: readonly CaseAction[]): ActionSpec[] {
  return ORDER.filter((action) => allowed.includes(action)).map((action) => ACTION_SPECS[action]);
}

/** The request body for a transition given what the person typed. */
export function transitionBody(spec: ActionSpec, text: string): Record<string, string> | undefined {
  if (!spec.input) return undefined;
  const value = text.trim();
  if (!value) return spec.input.required ? { [spec.input.field]: '' } : {};
  return { [spec.input.field]: value };
}

/** An error to show before sending, or null when the input is fine. */
export function validateActionInput(spec: ActionSpec, text: string): string | null {
  if (spec.input?.required && !text.trim()) return `${spec.input.label} is required.`;
  return null;
}

const TIMELINE_LABELS: Record<string, string> = {
  create: 'Consult created',
  created: 'Consult created',
  submit: 'Submitted',
  submitted: 'Submitted',
  queued_for_triage: 'Queued for triage',
  participant_added: 'Person added',
  offered: 'Offered to specialist',
  accepted: 'Accepted',
  declined: 'Declined',
  reported: 'Report signed',
  amended: 'Report amended',
  cancel: 'Cancelled',
  accept: 'Accepted',
  decline: 'Declined',
  start_review: 'Review started',
  request_info: 'Information requested',
  provide_info: 'Information provided',
  close: 'Closed',
  offer: 'Offered to specialist',
  route: 'Routed',
  report: 'Report signed',
};

export function timelineLabel(action: string): string {
  return TIMELINE_LABELS[action] ?? action.replace(/[_.]/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}
