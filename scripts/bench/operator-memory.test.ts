import { describe, expect, it } from 'vitest';
import { mebibytes, millicores, objectCount } from './operator-memory.js';

describe('Kubernetes quantities the chart gives the operator', () => {
  it.each([
    ['128Mi', 128],
    ['384Mi', 384],
    ['1Gi', 1024],
  ])('memory %s -> %i MiB', (quantity, expected) => {
    expect(mebibytes(quantity)).toBe(expected);
  });

  it.each(['128M', '0.5Gi', '128', ''])('refuses memory %j it cannot compare exactly', (quantity) => {
    expect(() => mebibytes(quantity)).toThrow(/memory quantity/);
  });

  it.each([
    ['50m', 50],
    ['1', 1000],
    ['2', 2000],
  ])('CPU %s -> %i millicores', (quantity, expected) => {
    expect(millicores(quantity)).toBe(expected);
  });

  it.each(['0.5', '50u', ''])('refuses CPU %j it cannot compare exactly', (quantity) => {
    expect(() => millicores(quantity)).toThrow(/CPU quantity/);
  });
});

describe('the fleet size of the memory round', () => {
  it('is 100 unless set', () => {
    expect(objectCount(undefined)).toBe(100);
    expect(objectCount('')).toBe(100);
    expect(objectCount('1000')).toBe(1000);
  });

  it.each(['0', '-5', '2.5', 'many'])('refuses %j', (setting) => {
    expect(() => objectCount(setting)).toThrow(/BENCH_MEMORY_OBJECTS/);
  });
});
