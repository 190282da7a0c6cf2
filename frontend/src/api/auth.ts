/** Session endpoints: sign in, sign up, sign out, who am I. */
import { api, ApiError, type ApiClient } from './client';
import type { SessionInfo, User } from './types';

export interface Credentials {
  email: string;
  password: string;
}

export interface Registration extends Credentials {
  name: string;
}

export function login(credentials: Credentials, client: ApiClient = api): Promise<SessionInfo> {
  return client.post<SessionInfo>('/api/auth/login', credentials);
}

export async function register(
  registration: Registration,
  client: ApiClient = api,
): Promise<SessionInfo> {
  const answer = await client.post<{ user: User; csrf_token?: string }>('/api/auth/register', registration);
  if (answer.csrf_token) return { user: answer.user, csrf_token: answer.csrf_token };
  // Older servers sign the new user in without returning the token: ask for it.
  const me = await fetchMe(client);
  if (!me) throw new ApiError(401, { code: 'unauthorized', message: 'Your account was created. Please sign in.' });
  return me;
}

export function logout(client: ApiClient = api): Promise<void> {
  return client.post<void>('/api/auth/logout');
}

/** The current session, or null when nobody is signed in. */
export async function fetchMe(client: ApiClient = api): Promise<SessionInfo | null> {
  try {
    return await client.get<SessionInfo>('/api/auth/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

const invitationPath = (token: string) => `/api/auth/invitations/${encodeURIComponent(token)}`;

/** What an invitation offers (who invited, which case, whether the account exists). */
export function getInvitation(token: string, client: ApiClient = api) {
  return client.get<import('./types').InvitationInfo>(invitationPath(token));
}

/** Accepts an invitation; creates the account when `name`/`password` are given and signs in. */
export function acceptInvitation(
  token: string,
  body: { name?: string; password?: string },
  client: ApiClient = api,
): Promise<SessionInfo> {
  return client.post<SessionInfo>(`${invitationPath(token)}/accept`, body);
}
