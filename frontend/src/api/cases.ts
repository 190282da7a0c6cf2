/** Case endpoints: list, create, read, edit, lifecycle transitions, messages, people. */
import { api, type ApiClient } from './client';
import type {
  Case,
  CaseInput,
  CaseMessage,
  CaseStatus,
  Invitation,
  ItemList,
  Page,
  Participant,
  TimelineEntry,
} from './types';

export interface CaseListQuery {
  status?: CaseStatus | '';
  q?: string;
  page?: number;
  per_page?: number;
}

const casePath = (id: string) => `/api/cases/${encodeURIComponent(id)}`;

export function listCases(query: CaseListQuery, client: ApiClient = api, signal?: AbortSignal) {
  return client.get<Page<Case>>('/api/cases', { ...query }, signal);
}

export function createCase(input: CaseInput, client: ApiClient = api) {
  return client.post<Case>('/api/cases', input);
}

export function getCase(id: string, client: ApiClient = api, signal?: AbortSignal) {
  return client.get<Case>(casePath(id), undefined, signal);
}

export function updateCase(id: string, input: Partial<CaseInput>, client: ApiClient = api) {
  return client.patch<Case>(casePath(id), input);
}

/** Lifecycle transitions and the body each one takes. */
export interface TransitionBodies {
  submit: undefined;
  cancel: { reason?: string };
  accept: undefined;
  decline: { reason: string };
  start_review: undefined;
  request_info: { message: string };
  provide_info: { message: string };
  close: undefined;
}

export type Transition = keyof TransitionBodies;

/** `start_review` is posted to `/start-review`. */
export function transitionPath(id: string, action: Transition): string {
  return `${casePath(id)}/${action.replace(/_/g, '-')}`;
}

export function transition<A extends Transition>(
  id: string,
  action: A,
  body: TransitionBodies[A],
  client: ApiClient = api,
) {
  return client.post<Case>(transitionPath(id, action), body);
}

export function listMessages(id: string, client: ApiClient = api) {
  return client.get<ItemList<CaseMessage>>(`${casePath(id)}/messages`);
}

export function postMessage(id: string, body: string, client: ApiClient = api) {
  return client.post<CaseMessage>(`${casePath(id)}/messages`, { body });
}

export function getTimeline(id: string, client: ApiClient = api) {
  return client.get<ItemList<TimelineEntry>>(`${casePath(id)}/timeline`);
}

export function listParticipants(id: string, client: ApiClient = api) {
  return client.get<ItemList<Participant>>(`${casePath(id)}/participants`);
}

export function invite(id: string, email: string, role: Invitation['role'], client: ApiClient = api) {
  return client.post<Invitation>(`${casePath(id)}/invitations`, { email, role });
}

/** One visit through a share link (the access log). */
export interface ShareAccess {
  at: string;
  ip: string | null;
  user_agent: string | null;
  outcome: 'success' | 'denied' | string;
}

/** A read-only share link of a case; `token`, `url` and `dicomweb_url` only in the creation answer. */
export interface ShareLink {
  id: string;
  label: string;
  expires_at: string;
  max_uses: number | null;
  use_count: number;
  revoked_at: string | null;
  has_passcode: boolean;
  created_at: string;
  token?: string | null;
  url?: string | null;
  dicomweb_url?: string | null;
  accesses: ShareAccess[];
}

export interface ShareLinkInput {
  label: string;
  expires_in_hours: number;
  max_uses: number | null;
  passcode: string | null;
}

export function createShareLink(caseId: string, input: ShareLinkInput, client: ApiClient = api) {
  return client.post<ShareLink>(`${casePath(caseId)}/share-links`, input);
}

export function listShareLinks(caseId: string, client: ApiClient = api, signal?: AbortSignal) {
  return client.get<ItemList<ShareLink>>(`${casePath(caseId)}/share-links`, undefined, signal);
}

export function revokeShareLink(linkId: string, client: ApiClient = api) {
  return client.delete(`/api/share-links/${encodeURIComponent(linkId)}`);
}
