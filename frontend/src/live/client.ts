/**
 * The Socket.IO side of a live session (docs/live.md): join with a snapshot, apply events in seq
 * order (holding early ones briefly, resyncing on a real gap), send the presenter's view, the
 * pointer, annotation operations through an outbox that survives disconnections, chat, control
 * hand-off and WebRTC signalling.
 */
import { io, type Socket } from 'socket.io-client';
import { listMessages } from '../api/cases';
import type { PersonRef } from '../api/types';
import { liveDebug } from './debug';
import { enqueue, opId, type AnnotationChanges, type NewAnnotation, type Op } from './outbox';
import { applyEvent, applyEvents, fromSnapshot, withChat, type Envelope, type LiveAnnotation, type LiveState, type Snapshot, type ViewState } from './sync';

export type { LiveAnnotation } from './sync';

/** A pointer of someone else, relayed by the server (never stored). */
export interface RemotePointer {
  connection_id: string;
  user: PersonRef;
  sop_instance_uid?: string | null;
  frame_number?: number | null;
  x?: number | null;
  y?: number | null;
  visible: boolean;
}

export interface RtcSignal {
  type: 'rtc:offer' | 'rtc:answer' | 'rtc:candidate';
  from: string;
  user: PersonRef;
  sdp?: string;
  candidate?: RTCIceCandidateInit;
}

export interface LiveHandlers {
  onState: (state: LiveState) => void;
  onStatus: (status: 'connecting' | 'connected' | 'disconnected' | 'error', message?: string) => void;
  onPointer?: (pointer: RemotePointer) => void;
  onRtc?: (signal: RtcSignal) => void;
  /** An operation the server refused for good (shown to the user). */
  onError?: (message: string) => void;
  /** An annotation change was refused: show the annotation as the session has it again. */
  onRefused?: (annotationId: string) => void;
  /** Pending annotation operations (0 once everything is acknowledged). */
  onPending?: (count: number) => void;
}

interface Refusal {
  error?: { code?: string; message?: string; details?: { current?: LiveAnnotation } };
}
type Ack = Refusal & { ok?: boolean; event?: Envelope | null; annotation?: LiveAnnotation };

const ACK_TIMEOUT_MS = 8000;
const HOLD_MS = 200;
const QUIET_RESYNC_MS = 30_000;
const NO_SEQ = new Set(['pointer', 'rtc:offer', 'rtc:answer', 'rtc:candidate']);

export class LiveClient {
  private socket: Socket;
  private state: LiveState | null = null;
  private resyncing = false;
  private held: Envelope[] = [];
  private holdTimer: ReturnType<typeof setTimeout> | null = null;
  private quietTimer: ReturnType<typeof setInterval> | null = null;
  private outbox: Op[] = [];
  private flushing = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private joined = false;
  private following = true;

  constructor(
    private readonly sessionId: string,
    private readonly handlers: LiveHandlers,
    socket?: Socket,
  ) {
    handlers.onStatus('connecting');
    this.socket = socket ?? io('/live', { path: '/socket.io', withCredentials: true, reconnectionDelayMax: 5000 });
    // Every (re)connection joins again from a fresh snapshot, then sends what was queued meanwhile.
    this.socket.on('connect', () => void this.join());
    this.socket.on('disconnect', () => {
      this.joined = false;
      handlers.onStatus('disconnected');
    });
    this.socket.on('connect_error', (error: Error & { data?: { message?: string } }) =>
      handlers.onStatus('error', error.data?.message ?? error.message),
    );
    this.socket.on('pointer', (p: RemotePointer) => handlers.onPointer?.(p));
    for (const type of ['rtc:offer', 'rtc:answer', 'rtc:candidate'] as const) {
      this.socket.on(type, (p: Omit<RtcSignal, 'type'> & { session_id: string }) => {
        if (p?.session_id === this.sessionId) handlers.onRtc?.({ ...p, type });
      });
    }
    this.socket.onAny((event: string, payload: unknown) => {
      if (NO_SEQ.has(event)) return;
      const env = payload as Envelope;
      if (env && typeof env === 'object' && env.session_id === this.sessionId && typeof env.seq === 'number') {
        this.receive(env);
      }
    });
    this.quietTimer = setInterval(() => {
      if (this.joined && this.state) void this.resync(this.state.seq);
    }, QUIET_RESYNC_MS);
  }

