import { describe, expect, it } from 'vitest';
import type { Candidate, Offer } from '../api/routing';
import { bucketLabel } from '../api/worklist';
import { candidateOptions, describeOffer, pendingOffer, routeMode } from './routeCase';

const candidate = (id: string, over: Partial<Candidate> = {}): Candidate => ({
  specialist: { id, name: `Dr ${id}` }, eligible: true, requested: false, fit: 1, load: 1, capacity: 5,
  available_now: true, last_offered_at: null, excluded: [], ...over,
});
const offer = (status: string, reason: string | null = null): Offer => ({
  id: status, case_id: 'c', specialist: { id: 's', name: 'Dr Lee' }, status, created_at: '2026-01-01T00:00:00Z',
  expires_at: null, responded_at: null, reason,
});

describe('routing a case by hand', () => {
  it('offers a triaged case and reassigns one that is offered or under way', () => {
    expect(routeMode('triage')).toBe('offer');
    expect(routeMode('triage', ['cancel'])).toBeNull();
    expect(routeMode('offered', ['reassign', 'cancel'])).toBe('reassign');
    expect(routeMode('in_review')).toBe('reassign');
    expect(routeMode('reported')).toBeNull();
    expect(routeMode('draft')).toBeNull();
  });

  it('lists eligible specialists first and says why routing passed the others over', () => {
    const options = candidateOptions(
      [candidate('a', { eligible: false, excluded: ['not_licensed'] }), candidate('b', { requested: true, available_now: false }), candidate('c')],
      'c',
    );
    expect(options.map((o) => [o.value, o.disabled])).toEqual([['b', false], ['c', false], ['a', false]]);
    expect(options[0]!.label).toBe('Dr b (1/5 cases · away · requested)');
    expect(options[1]!.label).toContain('current');
    expect(options[2]!.label).toContain('not a match: not_licensed');
    const holding = candidateOptions([candidate('d', { eligible: false, excluded: ['has the open offer'] })]);
    expect(holding[0]!.disabled).toBe(true);
  });

  it('describes offers and finds the pending one', () => {
    expect(describeOffer(offer('declined', 'On leave'))).toBe('Dr Lee: Declined (On leave)');
    expect(describeOffer(offer('pending'))).toBe('Dr Lee: Waiting for an answer');
    expect(pendingOffer([offer('declined'), offer('pending')])?.status).toBe('pending');
    expect(pendingOffer([offer('expired')])).toBeNull();
  });
});

describe('bucket labels', () => {
  it('names the offered bucket for whose board it is', () => {
    expect(bucketLabel('offered', 'specialist')).toBe('Offered to me');
    expect(bucketLabel('offered', 'coordinator')).toBe('Offered, waiting');
    expect(bucketLabel('some_new_bucket')).toBe('some new bucket');
  });
});
