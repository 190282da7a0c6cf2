/** Routing administration: specialist profiles, routing rules, notification preferences. */
import { api, type ApiClient } from './client';
import type { PersonRef } from './types';

export interface Absence {
  starts_at: string;
  ends_at: string;
  reason: string | null;
}

/** Weekday ("mon".."sun") to [["HH:MM", "HH:MM"], ...] windows in the specialist's time zone. */
export type WorkingHours = Record<string, string[][]>;

export interface SpecialistProfile {
  id: string;
  user: PersonRef;
  specialties: string[];
  subspecialties: string[];
  modalities: string[];
  licensed_regions: string[];
  languages: string[];
  capacity: number;
  time_zone: string;
  working_hours: WorkingHours;
  absences: Absence[];
  accepting: boolean;
  load: number;
  available_now: boolean;
  updated_at: string;
}

/** Fields of a profile to change; omitted fields stay as they are. */
export type ProfileInput = Partial<
  Pick<
    SpecialistProfile,
    | 'specialties'
    | 'subspecialties'
    | 'modalities'
    | 'licensed_regions'
    | 'languages'
    | 'capacity'
    | 'time_zone'
    | 'working_hours'
    | 'absences'
    | 'accepting'
  >
>;

export type WeightKey = 'specialty' | 'subspecialty' | 'modality' | 'language';

export interface RoutingRule {
  id: string;
  name: string;
  position: number;
  active: boolean;
  match_specialty: string | null;
  match_modality: string | null;
  match_body_part: string | null;
  match_region: string | null;
  match_language: string | null;
  required_specialty: string | null;
  required_subspecialty: string | null;
  weights: Partial<Record<WeightKey, number>>;
  updated_at: string;
}

export type RuleInput = Omit<RoutingRule, 'id' | 'updated_at'>;

export interface NotificationPreference {
  kind: string;
  label: string;
  in_app: boolean;
  email: boolean;
}

export interface PreferenceChange {
  kind: string;
  in_app?: boolean;
  email?: boolean;
}

export function listSpecialists(client: ApiClient = api) {
  return client.get<{ items: SpecialistProfile[] }>('/api/specialists');
}

export function getSpecialist(userId: string, client: ApiClient = api) {
  return client.get<SpecialistProfile>(`/api/specialists/${encodeURIComponent(userId)}`);
}

export function saveSpecialist(userId: string, input: ProfileInput, client: ApiClient = api) {
  return client.put<SpecialistProfile>(`/api/specialists/${encodeURIComponent(userId)}`, input);
}

export function listRules(client: ApiClient = api) {
  return client.get<{ items: RoutingRule[] }>('/api/routing-rules');
}

export function createRule(input: RuleInput, client: ApiClient = api) {
  return client.post<RoutingRule>('/api/routing-rules', input);
}

export function updateRule(id: string, change: Partial<RuleInput>, client: ApiClient = api) {
  return client.patch<RoutingRule>(`/api/routing-rules/${encodeURIComponent(id)}`, change);
}

export function deleteRule(id: string, client: ApiClient = api) {
  return client.delete(`/api/routing-rules/${encodeURIComponent(id)}`);
}

export function getPreferences(client: ApiClient = api) {
  return client.get<{ items: NotificationPreference[] }>('/api/notifications/preferences');
}

export function savePreferences(preferences: PreferenceChange[], client: ApiClient = api) {
  return client.put<{ items: NotificationPreference[] }>('/api/notifications/preferences', { preferences });
}

/** A specialist considered for a case, best first; `excluded` says why one is not eligible. */
export interface Candidate {
  specialist: PersonRef;
  eligible: boolean;
  requested: boolean;
  fit: number;
  load: number;
  capacity: number;
  available_now: boolean;
  last_offered_at: string | null;
  excluded: string[];
}

export interface CandidateList {
  rule: string | null;
  required_specialty: string | null;
  required_subspecialty: string | null;
  requested_specialty: string | null;
  region: string | null;
  modalities: string[];
  body_parts: string[];
  items: Candidate[];
}

export type OfferStatus = 'pending' | 'accepted' | 'declined' | 'expired' | 'withdrawn';

export interface Offer {
  id: string;
  case_id: string;
  specialist: PersonRef;
  status: OfferStatus | string;
  created_at: string;
  expires_at: string | null;
  responded_at: string | null;
  reason: string | null;
}

const caseRoutingPath = (id: string) => `/api/cases/${encodeURIComponent(id)}`;

/** Coordinator: the specialists considered for the case, with the reasons some are excluded. */
export function getCandidates(caseId: string, client: ApiClient = api, signal?: AbortSignal) {
  return client.get<CandidateList>(`${caseRoutingPath(caseId)}/candidates`, undefined, signal);
}

/** Coordinator: the offers made on the case, newest first. */
export function listOffers(caseId: string, client: ApiClient = api, signal?: AbortSignal) {
  return client.get<{ items: Offer[] }>(`${caseRoutingPath(caseId)}/offers`, undefined, signal);
}

/** Coordinator: offer a triaged case to a specialist. */
export function offerCase(caseId: string, specialistId: string, client: ApiClient = api) {
  return client.post<Offer>(`${caseRoutingPath(caseId)}/offers`, { specialist_id: specialistId });
}

/** Coordinator: take the case back and offer it to a specialist (or, without one, to the next candidate). */
export function reassignCase(caseId: string, specialistId: string | null, reason: string, client: ApiClient = api) {
  return client.post<unknown>(`${caseRoutingPath(caseId)}/reassign`, {
    specialist_id: specialistId,
    reason: reason.trim() || null,
  });
}
