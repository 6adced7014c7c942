import { describe, expect, it } from 'vitest';
import { buildLagRequest, lagTimeRange, latestValue, queryId, readLagResults } from './lag-query.js';
import { expectedRdsMetricRequest, oneInstanceTooMany } from './testing/expected-request.js';

const NOW = new Date('2026-11-26T16:00:42.500Z');

describe('lagTimeRange', () => {
  it('aligns to the period and ends after the current bucket', () => {
    expect(lagTimeRange(NOW, { windowSeconds: 300, periodSeconds: 60 })).toEqual({
      start: new Date('2026-11-26T15:55:00.000Z'),
      end: new Date('2026-11-26T16:01:00.000Z'),
    });
    expect(lagTimeRange(NOW, { windowSeconds: 30, periodSeconds: 1 })).toEqual({
      start: new Date('2026-11-26T16:00:12.000Z'),
      end: new Date('2026-11-26T16:00:43.000Z'),
    });
  });
});

describe('buildLagRequest', () => {
  it('asks for ReplicaLag of every instance in one request, newest first', () => {
    const input = buildLagRequest(['prod-servio-r1', 'prod-servio-r2'], NOW, { windowSeconds: 300, periodSeconds: 60 });
    expect(input).toEqual(
      expectedRdsMetricRequest('ReplicaLag', 'lag', ['prod-servio-r1', 'prod-servio-r2'], {
        start: '2026-11-26T15:55:00.000Z',
        end: '2026-11-26T16:01:00.000Z',
        periodSeconds: 60,
      }),
    );
  });

  it('uses query ids GetMetricData accepts', () => {
    for (const i of [0, 1, 499]) expect(queryId(i)).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
  });

  it('refuses more queries than one request may carry', () => {
    expect(() => buildLagRequest(oneInstanceTooMany(), NOW, { windowSeconds: 60, periodSeconds: 60 })).toThrow(RangeError);
  });
});

describe('latestValue', () => {
  const t = (s: string) => new Date(`2026-11-26T16:0${s}Z`);
  it.each([
    ['no datapoint', {}, undefined],
    ['empty arrays', { Timestamps: [], Values: [] }, undefined],
    ['one', { Timestamps: [t('0:00')], Values: [0.4] }, 0.4],
    ['newest first', { Timestamps: [t('2:00'), t('1:00')], Values: [3, 9] }, 3],
    ['oldest first', { Timestamps: [t('1:00'), t('2:00')], Values: [9, 3] }, 3],
    ['a value without timestamp is ignored', { Timestamps: [t('1:00')], Values: [9, 3] }, 9],
    ['a non-finite value is ignored', { Timestamps: [t('2:00'), t('1:00')], Values: [Number.NaN, 2] }, 2],
  ])('%s', (_, result, expected) => {
    expect(latestValue(result)).toBe(expected);
  });
});

describe('readLagResults', () => {
  const t1 = new Date('2026-11-26T16:00:00Z');
  const t2 = new Date('2026-11-26T16:01:00Z');

  it('maps results back to instance ids, unknown when a query has no datapoint or no result', () => {
    const lags = readLagResults(
      ['a', 'b', 'c'],
      [
        [
          { Id: 'lag0', Timestamps: [t2], Values: [0.5] },
          { Id: 'lag1', Timestamps: [], Values: [] },
        ],
      ],
    );
    expect([...lags]).toEqual([
      ['a', 0.5],
      ['b', undefined],
      ['c', undefined],
    ]);
  });

  it('merges a query spread over pages', () => {
    const lags = readLagResults(['a'], [[{ Id: 'lag0', Timestamps: [t1], Values: [7] }], [{ Id: 'lag0', Timestamps: [t2], Values: [1] }]]);
    expect(lags.get('a')).toBe(1);
  });

  it('ignores results it did not ask for', () => {
    expect(
      readLagResults(
        ['a'],
        [
          [
            { Id: 'other', Timestamps: [t1], Values: [7] },
            { Timestamps: [t1], Values: [7] },
          ],
        ],
      ).get('a'),
    ).toBeUndefined();
  });
});
