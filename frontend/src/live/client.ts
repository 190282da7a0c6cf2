/** The Socket.IO side of a live session: join with a snapshot, apply events in seq order, resync on gaps. */
import { io, type Socket } from 'socket.io-client';
import { applyEvent, applyEvents, fromSnapshot, type Envelope, type LiveState, type Snapshot, type ViewState } from './sync';

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
  version?: number;
  deleted?: boolean;
}

export interface LiveHandlers {
  onState: (state: LiveState) => void;
  /** Annotations from the snapshot and from others' annotation:add/update events. */
  onAnnotation?: (annotation: LiveAnnotation) => void;
  onStatus: (status: 'connecting' | 'connected' | 'disconnected' | 'error', message?: string) => void;
}

const ACK_TIMEOUT_MS = 8000;

export class LiveClient {
  private socket: Socket;
  private state: LiveState | null = null;
  private resyncing = false;

  constructor(
    private readonly sessionId: string,
    private readonly handlers: LiveHandlers,
  ) {
    handlers.onStatus('connecting');
    this.socket = io('/live', { path: '/socket.io', withCredentials: true, reconnectionDelayMax: 5000 });
    // Every (re)connection joins again and starts from a fresh snapshot: nothing is lost while away.
    this.socket.on('connect', () => void this.join());
    this.socket.on('disconnect', () => handlers.onStatus('disconnected'));
    this.socket.on('connect_error', (error: Error & { data?: { message?: string } }) =>
      handlers.onStatus('error', error.data?.message ?? error.message),
    );
    this.socket.onAny((event: string, payload: unknown) => {
      if (event === 'pointer') return;
      const env = payload as Envelope;
      if (env && typeof env === 'object' && env.session_id === this.sessionId && typeof env.seq === 'number') {
        this.receive(env);
      }
    });
  }

  private set(state: LiveState): void {
    this.state = state;
    this.handlers.onState(state);
  }

  private async join(): Promise<void> {
    try {
      const answer = (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('join', { session_id: this.sessionId })) as
        | Snapshot
        | { error?: { message?: string } };
      if ('error' in answer && answer.error) throw new Error(answer.error.message ?? 'Could not join');
      const snapshot = answer as Snapshot;
      this.set(fromSnapshot(snapshot));
      for (const a of snapshot.annotations ?? []) this.handlers.onAnnotation?.(a as LiveAnnotation);
      this.handlers.onStatus('connected');
    } catch (error) {
      this.handlers.onStatus('error', error instanceof Error ? error.message : String(error));
    }
  }

  private receive(env: Envelope): void {
    if (!this.state) return;
    const result = applyEvent(this.state, env);
    if (result.kind === 'applied') {
      this.set(result.state);
      if (env.type === 'annotation:add' || env.type === 'annotation:update') {
        const annotation = (env.data as { annotation?: LiveAnnotation }).annotation;
        if (annotation && !annotation.deleted) this.handlers.onAnnotation?.(annotation);
      }
    }
    if (result.kind === 'gap') void this.resync(result.since);
  }

  private async resync(since: number): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      const answer = (await this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('resync', { session_id: this.sessionId, since_seq: since })) as {
        snapshot?: Snapshot;
        events?: Envelope[];
      };
      if (answer.snapshot) this.set(fromSnapshot(answer.snapshot));
      else if (answer.events && this.state) {
        const result = applyEvents(this.state, answer.events);
        this.set(result.state);
      }
    } catch {
      await this.join();
    } finally {
      this.resyncing = false;
    }
  }

  /** The presenter's viewport (the server refuses it from anyone else). */
  sendView(view: ViewState): void {
    if (!this.socket.connected) return;
    this.socket.emit('view', { session_id: this.sessionId, view });
  }

  /** Shares an annotation (its id is the client-made UUID); resolves with the server's answer. */
  async addAnnotation(annotation: Omit<LiveAnnotation, 'version' | 'deleted'>): Promise<unknown> {
    return this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('annotation:add', { session_id: this.sessionId, annotation });
  }

  requestPresenter(): void {
    this.socket.emit('presenter:request', { session_id: this.sessionId });
  }

  close(): void {
    if (this.socket.connected) this.socket.emit('leave', { session_id: this.sessionId });
    this.socket.close();
  }
}
