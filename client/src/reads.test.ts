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
    readYourWrites: { onReplica: 0, onPrimary: 0, afterWait: 0, checkedWithRead: 0, discarded: 0, sharedPosition: 0 },
    assertOpen() {
      if (this.closed) throw new RouterClosedError();
    },
    reportFailure: () => undefined,
    pickReplica: ((): unknown => undefined) as (need: { minLsn?: bigint }, tried?: Set<unknown>) => unknown,
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

describe('read-your-writes counts', () => {
  it('counts a session read on a replica only once the replica has answered it', async () => {
    const { core, reads } = world();
    const lost = Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
    const replica = core.replicas[0] as unknown as { run: () => Promise<never>; pools: object; counters: Record<string, number> };
    replica.run = async () => {
      throw lost;
    };
    replica.pools = { main: {} };
    replica.counters = { routed: 0, retriedElsewhere: 0 };
    core.fallback.inFlight = 0;
    // The replica is known to have replayed the commit; it fails, and the read is retried on the primary.
    core.pickReplica = (_need, tried) => (tried?.has(replica) ? undefined : replica);
    await expect(reads.read('SELECT 1', [], { maxLagSeconds: 1, minLsn: 100n })).resolves.toBe(result);
    expect(core.readYourWrites.onReplica).toBe(0);
    expect(core.fallback.total).toBe(1);
  });

  it('counts a session read moved to another replica that has the commit as served by a replica', async () => {
    const { core, reads } = world();
    const lost = Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
    const failing = { pools: { main: {} }, counters: { routed: 0, retriedElsewhere: 0 }, run: async () => Promise.reject(lost) };
    const answering = { pools: { main: {} }, counters: { routed: 0 }, run: async () => result };
    core.pickReplica = (_need, tried) => (tried?.has(failing) ? answering : failing);
    await expect(reads.read('SELECT 1', [], { maxLagSeconds: 1, minLsn: 100n })).resolves.toBe(result);
    expect(core.readYourWrites.onReplica).toBe(1);
    expect(answering.counters.routed).toBe(1);
  });
});

describe('a session read whose check cannot reach its replica', () => {
  it('waits for another fresh replica to replay the commit instead of going to the primary', async () => {
    const { core, reads } = world();
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const down = {
      state: 'active',
      healthy: true,
      lagSeconds: 0,
      pools: { main: {} },
      counters: { routed: 0, retriedElsewhere: 0 },
      checkOut: () => Promise.reject(refused),
    };
    const other = { state: 'active', healthy: true, lagSeconds: 0, pools: { main: {} }, counters: { routed: 0 }, run: async () => result };
    core.replicas = [down, other] as unknown as Endpoint[];
    core.fallback.inFlight = 0;
    const reported: unknown[] = [];
    core.reportFailure = ((ep: typeof down) => {
      reported.push(ep);
      ep.healthy = false;
    }) as unknown as typeof core.reportFailure;
    let replayed = false;
    const waitedFor: unknown[][] = [];
    const replayWait = {
      isWatching: () => false,
      waitForReplay: async (candidates: unknown[]) => {
        waitedFor.push(candidates);
        replayed = true;
        return true;
      },
    } as unknown as ReplayWait;
    // The check goes to the first fresh replica; only after the wait is one known to have the commit.
    core.pickReplica = (need) => (need.minLsn === undefined ? down : replayed ? other : undefined);
    const withTwo = new Reads(core as unknown as RoutingState, replayWait);
    void reads;
    await expect(withTwo.read('SELECT 1', [], { maxLagSeconds: 1, minLsn: 100n })).resolves.toBe(result);
    expect(reported).toEqual([down]);
    expect(waitedFor).toEqual([[other]]);
    expect(other.counters.routed).toBe(1);
    expect(core.readYourWrites).toMatchObject({ onReplica: 1, afterWait: 1 });
    expect(core.fallback.total).toBe(0);
  });

  it('does not call a replica whose pool is full failed: the read moves on as any read held back by a full pool', async () => {
    const { core } = world();
    const saturated = new Error('timeout exceeded when trying to connect');
    const busy = {
      state: 'active',
      healthy: true,
      lagSeconds: 0,
      pools: { main: {} },
      counters: { routed: 0, poolSaturated: 0 },
      checkOut: () => Promise.reject(saturated),
    };
    core.replicas = [busy] as unknown as Endpoint[];
    core.fallback.inFlight = 0;
    const reported: unknown[] = [];
    core.reportFailure = ((ep: unknown) => void reported.push(ep)) as unknown as typeof core.reportFailure;
    core.pickReplica = (need, tried) => (need.minLsn === undefined && tried?.has(busy) !== true ? busy : undefined);
    const reads = new Reads(core as unknown as RoutingState, { isWatching: () => false, waitForReplay: async () => false } as unknown as ReplayWait);
    await expect(reads.read('SELECT 1', [], { maxLagSeconds: 1, minLsn: 100n })).resolves.toBe(result);
    expect(reported).toEqual([]);
    expect(busy.counters.poolSaturated).toBe(1);
    expect(core.fallback.total).toBe(1);
  });
});

