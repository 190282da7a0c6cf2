import { describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { LiveClient } from './client';
import type { Envelope, LiveAnnotation, LiveState, Snapshot } from './sync';

/** A stand-in for the Socket.IO connection: records what is sent, answers acks like the server. */
class FakeSocket {
  connected = false;
  id = 'me';
  sent: { event: string; payload: Record<string, unknown> }[] = [];
  private handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  private anyHandlers: ((event: string, payload: unknown) => void)[] = [];
  seq = 3;
  annotations = new Map<string, LiveAnnotation>();
  volatile = { emit: (event: string, payload: Record<string, unknown>) => this.sent.push({ event, payload }) };

  on(event: string, fn: (...args: unknown[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  onAny(fn: (event: string, payload: unknown) => void) {
    this.anyHandlers.push(fn);
    return this;
  }
  emit(event: string, payload: Record<string, unknown>) {
    this.sent.push({ event, payload });
    return this;
  }
  timeout() {
    return { emitWithAck: (event: string, payload: Record<string, unknown>) => this.ack(event, payload) };
  }
  private envelope(type: string, data: Record<string, unknown>): Envelope {
    this.seq += 1;
    return { session_id: 's1', seq: this.seq, type, actor: { id: 'u1', name: 'Me' }, at: '2026-01-01T10:00:00Z', data };
  }
  private async ack(event: string, payload: Record<string, unknown>): Promise<unknown> {
    if (!this.connected) return new Promise(() => undefined); // never answered while the line is down
    this.sent.push({ event, payload });
    if (event === 'join') {
      const snap: Snapshot = {
        session: { id: 's1', case_id: 'c1', title: 'T', status: 'live', host: { id: 'u1', name: 'Me' } },
        seq: this.seq,
        presenter: null,
        view: null,
        participants: [],
        annotations: [...this.annotations.values()],
      };
      return snap;
    }
    if (event === 'annotation:add') {
      const a = { ...(payload.annotation as LiveAnnotation), version: 1 };
      this.annotations.set(a.id, a);
      return { ok: true, annotation: a, event: this.envelope('annotation:add', { annotation: a }) };
    }
    if (event === 'annotation:update') {
      const current = this.annotations.get(payload.id as string)!;
      if (payload.base_version !== current.version) {
        return { error: { code: 'stale_version', message: 'stale', details: { current } } };
      }
      const a = { ...current, ...(payload.changes as object), version: current.version! + 1 };
      this.annotations.set(a.id, a);
      return { ok: true, annotation: a, event: this.envelope('annotation:update', { annotation: a }) };
    }
    return { ok: true, events: [], seq: this.seq };
  }
  /** The server side of someone else's edit. */
  othersEdit(id: string, label: string) {
    const current = this.annotations.get(id)!;
    const a = { ...current, label, version: current.version! + 1 };
    this.annotations.set(id, a);
    return a;
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  up() {
    this.connected = true;
    this.fire('connect');
  }
  down() {
    this.connected = false;
    this.fire('disconnect');
  }
  close() {}
}

const length = (id: string): LiveAnnotation => ({
  id,
  kind: 'length',
  study_instance_uid: '1.2',
  series_instance_uid: '1.2.3',
  sop_instance_uid: '1.2.3.4',
  frame_number: 1,
  graphic_type: 'POLYLINE',
  points: [
    [1, 1],
    [5, 5],
  ],
  measurements: [],
});

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('LiveClient outbox', () => {
  it('keeps annotation changes made while disconnected and sends them after the rejoin', async () => {
    const socket = new FakeSocket();
    let state: LiveState | null = null;
    const pending: number[] = [];
    const client = new LiveClient('s1', { onState: (s) => (state = s), onStatus: () => undefined, onPending: (n) => pending.push(n) }, socket as unknown as Socket);
    socket.up();
    await settle();
    socket.down();
    client.addAnnotation(length('a1'));
    client.updateAnnotation('a1', { label: 'edited offline' });
    client.addAnnotation(length('a2'));
    client.deleteAnnotation('a2');
    await settle();
    expect(socket.sent.filter((s) => s.event.startsWith('annotation'))).toEqual([]);
    expect(pending.at(-1)).toBe(1); // a2 was added and deleted offline: nothing to send for it
    socket.up();
    await settle();
    const sent = socket.sent.filter((s) => s.event.startsWith('annotation'));
    expect(sent.map((s) => s.event)).toEqual(['annotation:add']);
    expect((sent[0]!.payload.annotation as LiveAnnotation).label).toBe('edited offline');
    expect(state!.annotations.a1).toMatchObject({ version: 1, label: 'edited offline' });
    expect(state!.seq).toBe(socket.seq); // our own ack's envelope was applied: no gap
    expect(pending.at(-1)).toBe(0);
    client.close();
  });

  it('re-applies an edit on top of the current version after a stale refusal', async () => {
    const socket = new FakeSocket();
    let state: LiveState | null = null;
    const client = new LiveClient('s1', { onState: (s) => (state = s), onStatus: () => undefined }, socket as unknown as Socket);
    socket.up();
    await settle();
    client.addAnnotation(length('a1'));
    await settle();
    socket.othersEdit('a1', 'theirs'); // version 2 on the server; we still know version 1
    client.updateAnnotation('a1', { points: [[2, 2], [9, 9]] });
    await settle();
    const updates = socket.sent.filter((s) => s.event === 'annotation:update').map((s) => s.payload.base_version);
    expect(updates).toEqual([1, 2]);
    expect(state!.annotations.a1).toMatchObject({ version: 3, label: 'theirs', points: [[2, 2], [9, 9]] });
    client.close();
  });
});
