/** Live sessions of a case (HTTP part; the rest is Socket.IO, see live/client.ts). */
import { api, type ApiClient } from './client';
import type { ItemList, PersonRef } from './types';

export interface LiveSessionSummary {
  id: string;
  case_id: string;
  title: string;
  status: 'scheduled' | 'live' | 'ended';
  host: PersonRef;
  presenter: PersonRef | null;
  scheduled_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  created_at: string;
}

export function listSessions(caseId: string, client: ApiClient = api) {
  return client.get<ItemList<LiveSessionSummary>>(`/api/cases/${encodeURIComponent(caseId)}/sessions`);
}

export function startSession(caseId: string, title: string, client: ApiClient = api) {
  return client.post<LiveSessionSummary>(`/api/cases/${encodeURIComponent(caseId)}/sessions`, { title });
}
