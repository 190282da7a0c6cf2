/** The sign-in steps beyond the password: the two-factor challenge and single sign-on errors. */
import { ApiError } from '../api/client';

/** The server accepted the password and now wants a code (`401 mfa_required`). */
export function needsSecondFactor(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'mfa_required';
}

export type SecondFactor = { totp: string } | { recovery_code: string };

/**
 * What the person typed, as the field the server expects: six digits are an authenticator code,
 * anything else of the right shape a recovery code (`abcde-fghjk`). Null when it cannot be either.
 */
export function secondFactorFrom(input: string, mode: 'totp' | 'recovery'): SecondFactor | null {
  const compact = input.replace(/[\s-]/g, '');
  if (mode === 'totp') return /^\d{6}$/.test(compact) ? { totp: compact } : null;
  return /^[a-z0-9]{10}$/i.test(compact) ? { recovery_code: compact.toLowerCase() } : null;
}

const SSO_ERRORS: Record<string, string> = {
  sso_denied: 'Sign-in was cancelled at your organization’s identity provider.',
  sso_invalid_state: 'That sign-in could not be matched to this browser. Please start again.',
  sso_state_replayed: 'That sign-in link was already used. Please start again.',
  sso_state_expired: 'The sign-in took too long. Please start again.',
  sso_provider_unavailable: 'Your organization’s identity provider cannot be reached right now. Try again shortly.',
  sso_unknown_issuer: 'The answer did not come from your organization’s identity provider.',
  sso_invalid_id_token: 'Your identity provider’s answer could not be verified.',
  sso_wrong_audience: 'Your identity provider’s answer was meant for another application.',
  sso_code_rejected: 'Your identity provider refused to complete the sign-in. Please start again.',
  sso_invalid_response: 'Your identity provider sent an incomplete answer. Please start again.',
  sso_invalid_request: 'The sign-in request was not valid. Please start again.',
  provider_not_found: 'That sign-in option is not available any more.',
  email_not_verified: 'Your identity provider has not confirmed your e-mail address, so we cannot sign you in.',
  account_exists:
    'An account with your e-mail address already exists. Sign in with your password, or ask an administrator to link it.',
  account_disabled: 'This account is disabled. Contact your administrator.',
};

/** The message for a `?sso_error=<code>` on the sign-in page (unknown codes get a generic one). */
export function ssoErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  return SSO_ERRORS[code] ?? 'Single sign-on did not work. Please try again or sign in with your password.';
}
