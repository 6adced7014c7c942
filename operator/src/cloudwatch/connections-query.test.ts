import { describe, expect, it } from 'vitest';
import { buildConnectionsRequest, connectionsQueryId, readConnectionsResults } from './connections-query.js';
import { expectedRdsMetricRequest, oneInstanceTooMany } from './testing/expected-request.js';

const NOW = new Date('2026-11-26T16:00:42.500Z');

describe('buildConnectionsRequest', () => {
  it('asks for DatabaseConnections of every instance in one request, per one-minute bucket', () => {
    expect(buildConnectionsRequest(['prod-servio-r2', 'prod-servio-r3'], NOW, { windowSeconds: 900, periodSeconds: 60 })).toEqual(
      expectedRdsMetricRequest('DatabaseConnections', 'conn', ['prod-servio-r2', 'prod-servio-r3'], {
        start: '2026-11-26T15:45:00.000Z',
        end: '2026-11-26T16:01:00.000Z',
        periodSeconds: 60,
      }),
    );
  });

  it('uses query ids GetMetricData accepts and refuses more than one request may carry', () => {
    for (const i of [0, 499]) expect(connectionsQueryId(i)).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
    expect(() => buildConnectionsRequest(oneInstanceTooMany(), NOW, { windowSeconds: 60, periodSeconds: 60 })).toThrow(RangeError);
  });
});

describe('readConnectionsResults', () => {
  const t = (m: number) => new Date(Date.UTC(2026, 10, 26, 16, m));
  it('gives each instance its datapoints oldest first, merged over pages, and an empty list without any', () => {
    const series = readConnectionsResults(
      ['a', 'b', 'c'],
      [
        [
          { Id: 'conn0', Timestamps: [t(3), t(2)], Values: [0, 4] },
          { Id: 'conn1', Timestamps: [], Values: [] },
        ],
        [
          { Id: 'conn0', Timestamps: [t(1)], Values: [9] },
          { Id: 'other', Timestamps: [t(1)], Values: [1] },
        ],
      ],
    );
    expect(series.get('a')).toEqual([
      { at: t(1), value: 9 },
      { at: t(2), value: 4 },
      { at: t(3), value: 0 },
    ]);
    expect(series.get('b')).toEqual([]);
    expect(series.get('c')).toEqual([]);
  });

  it('ignores values without a timestamp and values that are not numbers', () => {
    expect(readConnectionsResults(['a'], [[{ Id: 'conn0', Timestamps: [t(1)], Values: [Number.NaN, 3] }]]).get('a')).toEqual([]);
  });
});
