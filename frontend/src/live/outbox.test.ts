import { describe, expect, it } from 'vitest';
import { enqueue, type NewAnnotation, type Op } from './outbox';

const ann = (id: string): NewAnnotation => ({
  id,
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
});

const run = (ops: Op[]) => ops.reduce<Op[]>((q, op) => enqueue(q, op), []);

describe('outbox', () => {
  it('keeps operations on different annotations in order', () => {
    const q = run([{ type: 'add', annotation: ann('a') }, { type: 'delete', id: 'b' }, { type: 'update', id: 'c', changes: { label: 'x' } }]);
    expect(q.map((o) => o.type)).toEqual(['add', 'delete', 'update']);
  });
  it('folds an edit into a pending add', () => {
    const q = run([{ type: 'add', annotation: ann('a') }, { type: 'update', id: 'a', changes: { points: [[5, 5], [6, 6]] } }]);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ type: 'add', annotation: { id: 'a', points: [[5, 5], [6, 6]] } });
  });
  it('drops an add deleted before it was sent', () => {
    expect(run([{ type: 'add', annotation: ann('a') }, { type: 'update', id: 'a', changes: {} }, { type: 'delete', id: 'a' }])).toEqual([]);
  });
  it('merges edits and lets a delete replace them', () => {
    const edits = run([
      { type: 'update', id: 'a', changes: { label: 'one', points: [[1, 1], [3, 3]] } },
      { type: 'update', id: 'a', changes: { label: 'two' } },
    ]);
    expect(edits).toEqual([{ type: 'update', id: 'a', changes: { label: 'two', points: [[1, 1], [3, 3]] } }]);
    expect(enqueue(edits, { type: 'delete', id: 'a' })).toEqual([{ type: 'delete', id: 'a' }]);
    expect(enqueue([{ type: 'delete', id: 'a' }], { type: 'update', id: 'a', changes: { label: 'late' } })).toEqual([{ type: 'delete', id: 'a' }]);
  });
  it('keeps the position of the first operation of an annotation', () => {
    const q = run([{ type: 'add', annotation: ann('a') }, { type: 'add', annotation: ann('b') }, { type: 'update', id: 'a', changes: { label: 'x' } }]);
    expect(q.map((o) => (o.type === 'add' ? o.annotation.id : o.id))).toEqual(['a', 'b']);
  });
});
