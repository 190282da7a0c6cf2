/** Which notification preferences changed, as the PUT body wants them. */
import type { NotificationPreference, PreferenceChange } from '../api/routing';

export function changedPreferences(saved: NotificationPreference[], edited: NotificationPreference[]): PreferenceChange[] {
  const before = new Map(saved.map((p) => [p.kind, p]));
  const out: PreferenceChange[] = [];
  for (const p of edited) {
    const old = before.get(p.kind);
    const change: PreferenceChange = { kind: p.kind };
    if (!old || old.in_app !== p.in_app) change.in_app = p.in_app;
    if (!old || old.email !== p.email) change.email = p.email;
    if (change.in_app !== undefined || change.email !== undefined) out.push(change);
  }
  return out;
}

/** Sets one channel for every kind. */
export function setAll(prefs: NotificationPreference[], channel: 'in_app' | 'email', value: boolean): NotificationPreference[] {
  return prefs.map((p) => ({ ...p, [channel]: value }));
}
