import { describe, expect, it } from 'vitest';
import { lagClass, objectsWithRoutingChange, type LagInterest } from './routing-change.js';

const values = (entries: Array<[string, number | undefined]>) => new Map(entries);
const interest = (answered: Array<[string, number | undefined]>, maxReplicaLagSeconds = 1): LagInterest => ({
  answered: values(answered),
  maxReplicaLagSeconds,
});

describe('lagClass', () => {
  it.each([
    [undefined, 1, 'unknown'],
    [0, 1, 'within'],
    [1, 1, 'within'],
    [1.01, 1, 'lagging'],
    [-1, 1, 'lagging'],
    [30, 60, 'within'],
  ] as const)('%s s against %s s is %s', (lag, max, expected) => {
    expect(lagClass(lag, max)).toBe(expected);
  });
});

describe('objectsWithRoutingChange', () => {
  it('names an object whose replica crossed its threshold since its last reconcile, in either direction', () => {
    const interests = [
      [
        'ns/a',
        interest([
          ['a-r1', 0.2],
          ['a-r2', 0.1],
        ]),
      ],
      ['ns/b', interest([['b-r1', 5]])],
    ] as const;
    expect(
      objectsWithRoutingChange(
        interests,
        values([
          ['a-r1', 4],
          ['a-r2', 0.1],
          ['b-r1', 0.3],
        ]),
      ),
    ).toEqual(['ns/a', 'ns/b']);
  });

  it('leaves out an object whose replicas keep their class, however their lag moves', () => {
    const interests = [
      [
        'ns/a',
        interest(
          [
            ['a-r1', 0.2],
            ['a-r2', 11],
          ],
          10,
        ),
      ],
    ] as const;
    expect(
      objectsWithRoutingChange(
        interests,
        values([
          ['a-r1', 9.5],
          ['a-r2', 300],
        ]),
      ),
    ).toEqual([]);
  });

  it('gives each object its own threshold', () => {
    const interests = [
      ['ns/strict', interest([['s-r1', 0.5]], 1)],
      ['ns/lenient', interest([['l-r1', 0.5]], 30)],
    ] as const;
    expect(
      objectsWithRoutingChange(
        interests,
        values([
          ['s-r1', 5],
          ['l-r1', 5],
        ]),
      ),
    ).toEqual(['ns/strict']);
  });

  it('names an object whose replica lag became unknown or known', () => {
    const interests = [
      ['ns/gone', interest([['g-r1', 0.1]])],
      ['ns/back', interest([['k-r1', undefined]])],
    ] as const;
    expect(
      objectsWithRoutingChange(
        interests,
        values([
          ['g-r1', undefined],
          ['k-r1', 0.1],
        ]),
      ),
    ).toEqual(['ns/gone', 'ns/back']);
  });

  it('counts a replica missing from the reading as unknown', () => {
    const interests = [
      ['ns/known', interest([['n-r1', 0.1]])],
      ['ns/silent', interest([['q-r1', undefined]])],
    ] as const;
    expect(objectsWithRoutingChange(interests, values([]))).toEqual(['ns/known']);
  });

  it('names nothing for an object without replicas', () => {
    expect(objectsWithRoutingChange([['ns/solo', interest([])]], values([['x', 3]]))).toEqual([]);
  });
});
