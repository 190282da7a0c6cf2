/**
 * Identity endpoints: single sign-on providers, two-factor (TOTP) enrolment, re-authentication,
 * password change and reset, one's sessions, and the admin side (integration clients, SSO providers,
 * MFA resets). Shapes follow telehealth/identity/schemas.py and accounts/schemas.py.
 */
import { api, type ApiClient } from './client';
import type { ItemList, SessionInfo } from './types';

export const SCOPES = ['cases:read', 'cases:write', 'dicomweb:read', 'dicomweb:write', 'reports:read'] as const;
export type Scope = (typeof SCOPES)[number];

/** Where a user stands with two-factor sign-in (`SessionOut.mfa`, `GET /api/auth/mfa`). */
export interface MfaStatus {
  enrolled: boolean;
  /** Policy requires a second factor for one of the user's roles. */
  required: boolean;
  /** Required and not yet enrolled. */
  enrolment_required: boolean;
  /** Until when one may still work without it (only while enrolment is required). */
  grace_until: string | null;
  /** The grace period is over: only enrolment (and sign-out) is allowed. */
  blocked: boolean;
  recovery_codes_left: number;
}

export interface MfaEnrolment {
  secret: string;
  otpauth_uri: string;
}

export interface RecoveryCodes {
  recovery_codes: string[];
}

export interface Reauthentication {
  reauthenticated_at: string;
  valid_until: string;
}

export interface SsoProvider {
  slug: string;
  name: string;
  organization_id: string;
  login_url: string;
}

export interface AuthSession {
  id: string;
  kind: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  current: boolean;
}

export interface OAuthClient {
  id: string;
  client_id: string;
  name: string;
  organization_id: string;
  scopes: string[];
  created_at: string;
}

export interface OAuthClientCreated extends OAuthClient {
  client_secret: string;
  token_endpoint: string;
}

export interface OAuthClientInput {
  name: string;
  organization_id: string;
  scopes: Scope[];
}

export interface RoleMapping {
  claim: string;
  map: Record<string, string[]>;
  default?: string[];
}

export interface OidcProviderInput {
  slug: string;
  name: string;
  organization_id: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  scopes?: string;
  role_mapping?: RoleMapping | null;
}

export interface OidcProvider {
  id: string;
  slug: string;
  name: string;
  organization_id: string;
  issuer: string;
  client_id: string;
  scopes: string;
  role_mapping: RoleMapping | null;
  enabled: boolean;
  created_at: string;
}

/** What a sign-in sends once two-factor is enrolled: the password plus one of the two codes. */
export interface LoginWithFactor {
  email: string;
  password: string;
  totp?: string;
  recovery_code?: string;
}

// ---- sign-in ---------------------------------------------------------------------------

export function listSsoProviders(client: ApiClient = api) {
  return client.get<ItemList<SsoProvider>>('/api/auth/oidc/providers');
}

/** The browser URL that starts single sign-on, returning to `next` (an in-app path) afterwards. */
export function ssoLoginUrl(provider: Pick<SsoProvider, 'slug' | 'login_url'>, next?: string | null): string {
  const base = provider.login_url || `/auth/oidc/${encodeURIComponent(provider.slug)}/login`;
  return next ? `${base}?${new URLSearchParams({ next }).toString()}` : base;
}

// ---- two-factor ------------------------------------------------------------------------

export function getMfaStatus(client: ApiClient = api) {
  return client.get<MfaStatus>('/api/auth/mfa');
}

export function beginMfaEnrolment(client: ApiClient = api) {
  return client.post<MfaEnrolment>('/api/auth/mfa/enrol');
}

export function confirmMfaEnrolment(code: string, client: ApiClient = api) {
  return client.post<RecoveryCodes>('/api/auth/mfa/confirm', { code });
}

export function regenerateRecoveryCodes(client: ApiClient = api) {
  return client.post<RecoveryCodes>('/api/auth/mfa/recovery-codes');
}

export function disableMfa(client: ApiClient = api) {
  return client.delete('/api/auth/mfa');
}

/** Proves it is still you (password or a current code) before a sensitive action. */
export function reauthenticate(proof: { password: string } | { totp: string }, client: ApiClient = api) {
  return client.post<Reauthentication>('/api/auth/reauth', proof);
}

// ---- passwords -------------------------------------------------------------------------

/** Changes the password; every other session ends and this browser gets a new one (new CSRF token). */
export function changePassword(
  body: { current_password: string; new_password: string },
  client: ApiClient = api,
) {
  return client.post<SessionInfo>('/api/auth/password', body);
}

export function requestPasswordReset(email: string, client: ApiClient = api) {
  return client.post<{ status: string }>('/api/auth/password-reset', { email });
}

export function confirmPasswordReset(token: string, newPassword: string, client: ApiClient = api) {
  return client.post<void>('/api/auth/password-reset/confirm', { token, new_password: newPassword });
}

// ---- sessions --------------------------------------------------------------------------

export function listSessions(client: ApiClient = api) {
  return client.get<ItemList<AuthSession>>('/api/auth/sessions');
}

export function revokeSession(id: string, client: ApiClient = api) {
  return client.delete(`/api/auth/sessions/${encodeURIComponent(id)}`);
}

// ---- administration --------------------------------------------------------------------

export function listOAuthClients(client: ApiClient = api) {
  return client.get<ItemList<OAuthClient>>('/api/admin/oauth-clients');
}

export function createOAuthClient(input: OAuthClientInput, client: ApiClient = api) {
  return client.post<OAuthClientCreated>('/api/admin/oauth-clients', input);
}

export function deleteOAuthClient(id: string, client: ApiClient = api) {
  return client.delete(`/api/admin/oauth-clients/${encodeURIComponent(id)}`);
}

export function listOidcProviders(client: ApiClient = api) {
  return client.get<ItemList<OidcProvider>>('/api/admin/oidc-providers');
}

export function createOidcProvider(input: OidcProviderInput, client: ApiClient = api) {
  return client.post<OidcProvider>('/api/admin/oidc-providers', input);
}

export function deleteOidcProvider(id: string, client: ApiClient = api) {
  return client.delete(`/api/admin/oidc-providers/${encodeURIComponent(id)}`);
}

/** Removes a user's authenticator (lost phone) and gives them `graceDays` to enrol again. */
export function resetUserMfa(userId: string, graceDays = 3, client: ApiClient = api) {
  return client.post<void>(`/api/admin/users/${encodeURIComponent(userId)}/mfa-reset`, { grace_days: graceDays });
}
