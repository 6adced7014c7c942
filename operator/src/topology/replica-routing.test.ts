import { describe, expect, it } from 'vitest';
import { isLagging, routeReplica, type ReplicaRouting } from './replica-routing.js';
import { aReplica } from './testing/fixtures.js';

const MAX = 1;

describe('routeReplica', () => {
  const active: ReplicaRouting = { state: 'active' };
  const draining: ReplicaRouting = { state: 'draining' };
  const out = (reason: string) => ({ state: 'excluded', reason });

  it.each([
    // status, lag, retiring, expected
    ['available', undefined, false, active],
    ['available', 0, false, active],
    ['available', 1, false, active], // at the threshold: within
    ['available', 1.001, false, out('lagging')],
    ['available', 30, false, out('lagging')],
    ['available', -1, false, out('lagging')],
    ['creating', undefined, false, out('unavailable')],
    ['modifying', 0, false, out('unavailable')],
    ['backing-up', 0, false, out('unavailable')],
    ['rebooting', 0, false, out('unavailable')],
    ['storage-full', 0, false, out('unavailable')],
    ['failed', undefined, false, out('unavailable')],
    ['deleting', 0, false, out('deleting')],
    // Retiring: draining while reachable, whatever its status or lag.
    ['available', 0, true, draining],
    ['available', 30, true, draining],
    ['modifying', undefined, true, draining],
    ['failed', undefined, true, draining],
    ['deleting', undefined, true, out('deleting')],
  ] as const)('%s, lag %s, retiring %s -> %j', (status, lagSeconds, retiring, expected) => {
    expect(routeReplica(aReplica(1, { status, lagSeconds, retiring }), MAX)).toEqual(expected);
  });

  it('leaves out a replica without an endpoint, retiring or not', () => {
    expect(routeReplica(aReplica(1, { endpoint: undefined }), MAX)).toEqual(out('no-endpoint'));
    expect(routeReplica(aReplica(1, { endpoint: undefined, retiring: true }), MAX)).toEqual(out('no-endpoint'));
  });

  it('uses the threshold it is given', () => {
    expect(routeReplica(aReplica(1, { lagSeconds: 5 }), 10)).toEqual(active);
    expect(routeReplica(aReplica(1, { lagSeconds: 0.5 }), 0)).toEqual(out('lagging'));
    expect(routeReplica(aReplica(1, { lagSeconds: 0 }), 0)).toEqual(active);
  });
});

describe('isLagging', () => {
  it.each([
    [undefined, 1, false],
    [0, 1, false],
    [1, 1, false],
    [1.5, 1, true],
    [-1, 1, true],
    [0, 0, false],
  ] as const)('lag %s, max %s -> %s', (lag, max, expected) => {
    expect(isLagging(lag, max)).toBe(expected);
  });
});
