/** A short trail of live-session events for diagnosing a browser test (window.__liveDebug). */
export function liveDebug(...parts: unknown[]): void {
  if (typeof window === 'undefined') return;
  const w = window as unknown as { __liveDebug?: string[] };
  (w.__liveDebug ??= []).push(parts.map(String).join(' '));
  if (w.__liveDebug.length > 200) w.__liveDebug.shift();
}
