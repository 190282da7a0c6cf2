import { describe, expect, it } from 'vitest';
import { validateRegistration } from './validation';

describe('validateRegistration', () => {
  it('accepts a complete form', () => {
    expect(
      validateRegistration({ name: 'Ada', email: 'ada@example.org', password: 'correct horse battery', confirm: 'correct horse battery' }),
    ).toEqual({});
  });
  it('names each problem', () => {
    const errors = validateRegistration({ name: ' ', email: 'ada@', password: 'short', confirm: 'other' });
    expect(Object.keys(errors).sort()).toEqual(['confirm', 'email', 'name', 'password']);
  });
});
