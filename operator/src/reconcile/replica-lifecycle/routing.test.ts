import { describe, expect, it } from 'vitest';
import { retirementReason } from './routing.js';

describe('why a replica is retired', () => {
  it.each([
    { index: 2, status: 'available', count: 2, why: undefined },
    { index: 3, status: 'available', count: 2, why: 'scale-down' },
    { index: 2, status: 'failed', count: 2, why: 'replacement' },
    // RDS recovers it once its parameters are fixed: kept, not replaced.
    { index: 2, status: 'incompatible-parameters', count: 2, why: undefined },
    // Not wanted any more: it goes, and is not created again.
    { index: 3, status: 'failed', count: 2, why: 'scale-down' },
    { index: 1, status: 'modifying', count: 0, why: 'scale-down' },
  ] as const)('replica $index of $count, $status: $why', ({ index, status, count, why }) => {
    expect(retirementReason(index, status, count)).toBe(why);
  });
});
