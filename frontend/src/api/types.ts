/** Shapes of the JSON API (see DESIGN.md and GET /api/openapi.json). */

export type Role = 'patient' | 'referrer' | 'specialist' | 'coordinator' | 'admin';

export interface Organization {
  id: string;
  name: string;
  kind: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  organization: Organization | null;
}

export interface SessionInfo {
  user: User;
  csrf_token: string;
}

export type CaseStatus =
  | 'draft'
  | 'submitted'
  | 'triage'
  | 'offered'
  | 'accepted'
  | 'in_review'
  | 'info_requested'
  | 'reported'
  | 'closed'
  | 'cancelled';

export type Priority = 'stat' | 'urgent' | 'routine';

export type CaseAction =
  | 'edit'
  | 'submit'
  | 'cancel'
  | 'accept'
  | 'decline'
  | 'start_review'
  | 'request_info'
  | 'provide_info'
  | 'close'
  // The backend may add actions the frontend does not know yet; they are ignored.
  | (string & {});

export interface PersonRef {
  id: string;
  name: string;
}

export interface Case {
  id: string;
  title: string;
  question: string;
  history: string | null;
  priority: Priority;
  status: CaseStatus;
  due_at: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  requested_specialty: string | null;
  patient_name: string | null;
  patient_birth_date?: string | null;
  anonymous?: boolean;
  consent?: boolean;
  /** Past its due time while still open. */
  overdue?: boolean;
  /** The caller's part in the case (owner, patient, referrer, specialist, coordinator...). */
  my_role?: string | null;
  created_by: PersonRef;
  allowed_actions: CaseAction[];
}

export interface CaseInput {
  title: string;
  question: string;
  history?: string;
  priority?: Priority;
  requested_specialty?: string;
  patient_name?: string;
  patient_birth_date?: string;
  anonymous?: boolean;
  /** The patient agrees to share the data with the reviewing specialists; required to submit. */
  consent?: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}

export interface CaseMessage {
  id: string;
  /** null for messages the system writes (e.g. a status change note). */
  author: PersonRef | null;
  kind?: string;
  body: string;
  created_at: string;
  live_session_id?: string | null;
}

export interface TimelineEntry {
  id: string;
  action: string;
  from_status: CaseStatus | null;
  to_status: CaseStatus | null;
  actor: PersonRef | null;
  note: string | null;
  at: string;
}

export interface Participant {
  user: { id: string; name: string; email: string };
  role: string;
  added_at: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: 'patient' | 'referrer';
  expires_at: string;
}

export interface ItemList<T> {
  items: T[];
}

export interface InvitationInfo {
  email: string;
  roles: string[];
  case_id: string | null;
  case_title: string | null;
  invited_by: string | null;
  expires_at: string;
  account_exists: boolean;
}

export interface AdminUser extends User {
  region?: string | null;
  language?: string | null;
  is_active: boolean;
}

export interface AdminUserInput {
  email: string;
  name: string;
  roles: Role[];
  organization_id?: string;
  password?: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  case_id: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown> | null;
}
