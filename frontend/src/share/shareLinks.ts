/** Share links: the form's checks, a generated passcode, a link's state, and the recipient's client. */
import { ApiClient } from '../api/client';
import type { ShareLink, ShareLinkInput } from '../api/cases';

export const EXPIRY_CHOICES: { hours: number; label: string }[] = [
  { hours: 24, label: '1 day' },
  { hours: 72, label: '3 days' },
  { hours: 24 * 7, label: '1 week' },
  { hours: 24 * 30, label: '30 days' },
  { hours: 24 * 90, label: '90 days (longest)' },
];

export interface ShareForm {
  label: string;
  expiresInHours: number;
  maxUses: string;
  withPasscode: boolean;
}

export const EMPTY_SHARE_FORM: ShareForm = { label: '', expiresInHours: 72, maxUses: '', withPasscode: true };

// No look-alikes (0/O, 1/l/I): the passcode is read out or typed from a note.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A passcode of three groups of four, e.g. "k7mq-x2pa-9rtw" (about 75 bits). */
export function generatePasscode(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const bytes = random(12);
  const chars = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12)].map((g) => g.join('')).join('-');
}

/** Checks the form; returns the request body or per-field messages. */
export function toShareInput(
  form: ShareForm,
  passcode: string | null,
): { input: ShareLinkInput; errors: null } | { input: null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (form.label.length > 200) errors.label = 'Keep the note under 200 characters.';
  let maxUses: number | null = null;
  if (form.maxUses.trim()) {
    const n = Number(form.maxUses.trim());
    if (!Number.isInteger(n) || n < 1 || n > 100_000) errors.max_uses = 'Enter a whole number from 1 to 100000, or leave empty.';
    else maxUses = n;
  }
  if (!EXPIRY_CHOICES.some((c) => c.hours === form.expiresInHours)) errors.expires_in_hours = 'Choose how long the link works.';
  if (Object.keys(errors).length) return { input: null, errors };
  return {
    input: { label: form.label.trim(), expires_in_hours: form.expiresInHours, max_uses: maxUses, passcode: form.withPasscode ? passcode : null },
    errors: null,
  };
}

export type LinkState = 'active' | 'revoked' | 'expired' | 'used_up';

export function linkState(link: ShareLink, now: Date = new Date()): LinkState {
  if (link.revoked_at) return 'revoked';
  if (new Date(link.expires_at) <= now) return 'expired';
  if (link.max_uses !== null && link.use_count >= link.max_uses) return 'used_up';
  return 'active';
}

export const LINK_STATE_TEXT: Record<LinkState, string> = {
  active: 'Active',
  revoked: 'Revoked',
  expired: 'Expired',
  used_up: 'Used up',
};

/** The link to hand out, on the site the person is using (the server's PUBLIC_URL may name another host). */
export function absoluteShareUrl(link: Pick<ShareLink, 'token'>, origin: string): string {
  return `${origin}/share/${encodeURIComponent(link.token ?? '')}`;
}

export function shareDicomwebBase(token: string): string {
  return `/share/${encodeURIComponent(token)}/dicomweb`;
}

/**
 * A client for the recipient: sends the passcode on every request and, unlike the app's client,
 * never treats a 401 as "your session ended" (the recipient has no session).
 */
export function shareClient(passcode: string | null, baseFetch: typeof fetch = (i, init) => globalThis.fetch(i, init)): ApiClient {
  return new ApiClient({
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      if (passcode) headers.set('X-Share-Passcode', passcode);
      return baseFetch(input, { ...init, headers, credentials: 'omit' });
    },
  });
}

export interface ShareStudy {
  study_instance_uid: string;
  study_date: string | null;
  study_description: string | null;
  patient_name: string | null;
}

export interface SharePageData {
  case: { title: string; anonymous: boolean };
  expires_at: string;
  dicomweb_url: string;
  studies: ShareStudy[];
}

export function getSharePage(token: string, client: ApiClient, signal?: AbortSignal) {
  return client.get<SharePageData>(`/share/${encodeURIComponent(token)}`, { format: 'json' }, signal);
}
