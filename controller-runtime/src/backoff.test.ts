import { describe, expect, it } from 'vitest';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 };
const noJitter = () => 0;
const fullJitter = () => 1;

describe('backoffDelayMs', () => {
  it('is zero before any failure', () => {
    expect(backoffDelayMs(policy, 0, noJitter)).toBe(0);
  });

  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1_000],
    [500, 1_000],
  ])('grows exponentially up to the cap: failure %i waits %i ms', (failures, expected) => {
    expect(backoffDelayMs(policy, failures, noJitter)).toBe(expected);
  });

  it('only ever shortens the delay, by at most the jitter fraction', () => {
    expect(backoffDelayMs(policy, 3, fullJitter)).toBe(200);
    expect(backoffDelayMs(policy, 500, fullJitter)).toBe(500);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(300);
  });

  it('clamps a jitter outside [0, 1]', () => {
    expect(backoffDelayMs({ ...policy, jitter: 3 }, 1, fullJitter)).toBe(0);
    expect(backoffDelayMs({ ...policy, jitter: -1 }, 1, fullJitter)).toBe(100);
  });
});
