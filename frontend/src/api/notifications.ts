/** In-app notifications: list, unread count, mark read. */
import { api, type ApiClient } from './client';

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  case_id: string | null;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage {
  items: Notification[];
  total: number;
  unread: number;
  page: number;
  per_page: number;
}

export function listNotifications(query: { unread?: boolean; page?: number; per_page?: number }, client: ApiClient = api) {
  return client.get<NotificationPage>('/api/notifications', { ...query });
}

export function markRead(id: string, client: ApiClient = api) {
  return client.post<Notification>(`/api/notifications/${encodeURIComponent(id)}/read`);
}

export function markAllRead(client: ApiClient = api) {
  return client.post<{ marked: number; unread: number }>('/api/notifications/read-all');
}
