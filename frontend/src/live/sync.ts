/**
 * Live-session state kept in step with the server's sequence numbers (DESIGN.md, live protocol):
 * a snapshot, then events applied in `seq` order; a gap means "resync since my last seq".
 * Plain TypeScript: no socket, no Cornerstone, so it is unit-tested directly.
 */
import type { PersonRef } from '../api/types';

export interface ViewState {
  study_instance_uid?: string;
  series_instance_uid?: string;
  sop_instance_uid?: string;
  image_index?: number;
  frame_number?: number;
  window_center?: number;
  window_width?: number;
  zoom?: number;
  pan?: [number, number];
  rotation?: number;
  flip_horizontal?: boolean;
  flip_vertical?: boolean;
  invert?: boolean;
  layout?: string;
}

export interface LiveParticipant {
  user: PersonRef;
  /** One browser tab's Socket.IO connection (a person may be present twice). */
  connection_id?: string;
  role?: string;
  following?: boolean;
  joined_at?: string;
}

/** An annotation as the protocol carries it: SCOORD image pixel points plus UIDs, never a URL. */
export interface LiveAnnotation {
  id: string;
  kind: string;
  study_instance_uid: string;
  series_instance_uid: string;
  sop_instance_uid: string;
  frame_number: number | null;
  graphic_type: string;
  points: [number, number][];
  measurements: { name: string; value: number; unit: string }[];
  label?: string | null;
  author?: PersonRef;
  version?: number;
  deleted?: boolean;
}

export interface ChatLine {
  id: string;
  author: PersonRef | null;
  body: string;
  at: string;
}

export interface Snapshot {
  session: { id: string; case_id: string; title: string; status: string; host: PersonRef | null };
  seq: number;
  presenter: PersonRef | null;
  view: ViewState | null;
  participants: LiveParticipant[];
  annotations: LiveAnnotation[];
}

export interface Envelope {
  session_id: string;
  seq: number;
  type: string;
  actor: PersonRef | null;
  at: string;
  data: Record<string, unknown>;
}

export interface LiveState {
  caseId: string;
  seq: number;
  presenter: PersonRef | null;
  host: PersonRef | null;
  view: ViewState | null;
  participants: LiveParticipant[];
  status: string;
  /** The session's annotations by id, tombstones included (so a late edit of a deleted one is ignored). */
  annotations: Record<string, LiveAnnotation>;
  /** Chat lines of the session, oldest first (history comes from the case messages). */
  chat: ChatLine[];
  /** People who asked for control, for the presenter or host to grant. */
  requests: PersonRef[];
}

export function fromSnapshot(snap: Snapshot, previous?: LiveState | null): LiveState {
  return {
    caseId: snap.session?.case_id ?? '',
    seq: snap.seq,
    presenter: snap.presenter,
    host: snap.session?.host ?? null,
    view: snap.view ?? null,
    participants: snap.participants ?? [],
    status: snap.session?.status ?? 'live',
    annotations: Object.fromEntries((snap.annotations ?? []).map((a) => [a.id, a])),
    chat: previous?.chat ?? [],
    requests: previous?.requests ?? [],
  };
}

/** Adds chat lines (history or new), once each, in time order. */
export function withChat(state: LiveState, lines: ChatLine[]): LiveState {
  const known = new Set(state.chat.map((c) => c.id));
  const fresh = lines.filter((l) => !known.has(l.id));
  if (!fresh.length) return state;
  return { ...state, chat: [...state.chat, ...fresh].sort((a, b) => a.at.localeCompare(b.at)) };
}

export type ApplyResult =
  | { kind: 'applied'; state: LiveState }
  | { kind: 'duplicate'; state: LiveState }
  | { kind: 'gap'; state: LiveState; since: number };

function participantId(p: LiveParticipant): string {
  return p.connection_id ?? p.user?.id ?? '';
}

/** Applies one broadcast event; refuses to skip a missing seq. */
export function applyEvent(state: LiveState, env: Envelope): ApplyResult {
  if (env.seq <= state.seq) return { kind: 'duplicate', state };
  if (env.seq > state.seq + 1) return { kind: 'gap', state, since: state.seq };
  const next: LiveState = { ...state, seq: env.seq };
  const data = env.data ?? {};
  switch (env.type) {
    case 'view':
      next.view = (data.view as ViewState) ?? null;
      break;
    case 'presenter':
      next.presenter = (data.presenter as PersonRef) ?? null;
      next.requests = state.requests.filter((r) => r.id !== next.presenter?.id);
      break;
    case 'presenter:request': {
      const user = data.user as PersonRef | undefined;
      if (user) next.requests = [...state.requests.filter((r) => r.id !== user.id), user];
      break;
    }
    case 'presence': {
      const action = data.action as string | undefined;
      const person = { ...(data as unknown as LiveParticipant & { action?: string; reason?: string }) };
      delete person.action;
      delete person.reason;
      const id = participantId(person);
      if (action === 'follow') {
        next.participants = state.participants.map((p) => (participantId(p) === id ? { ...p, ...person } : p));
        break;
      }
      const others = state.participants.filter((p) => participantId(p) !== id);
      next.participants = action === 'leave' || action === 'disconnect' ? others : [...others, person];
      break;
    }
    case 'annotation:add':
    case 'annotation:update':
    case 'annotation:delete': {
      const a = data.annotation as LiveAnnotation | undefined;
      const known = a && state.annotations[a.id];
      if (a && (!known || (known.version ?? 0) <= (a.version ?? 0))) next.annotations = { ...state.annotations, [a.id]: a };
      break;
    }
    case 'chat':
      return {
        kind: 'applied',
        state: withChat(next, [{ id: String(data.message_id ?? env.seq), author: env.actor, body: String(data.body ?? ''), at: env.at }]),
      };
    case 'ended':
    case 'session:ended':
    case 'end':
      next.status = 'ended';
      break;
    default:
      break; // annotations, chat, requests: handled by their own consumers
  }
  return { kind: 'applied', state: next };
}

/** Applies the events of a resync answer in order (stopping at a gap). */
export function applyEvents(state: LiveState, events: Envelope[]): ApplyResult {
  let current: ApplyResult = { kind: 'applied', state };
  for (const env of [...events].sort((a, b) => a.seq - b.seq)) {
    current = applyEvent(current.state, env);
    if (current.kind === 'gap') return current;
  }
  return current;
}

/** True when a follower should change what it shows. */
export function viewDiffers(a: ViewState | null, b: ViewState | null): boolean {
  if (!a || !b) return a !== b;
  const keys: (keyof ViewState)[] = [
    'series_instance_uid',
    'image_index',
    'sop_instance_uid',
    'frame_number',
    'window_center',
    'window_width',
    'zoom',
    'rotation',
    'flip_horizontal',
    'flip_vertical',
    'invert',
  ];
  return keys.some((k) => {
    const x = a[k];
    const y = b[k];
    if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) > 1e-3;
    return x !== y;
  });
}

/** Calls `fn` at most once per `ms`, always delivering the last value (for view and pointer). */
export function throttleLatest<T>(fn: (value: T) => void, ms: number, now: () => number = Date.now) {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: { value: T } | null = null;
  return (value: T) => {
    const t = now();
    if (t - last >= ms && !timer) {
      last = t;
      fn(value);
      return;
    }
    pending = { value };
    if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        last = now();
        if (pending) fn(pending.value);
        pending = null;
      }, Math.max(0, ms - (t - last)));
    }
  };
}
