/**
 * Annotation operations waiting to be sent: made while disconnected (or before the ack of an
 * earlier one), sent in order after the rejoin and resync. Operations on one annotation are
 * coalesced: add+update = add with the new shape, update+update = the later changes,
 * add+delete = nothing at all, update+delete = delete. Pure; unit-tested.
 */
import type { LiveAnnotation } from './sync';

export type AnnotationChanges = Partial<Pick<LiveAnnotation, 'graphic_type' | 'points' | 'measurements' | 'label'>>;
export type NewAnnotation = Omit<LiveAnnotation, 'version' | 'deleted' | 'author'>;

export type Op =
  | { type: 'add'; annotation: NewAnnotation }
  | { type: 'update'; id: string; changes: AnnotationChanges }
  | { type: 'delete'; id: string };

export const opId = (op: Op) => (op.type === 'add' ? op.annotation.id : op.id);

export function enqueue(queue: readonly Op[], op: Op): Op[] {
  const id = opId(op);
  const i = queue.findIndex((q) => opId(q) === id);
  if (i < 0) return [...queue, op];
  const prev = queue[i]!;
  const rest = queue.filter((_, k) => k !== i);
  let merged: Op | null;
  if (op.type === 'add') merged = op; // the same add again (a retry): keep the latest
  else if (op.type === 'delete') merged = prev.type === 'add' ? null : op;
  else if (prev.type === 'add') merged = { type: 'add', annotation: { ...prev.annotation, ...op.changes } };
  else if (prev.type === 'update') merged = { type: 'update', id, changes: { ...prev.changes, ...op.changes } };
  else merged = prev; // a deleted annotation is not edited
  if (!merged) return rest;
  return [...rest.slice(0, i), merged, ...rest.slice(i)];
}
