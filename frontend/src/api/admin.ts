/** Administration endpoints: accounts, organizations, the audit trail. */
import { api, type ApiClient } from './client';
import type { AdminUser, AdminUserInput, AuditEvent, ItemList, Organization, Role } from './types';

export interface UserQuery {
  role?: Role | '';
  q?: string;
  page?: number;
  per_page?: number;
}

export function listUsers(query: UserQuery, client: ApiClient = api) {
  return client.get<{ items: AdminUser[]; total: number }>('/api/admin/users', { ...query });
}

export function createUser(input: AdminUserInput, client: ApiClient = api) {
  return client.post<{ user: AdminUser | null; invitation_url: string | null }>('/api/admin/users', input);
}

export function updateUser(
  id: string,
  change: Partial<Pick<AdminUser, 'roles' | 'name' | 'is_active'>> & { organization_id?: string | null },
  client: ApiClient = api,
) {
  return client.patch<AdminUser>(`/api/admin/users/${encodeURIComponent(id)}`, change);
}

export function listOrganizations(client: ApiClient = api) {
  return client.get<ItemList<Organization>>('/api/admin/organizations');
}

export function createOrganization(
  input: { name: string; kind: 'referring' | 'network'; network_id?: string },
  client: ApiClient = api,
) {
  return client.post<Organization>('/api/admin/organizations', input);
}

export interface AuditQuery {
  actor_id?: string;
  case_id?: string;
  action?: string;
  entity_type?: string;
  outcome?: string;
  since?: string;
  until?: string;
  page?: number;
  per_page?: number;
}

export function searchAudit(query: AuditQuery, client: ApiClient = api) {
  return client.get<{ items: AuditEvent[]; total: number }>('/api/audit', { ...query });
}
