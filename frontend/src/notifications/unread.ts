/** The unread-notifications count for the nav badge, polled while the page is open. */
import { useEffect, useSyncExternalStore } from 'react';
import { listNotifications } from '../api/notifications';

let unread = 0;
const listeners = new Set<() => void>();

export function refreshUnread(): void {
  listNotifications({ unread: true, per_page: 1 })
    .then((page) => {
      unread = page.unread;
      for (const l of listeners) l();
    })
    .catch(() => undefined);
}

/** Unread count; refreshes on mount and every `intervalMs`. */
export function useUnreadCount(enabled: boolean, intervalMs = 30_000): number {
  useEffect(() => {
    if (!enabled) return;
    refreshUnread();
    const timer = setInterval(refreshUnread, intervalMs);
    return () => clearInterval(timer);
  }, [enabled, intervalMs]);
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => unread,
  );
}