  /** This tab's connection id (as the others see it in presence and signalling). */
  get connectionId(): string | undefined {
    return this.socket.id;
  }

  get current(): LiveState | null {
    return this.state;
  }

  private set(state: LiveState): void {
    this.state = state;
    this.handlers.onState(state);
  }

  private async join(): Promise<void> {
    try {
      const answer = (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('join', { session_id: this.sessionId })) as Snapshot & Refusal;
      if (answer.error) throw new Error(answer.error.message ?? 'Could not join');
      this.held = [];
      this.set(fromSnapshot(answer, this.state));
      this.joined = true;
      this.handlers.onStatus('connected');
      void this.loadChat(answer.session.case_id);
      // A new connection starts following: say again that this one went free.
      if (!this.following) void this.follow(false).catch(() => undefined);
      await this.flush();
    } catch (error) {
      this.handlers.onStatus('error', error instanceof Error ? error.message : String(error));
    }
  }

  private async loadChat(caseId: string): Promise<void> {
    try {
      const messages = await listMessages(caseId);
      const lines = messages.items
        .filter((m) => m.live_session_id === this.sessionId)
        .map((m) => ({ id: m.id, author: m.author, body: m.body, at: m.created_at }));
      if (this.state) this.set(withChat(this.state, lines));
    } catch {
      // The history is a convenience; new lines still arrive.
    }
  }

  /** Applies one envelope (a broadcast or the event in our own ack), holding early ones briefly. */
  private receive(env: Envelope): void {
    if (!this.state) return;
    const result = applyEvent(this.state, env);
    if (result.kind === 'applied') {
      this.set(result.state);
      this.drainHeld();
    } else if (result.kind === 'gap') {
      this.held.push(env);
      this.holdTimer ??= setTimeout(() => {
        this.holdTimer = null;
        if (this.held.length && this.state) void this.resync(this.state.seq);
      }, HOLD_MS);
    }
  }

  private drainHeld(): void {
    if (!this.state || !this.held.length) return;
    const held = this.held;
    this.held = [];
    const result = applyEvents(this.state, held.filter((e) => e.seq > this.state!.seq));
    this.set(result.state);
    if (result.kind === 'gap') this.held = held.filter((e) => e.seq > result.state.seq);
  }

