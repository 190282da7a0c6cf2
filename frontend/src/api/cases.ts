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
