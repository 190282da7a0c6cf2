/**
 * The signed-in state as a tiny observable store, independent of React so it can be
 * unit-tested. The CSRF token lives here and is pushed into the API client.
 */
import { api as defaultClient, type ApiClient } from '../api/client';
import * as authApi from '../api/auth';
import type { Role, SessionInfo, User } from '../api/types';

export type SessionState =
  | { status: 'loading'; user: null }
  | { status: 'anonymous'; user: null; expired?: boolean }
  | { status: 'authenticated'; user: User };

type Listener = () => void;

export class SessionStore {
  private state: SessionState = { status: 'loading', user: null };
  private listeners = new Set<Listener>();

  constructor(private readonly client: ApiClient = defaultClient) {
    client.onUnauthorized(() => {
      if (this.state.status === 'authenticated') this.signedOut(true);
    });
  }

  getState = (): SessionState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  private signedIn(info: SessionInfo): User {
    this.client.setCsrfToken(info.csrf_token);
    this.set({ status: 'authenticated', user: info.user });
    return info.user;
  }

  private signedOut(expired = false): void {
    this.client.setCsrfToken(null);
    this.set(expired ? { status: 'anonymous', user: null, expired: true } : { status: 'anonymous', user: null });
  }

  /** Asks the server who is signed in (on page load). */
  async restore(): Promise<void> {
    try {
      const me = await authApi.fetchMe(this.client);
      if (me) this.signedIn(me);
      else this.signedOut();
    } catch {
      // Server unreachable: treat as signed out; the sign-in page shows the error on submit.
      this.signedOut();
    }
  }

  async login(credentials: authApi.Credentials): Promise<User> {
    return this.signedIn(await authApi.login(credentials, this.client));
  }

  async register(registration: authApi.Registration): Promise<User> {
    return this.signedIn(await authApi.register(registration, this.client));
  }

  /** Accepts an invitation, signing in (and creating the account) as the server answers. */
  async acceptInvitation(token: string, body: { name?: string; password?: string }): Promise<User> {
    return this.signedIn(await authApi.acceptInvitation(token, body, this.client));
  }

  async logout(): Promise<void> {
    try {
      await authApi.logout(this.client);
    } finally {
      this.signedOut();
    }
  }
}

export const sessionStore = new SessionStore();

/** True when the user holds any of `roles`. */
export function hasRole(user: User | null, ...roles: Role[]): boolean {
  return !!user && user.roles.some((role) => roles.includes(role));
}

/** Where a user lands after signing in: their dashboard. */
export function homePath(user: User): string {
  if (hasRole(user, 'specialist', 'coordinator')) return '/worklist';
  return '/cases';
}

/** Keeps a post-sign-in redirect inside the app (no open redirects). */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (next.startsWith('/signin') || next.startsWith('/signup')) return null;
  return next;
}
