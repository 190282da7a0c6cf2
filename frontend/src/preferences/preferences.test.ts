import { describe, expect, it } from 'vitest';
import { changedPreferences, setAll } from './preferences';

const saved = [
  { kind: 'case_offered', label: 'Case offered', in_app: true, email: true },
  { kind: 'message', label: 'New message', in_app: true, email: false },
];

describe('changedPreferences', () => {
  it('is empty when nothing changed', () => {
    expect(changedPreferences(saved, saved)).toEqual([]);
  });
  it('sends only the channels that changed', () => {
    const edited = [saved[0]!, { ...saved[1]!, email: true }];
    expect(changedPreferences(saved, edited)).toEqual([{ kind: 'message', email: true }]);
  });
  it('turns everything off by channel', () => {
    expect(changedPreferences(saved, setAll(saved, 'email', false))).toEqual([{ kind: 'case_offered', email: false }]);
  });
});