  private async resync(since: number): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      const answer = (await this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('resync', { session_id: this.sessionId, since_seq: since })) as { snapshot?: Snapshot; events?: Envelope[] } & Refusal;
      if (answer.error) throw new Error(answer.error.message);
      if (answer.snapshot) this.set(fromSnapshot(answer.snapshot, this.state));
      else if (answer.events && this.state) this.set(applyEvents(this.state, answer.events).state);
      this.held = this.held.filter((e) => e.seq > (this.state?.seq ?? 0));
      this.drainHeld();
    } catch {
      if (this.socket.connected) await this.join();
    } finally {
      this.resyncing = false;
    }
  }

  /** Emits a sequenced event and applies the envelope of its ack (the sender gets no broadcast). */
  private async send(event: string, payload: Record<string, unknown>): Promise<Ack> {
    const ack = (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, { session_id: this.sessionId, ...payload })) as Ack;
    if (ack?.event) this.receive(ack.event);
    return ack;
  }

  /** The presenter's viewport (the server refuses it from anyone else). */
  sendView(view: ViewState): void {
    if (!this.joined) return;
    this.send('view', { view }).catch(() => undefined);
  }

  /** Where this pointer is, in image pixels on one image (or hidden); throttle before calling. */
  sendPointer(p: { sop_instance_uid?: string; frame_number?: number; x?: number; y?: number; visible: boolean }): void {
    if (this.joined) this.socket.volatile.emit('pointer', { session_id: this.sessionId, ...p });
  }

  addAnnotation(annotation: NewAnnotation): void {
    this.queue({ type: 'add', annotation });
  }

  updateAnnotation(id: string, changes: AnnotationChanges): void {
    this.queue({ type: 'update', id, changes });
  }

  deleteAnnotation(id: string): void {
    this.queue({ type: 'delete', id });
  }

  /** Annotation ids with an operation not yet acknowledged. */
  pendingIds(): Set<string> {
    return new Set(this.outbox.map(opId));
  }

  private queue(op: Op): void {
    this.outbox = enqueue(this.outbox, op);
    this.handlers.onPending?.(this.outbox.length);
    void this.flush();
  }

  /** Sends the queued operations in order; stops (keeping them) when the connection is gone. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.outbox.length && this.joined) {
        const op = this.outbox[0]!;
        let ack: Ack;
        try {
          liveDebug('send', op.type, opId(op));
          ack = await this.sendOp(op);
          liveDebug('ack', op.type, ack.error?.code ?? 'ok');
        } catch (error) {
          // No ack: sent again after the next join, or in a moment if still connected.
          liveDebug('no ack', op.type, String(error));
          this.retryTimer ??= setTimeout(() => {
            this.retryTimer = null;
            void this.flush();
          }, 1000);
          return;
        }
        if (this.outbox[0] === op) this.outbox.shift();
        else this.outbox = this.outbox.filter((o) => o !== op);
        if (ack.error) {
          this.handlers.onError?.(`An annotation change was refused: ${ack.error.message ?? ack.error.code}`);
          this.handlers.onRefused?.(opId(op));
        }
        this.handlers.onPending?.(this.outbox.length);
      }
    } finally {
      this.flushing = false;
    }
  }

  private remember(a: LiveAnnotation | undefined): void {
    if (!a || !this.state) return;
    const known = this.state.annotations[a.id];
    if (known && (known.version ?? 0) >= (a.version ?? 0)) return;
    this.set({ ...this.state, annotations: { ...this.state.annotations, [a.id]: a } });
  }

  private async sendOp(op: Op): Promise<Ack> {
    if (op.type === 'add') {
      const ack = await this.send('annotation:add', { annotation: op.annotation });
      this.remember(ack.annotation);
      return ack;
    }
    // An edit or delete goes at the version we know; when someone changed it meanwhile, the
    // refusal carries the current one: take it and apply our change on top of it.
    for (let attempt = 0; ; attempt += 1) {
      const base = this.state?.annotations[op.id]?.version ?? 1;
      const ack =
        op.type === 'update'
          ? await this.send('annotation:update', { id: op.id, base_version: base, changes: op.changes })
          : await this.send('annotation:delete', { id: op.id, base_version: base });
      if (ack.error?.code === 'stale_version' && ack.error.details?.current && attempt < 3) {
        this.remember(ack.error.details.current);
        continue;
      }
      if (ack.error?.code === 'annotation_deleted') return { ok: true };
      this.remember(ack.annotation);
      return ack;
    }
  }

  /** A chat line; rejects with the server's reason (the caller keeps the text). */
  async chat(body: string): Promise<void> {
    if (!this.joined) throw new Error('Not connected; the message was not sent');
    const ack = await this.send('chat', { body });
    if (ack.error) throw new Error(ack.error.message ?? 'The message was not sent');
  }

  async requestPresenter(): Promise<void> {
    const ack = await this.send('presenter:request', {});
    if (ack.error) throw new Error(ack.error.message);
  }

  async grantPresenter(userId: string): Promise<void> {
    const ack = await this.send('presenter:grant', { user_id: userId });
    if (ack.error) throw new Error(ack.error.message);
  }

  async follow(following: boolean): Promise<void> {
    this.following = following;
    if (!this.joined) return;
    const ack = await this.send('follow', { following });
    if (ack.error) throw new Error(ack.error.message);
  }

  /** WebRTC signalling to one connection of this session. */
  signal(type: RtcSignal['type'], to: string, body: { sdp?: string; candidate?: RTCIceCandidateInit }): void {
    if (this.joined) this.socket.emit(type, { session_id: this.sessionId, to, ...body });
  }

  /** For browser tests: drop and restore the connection as a network loss would. */
  testHooks() {
    return { disconnect: () => this.socket.disconnect(), connect: () => this.socket.connect() };
  }

  close(): void {
    if (this.quietTimer) clearInterval(this.quietTimer);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.socket.connected) this.socket.emit('leave', { session_id: this.sessionId });
    this.socket.close();
  }
}
