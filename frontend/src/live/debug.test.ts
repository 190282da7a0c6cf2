import { describe, expect, it } from 'vitest';
import { E2E_FLAG, testHooksEnabled } from './debug';

describe('testHooksEnabled', () => {
  it('is off for a normal page and on only when the browser tests set the flag', () => {
    expect(testHooksEnabled({})).toBe(false);
    expect(testHooksEnabled(undefined)).toBe(false);
    expect(testHooksEnabled({ [E2E_FLAG]: 'yes' })).toBe(false);
    expect(testHooksEnabled({ [E2E_FLAG]: true })).toBe(true);
  });
});
