/** A short trail of live-session events for diagnosing a browser test (window.__liveDebug). */
export function liveDebug(...parts: unknown[]): void {
  if (typeof window === 'undefined') return;
  const w = window as unknown as { __liveDebug?: string[] };
  (w.__liveDebug ??= []).push(parts.map(String).join(' '));
  if (w.__liveDebug.length > 200) w.__liveDebug.shift();
}

/** Flag the browser tests set before the app loads (frontend/e2e/lib.mjs) to get the live test hooks. */
export const E2E_FLAG = '__telehealthE2E';

/** Whether this page was opened by the browser tests: only then are window.__liveTest/__liveMedia installed. */
export function testHooksEnabled(win: unknown = typeof window === 'undefined' ? undefined : window): boolean {
  return !!win && (win as Record<string, unknown>)[E2E_FLAG] === true;
}
