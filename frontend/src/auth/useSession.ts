import { useSyncExternalStore } from 'react';
import { sessionStore, type SessionState } from './session';

/** The current session state; re-renders when it changes. */
export function useSession(): SessionState {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.getState);
}
