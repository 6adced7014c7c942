import { describe, expect, it } from 'vitest';
import { percentile } from './topology.js';

describe('percentile (nearest rank)', () => {
  it.each([
    [[5], 50, 5],
    [[5], 99, 5],
    [[1, 2, 3, 4], 50, 2],
    [[4, 3, 2, 1], 99, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 50, 50],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [Array.from({ length: 200 }, (_, i) => 200 - i), 99, 198],
  ])('%j p%i -> %i', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});
