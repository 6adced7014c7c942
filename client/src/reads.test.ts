import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from './endpoint.js';
import { RouterClosedError } from './errors.js';
import { Reads } from './reads.js';
import type { ReplayWait } from './replay-wait.js';
import type { RoutingState } from './routing-state.js';

const result = { rows: [], command: 'SELECT', rowCount: 0, oid: 0, fields: [] } as unknown as pg.QueryResult;

/** One replica that has not replayed the session's commit, a primary that answers at once, and the fallback bound
 * full: a session read then waits for replay, as long as a read waits for a pool connection. */
function world() {
  const replica = { state: 'active', healthy: true, lagSeconds: 0, replayLsn: 0n, counters: { routed: 0 } } as unknown as Endpoint;
  const primary = {
    counters: { routed: 0, fallbacks: 0, readYourWrites: 0 },
    pools: { readOnly: {} },
    run: async () => result,
  } as unknown as Endpoint;
  const core = {
    primary,
    replicas: [replica],
    walBlockSize: 8192n,
    closed: false,
    options: { readYourWritesWaitMs: 5, maxFallbackConcurrency: 1, pool: { connectionTimeoutMillis: 2_000 } },
    fallback: { inFlight: 1, total: 0, rejected: 0 },
    readYourWrites: { onReplica: 0, afterWait: 0, checkedWithRead: 0, discarded: 0, sharedPosition: 0 },
    assertOpen() {
      if (this.closed) throw new RouterClosedError();
    },
    reportFailure: () => undefined,
    pickReplica: () => undefined,
  };
  // Probes that answer without any I/O, as they do once the router is closed or the replica's pools have ended.
  const replayWait = { waitForReplay: async () => false, isWatching: () => true } as unknown as ReplayWait;
  return { core, reads: new Reads(core as unknown as RoutingState, replayWait) };
}

describe('a session read waiting for replay while the primary share is full', () => {
  it('lets timers run while it waits, and takes the primary once the share frees', async () => {
    const { core, reads } = world();
    const started = Date.now();
    setTimeout(() => (core.fallback.inFlight = 0), 30);
    await expect(reads.read('SELECT 1', [], { maxLagSeconds: 1, minLsn: 100n })).resolves.toBe(result);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops waiting when the router closes', async () => {
    const { core, reads } = world();
    setTimeout(() => (core.closed = true), 30);
    const started = Date.now();
    await expect(reads.read('SELECT 1', [], { maxLagSeconds: 1, minLsn: 100n })).rejects.toBeInstanceOf(RouterClosedError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
