import { describe, expect, it } from 'vitest';
import { BaseRepository, type RepositoryDb } from './base-repository.js';

// Construction only: no query is sent.
const unused = {} as RepositoryDb;

describe('BaseRepository options', () => {
  it.each([Number.NaN, 0, -1, 1.5, Number.POSITIVE_INFINITY])('refuses maxLimit %s, which would lift or break the cap on limit', (maxLimit) => {
    expect(() => new BaseRepository(unused, 'orders', { maxLimit })).toThrow(RangeError);
    expect(() => new BaseRepository(unused, 'orders', { maxLimit })).toThrow(/maxLimit must be an integer >= 1/);
  });

  it('takes a positive integer maxLimit, and 1000 by default', () => {
    expect(() => new BaseRepository(unused, 'orders', { maxLimit: 50 })).not.toThrow();
    expect(() => new BaseRepository(unused, 'orders')).not.toThrow();
  });
});
