import { describe, expect, it, vi } from 'vitest';
import { applyEvent, applyEvents, fromSnapshot, throttleLatest, viewDiffers, withChat, type Envelope, type LiveState, type Snapshot } from './sync';

const snapshotBase: Snapshot = {
  session: { id: 's', case_id: 'c', title: 't', status: 'live', host: { id: 'h', name: 'Host' } },
  seq: 5,
  presenter: { id: 'h', name: 'Host' },
  view: null,
  participants: [{ user: { id: 'h', name: 'Host' } }],
  annotations: [],
};
const base: LiveState = fromSnapshot(snapshotBase);

const env = (seq: number, type: string, data: Record<string, unknown>): Envelope => ({
  session_id: 's',
  seq,
  type,
  actor: null,
  at: '',
  data,
});

describe('applyEvent', () => {
  it('applies the next seq, ignores old ones and reports gaps', () => {
    const r = applyEvent(base, env(6, 'view', { view: { image_index: 3 } }));
    expect(r.kind).toBe('applied');
    expect(r.state.view).toEqual({ image_index: 3 });
    expect(r.state.seq).toBe(6);
    expect(applyEvent(r.state, env(6, 'view', { view: { image_index: 9 } })).kind).toBe('duplicate');
    expect(applyEvent(r.state, env(8, 'view', {}))).toMatchObject({ kind: 'gap', since: 6 });
  });
  it('tracks presenter and presence', () => {
    let s = applyEvent(base, env(6, 'presence', { action: 'join', user: { id: 'p', name: 'Pat' } })).state;
    expect(s.participants.map((p) => p.user.id)).toEqual(['h', 'p']);
    s = applyEvent(s, env(7, 'presenter', { presenter: { id: 'p', name: 'Pat' } })).state;
    expect(s.presenter?.id).toBe('p');
    s = applyEvent(s, env(8, 'presence', { action: 'leave', user: { id: 'p', name: 'Pat' } })).state;
    expect(s.participants.map((p) => p.user.id)).toEqual(['h']);
  });
  it('replays a resync in order', () => {
    const r = applyEvents(base, [env(7, 'view', { view: { image_index: 2 } }), env(6, 'view', { view: { image_index: 1 } })]);
    expect(r.kind).toBe('applied');
    expect(r.state).toMatchObject({ seq: 7, view: { image_index: 2 } });
  });
});

describe('viewDiffers', () => {
  it('compares what a follower shows', () => {
    expect(viewDiffers({ image_index: 1, window_center: 40 }, { image_index: 1, window_center: 40.0001 })).toBe(false);
    expect(viewDiffers({ image_index: 1 }, { image_index: 2 })).toBe(true);
    expect(viewDiffers(null, { image_index: 2 })).toBe(true);
  });
});

describe('the state reducer', () => {
  const annotation = (version: number, extra: Record<string, unknown> = {}) => ({
    id: 'a1',
    kind: 'length',
    study_instance_uid: '1.2',
    series_instance_uid: '1.2.3',
    sop_instance_uid: '1.2.3.4',
    frame_number: 1,
    graphic_type: 'POLYLINE',
    points: [
      [1, 1],
      [2, 2],
    ],
    measurements: [],
    version,
    ...extra,
  });
  it('keeps annotations by id with their versions and tombstones, ignoring older versions', () => {
    let s = applyEvent(base, env(6, 'annotation:add', { annotation: annotation(1) })).state;
    s = applyEvent(s, env(7, 'annotation:update', { annotation: annotation(2, { points: [[3, 3], [4, 4]] }) })).state;
    expect(s.annotations.a1).toMatchObject({ version: 2, points: [[3, 3], [4, 4]] });
    s = applyEvent(s, env(8, 'annotation:update', { annotation: annotation(1) })).state;
    expect(s.annotations.a1?.version).toBe(2);
    s = applyEvent(s, env(9, 'annotation:delete', { annotation: annotation(3, { deleted: true }) })).state;
    expect(s.annotations.a1).toMatchObject({ version: 3, deleted: true });
  });
  it('tracks presence per connection, follow/free and online people', () => {
    const pat = { id: 'p', name: 'Pat' };
    let s = applyEvent(base, env(6, 'presence', { action: 'join', connection_id: 'c1', user: pat, following: true })).state;
    s = applyEvent(s, env(7, 'presence', { action: 'join', connection_id: 'c2', user: pat, following: true })).state;
    expect(s.participants.filter((p) => p.user.id === 'p')).toHaveLength(2);
    s = applyEvent(s, env(8, 'presence', { action: 'follow', connection_id: 'c1', user: pat, following: false })).state;
    expect(s.participants.find((p) => p.connection_id === 'c1')).toMatchObject({ following: false });
    expect(s.participants.find((p) => p.connection_id === 'c1')).not.toHaveProperty('action');
    s = applyEvent(s, env(9, 'presence', { action: 'leave', reason: 'disconnect', connection_id: 'c2', user: pat })).state;
    expect(s.participants.map((p) => p.connection_id ?? p.user.id)).toEqual(['h', 'c1']);
  });
  it('collects requests for control until someone is granted', () => {
    const pat = { id: 'p', name: 'Pat' };
    let s = applyEvent(base, env(6, 'presenter:request', { user: pat })).state;
    expect(s.requests).toEqual([pat]);
    s = applyEvent(s, env(7, 'presenter', { presenter: pat, by: { id: 'h', name: 'Host' } })).state;
    expect(s.presenter).toEqual(pat);
    expect(s.requests).toEqual([]);
  });
  it('adds chat lines once, in time order, history included', () => {
    let s = applyEvent(base, env(6, 'chat', { message_id: 'm2', body: 'second' })).state;
    s = withChat(s, [
      { id: 'm1', author: null, body: 'first', at: '2026-01-01T09:00:00Z' },
      { id: 'm2', author: null, body: 'second', at: '' },
    ]);
    expect(s.chat.map((c) => c.body)).toEqual(['second', 'first']); // the live line has at '' here
    expect(s.chat).toHaveLength(2);
    // A snapshot after a reconnect keeps the chat and replaces the annotations.
    const again = fromSnapshot({ ...snapshotBase, seq: 40, annotations: [] }, s);
    expect(again.chat).toHaveLength(2);
    expect(again.annotations).toEqual({});
  });
});

describe('throttleLatest (pointer, view)', () => {
  it('sends at most one value per interval and always the last one', () => {
    vi.useFakeTimers();
    const sent: { value: number; at: number }[] = [];
    const send = throttleLatest((value: number) => sent.push({ value, at: Date.now() }), 50);
    for (let i = 0; i < 100; i += 1) {
      send(i); // 200 pointer moves a second for half a second
      vi.advanceTimersByTime(5);
    }
    vi.advanceTimersByTime(100);
    vi.useRealTimers();
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50); // <= 20 a second
    expect(sent.length).toBeGreaterThanOrEqual(9);
    expect(sent[sent.length - 1]!.value).toBe(99);
  });
});
