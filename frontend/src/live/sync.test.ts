import { describe, expect, it } from 'vitest';
import { applyEvent, applyEvents, fromSnapshot, viewDiffers, type Envelope, type LiveState } from './sync';

const base: LiveState = fromSnapshot({
  session: { id: 's', case_id: 'c', title: 't', status: 'live', host: { id: 'h', name: 'Host' } },
  seq: 5,
  presenter: { id: 'h', name: 'Host' },
  view: null,
  participants: [{ user: { id: 'h', name: 'Host' } }],
  annotations: [],
});

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
