import { describe, expect, it } from 'vitest';
import { ACTION_SPECS, availableActions, timelineLabel, transitionBody, validateActionInput } from './actions';
import { transitionPath } from '../api/cases';

describe('availableActions', () => {
  it('shows only allowed, known transitions in a stable order', () => {
    const actions = availableActions(['cancel', 'edit', 'submit', 'teleport']).map((a) => a.action);
    expect(actions).toEqual(['submit', 'cancel']);
  });
  it('shows specialist actions', () => {
    expect(availableActions(['decline', 'accept']).map((a) => a.label)).toEqual(['Accept case', 'Decline']);
  });
});

describe('transition bodies', () => {
  it('requires a reason to decline and a message to request info', () => {
    expect(validateActionInput(ACTION_SPECS.decline, '  ')).toMatch(/required/);
    expect(validateActionInput(ACTION_SPECS.request_info, 'Need the prior CT')).toBeNull();
    expect(transitionBody(ACTION_SPECS.decline, ' out of scope ')).toEqual({ reason: 'out of scope' });
    expect(transitionBody(ACTION_SPECS.provide_info, 'here')).toEqual({ message: 'here' });
  });
  it('cancel reason is optional; submit has no body', () => {
    expect(validateActionInput(ACTION_SPECS.cancel, '')).toBeNull();
    expect(transitionBody(ACTION_SPECS.cancel, '')).toEqual({});
    expect(transitionBody(ACTION_SPECS.submit, 'ignored')).toBeUndefined();
  });
  it('posts to dashed paths', () => {
    expect(transitionPath('c1', 'start_review')).toBe('/api/cases/c1/start-review');
    expect(transitionPath('c/1', 'submit')).toBe('/api/cases/c%2F1/submit');
  });
});

describe('timelineLabel', () => {
  it('names known actions and prettifies unknown ones', () => {
    expect(timelineLabel('submit')).toBe('Submitted');
    expect(timelineLabel('offer_expired')).toBe('Offer expired');
  });
});
