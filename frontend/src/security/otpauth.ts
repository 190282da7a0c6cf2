/** Reading the `otpauth://totp/...` URI the server returns at enrolment (Key Uri Format). */

export interface OtpauthInfo {
  issuer: string | null;
  account: string | null;
  secret: string;
  digits: number;
  period: number;
}

/** The parts of an otpauth URI an authenticator app shows; null when it is not a TOTP URI. */
export function parseOtpauthUri(uri: string): OtpauthInfo | null {
  const match = /^otpauth:\/\/totp\/([^?]*)\?(.*)$/i.exec(uri.trim());
  if (!match) return null;
  const params = new URLSearchParams(match[2]);
  const secret = params.get('secret');
  if (!secret || !/^[A-Z2-7]+=*$/i.test(secret)) return null;
  let label: string;
  try {
    label = decodeURIComponent(match[1] ?? '');
  } catch {
    label = match[1] ?? '';
  }
  const colon = label.indexOf(':');
  const labelIssuer = colon >= 0 ? label.slice(0, colon).trim() : null;
  const account = (colon >= 0 ? label.slice(colon + 1) : label).trim() || null;
  return {
    issuer: params.get('issuer') || labelIssuer || null,
    account,
    secret: secret.toUpperCase(),
    digits: Number(params.get('digits') ?? 6) || 6,
    period: Number(params.get('period') ?? 30) || 30,
  };
}

/** A base32 secret in groups of four, easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s+/g, '').toUpperCase().match(/.{1,4}/g) ?? []).join(' ');
}