describe('the check sent with a session read', () => {
  it('goes only to a replica at most a second behind, however much lag the read itself accepts', async () => {
    for (const [accepted, checked] of [
      [30, 1],
      [0.5, 0.5],
    ] as const) {
      const { core } = world();
      core.fallback.inFlight = 0;
      const asked: Array<{ maxLagSeconds?: number; minLsn?: bigint }> = [];
      // No replica is known to have the commit, and none is picked for the check: the read ends on the primary.
      core.pickReplica = (need) => (asked.push(need), undefined);
      const replayWait = { waitForReplay: async () => false, isWatching: () => false } as unknown as ReplayWait;
      const alone = new Reads(core as unknown as RoutingState, replayWait);
      await expect(alone.read('SELECT 1', [], { maxLagSeconds: accepted, minLsn: 100n })).resolves.toBe(result);
      expect(asked).toEqual([{ maxLagSeconds: accepted, minLsn: 100n }, { maxLagSeconds: checked }]);
    }
  });
});

describe('a read a replica cancelled for a recovery conflict', () => {
  const conflict = () => Object.assign(new Error('canceling statement due to conflict with recovery'), { code: '40001' });

  it('runs once more elsewhere, and the replica is not reported failed', async () => {
    const { core, reads } = world();
    const cancelling = { pools: { main: {} }, counters: { routed: 0, retriedElsewhere: 0 }, run: async () => Promise.reject(conflict()) };
    const answering = { pools: { main: {} }, counters: { routed: 0 }, run: async () => result };
    const reported: unknown[] = [];
    core.reportFailure = ((ep: unknown) => void reported.push(ep)) as unknown as typeof core.reportFailure;
    core.pickReplica = (_need, tried) => (tried?.has(cancelling) ? answering : cancelling);
    await expect(reads.read('SELECT 1', [], { maxLagSeconds: 1 })).resolves.toBe(result);
    expect(cancelling.counters.retriedElsewhere).toBe(1);
    expect(answering.counters.routed).toBe(1);
    expect(reported).toEqual([]);
  });

  it('fails with the server error when the second place cancels it too', async () => {
    const { core, reads } = world();
    const a = { pools: { main: {} }, counters: { routed: 0, retriedElsewhere: 0 }, run: async () => Promise.reject(conflict()) };
    const b = { pools: { main: {} }, counters: { routed: 0, retriedElsewhere: 0 }, run: async () => Promise.reject(conflict()) };
    core.pickReplica = (_need, tried) => (tried?.has(a) ? (tried.has(b) ? undefined : b) : a);
    await expect(reads.read('SELECT 1', [], { maxLagSeconds: 1 })).rejects.toMatchObject({ code: '40001' });
    expect(a.counters.retriedElsewhere + b.counters.retriedElsewhere).toBe(1);
  });
});
