// Where a read runs: an eligible replica round-robin, retried once elsewhere on a connection error, and moved to
// each other eligible replica in turn while pools are full; for a session, only a replica that has replayed its
// commit; else the primary, on connections that refuse writes.
import type pg from 'pg';
import type { QueryText, QueryValues, Row, RouterCore } from './core.js';
import { now } from './clock.js';
import { isEligible, pickRoundRobin, type ReadRequirement } from './eligibility.js';
import type { Endpoint } from './endpoint.js';
import { FallbackLimitError, isConnectionError, isPoolSaturated, isReadOnlyViolation, ReadOnlyQueryError } from './errors.js';
import { lsnColumn, type Lsn } from './lsn.js';

const REPLAY_LSN_SQL = 'SELECT pg_last_wal_replay_lsn()::text AS lsn';

function readOnlyError(ep: Endpoint, err: unknown): unknown {
  return isReadOnlyViolation(err) ? new ReadOnlyQueryError(ep.id, err) : err;
}

/** Where one read has been: every replica at most once. */
interface ReadAttempt {
  tried: Set<Endpoint>;
  /** A connection error may move the read once. */
  mayRetry: boolean;
}

export class Reads {
  #probeCursor = 0;

  constructor(private readonly core: RouterCore) {}

  /** A replica fresh enough by lag whose replay position is worth asking for on the spot. */
  #pickProbe(need: ReadRequirement): Endpoint | undefined {
    const t = now();
    const picked = pickRoundRobin(this.core.replicas, this.#probeCursor, (ep) => ep.nextProbeAt <= t && isEligible(ep, { maxLagSeconds: need.maxLagSeconds }));
    if (!picked) return undefined;
    this.#probeCursor = picked.next;
    return picked.item;
  }

  async read<R extends Row>(text: QueryText, values: QueryValues, need: ReadRequirement): Promise<pg.QueryResult<R>> {
    this.core.assertOpen();
    const target = this.core.pickReplica(need);
    if (target) return this.#readOnReplica<R>(target, text, values, need, { tried: new Set(), mayRetry: true });
    if (need.minLsn !== undefined && this.core.replicas.some((ep) => isEligible(ep, { maxLagSeconds: need.maxLagSeconds }))) {
      const probe = this.#pickProbe(need);
      if (probe) return this.#readAfterProbe<R>(probe, text, values, need.minLsn);
      return this.readOnPrimary<R>(text, values, 'read-your-writes');
    }
    return this.readOnPrimary<R>(text, values, 'fallback');
  }

  async #readOnReplica<R extends Row>(ep: Endpoint, text: QueryText, values: QueryValues, need: ReadRequirement, attempt: ReadAttempt): Promise<pg.QueryResult<R>> {
    let failure: unknown;
    ep.begin();
    ep.counters.routed++;
    try {
      return await ep.pools.main.query<R>(text, values);
    } catch (err) {
      failure = err;
    } finally {
      ep.end();
    }
    attempt.tried.add(ep);
    // Closing (possibly cutting this very query): nothing is moved elsewhere, nothing reported.
    if (this.core.closed) throw failure;
    if (isPoolSaturated(failure)) {
      // Back-pressure, not an outage: the replica is busy with this router's own queries. Calling it failed would
      // push its whole load onto the others and make them time out in turn. It stays healthy; the read waits for a
      // connection of each other eligible replica once, then falls back to the primary.
      ep.counters.poolSaturated++;
      const next = this.core.pickReplica(need, attempt.tried);
      if (next) return this.#readOnReplica<R>(next, text, values, need, attempt);
      return this.readOnPrimary<R>(text, values, 'fallback');
    }
    if (!isConnectionError(failure)) throw readOnlyError(ep, failure);
    this.core.reportFailure(ep, failure);
    if (!attempt.mayRetry) throw failure;
    // Once, elsewhere: a read that never reached a server had no effect, and one that did was read-only.
    ep.counters.retriedElsewhere++;
    const next = this.core.pickReplica(need, attempt.tried);
    if (next) return this.#readOnReplica<R>(next, text, values, need, { ...attempt, mayRetry: false });
    return this.readOnPrimary<R>(text, values, 'fallback');
  }

  /**
   * The periodic sample says no replica has replayed the session's commit yet, but it may be milliseconds
   * old. Asking one replica on the connection that will run the read is exact: replay only moves forward, so
   * what the probe saw is visible to the next statement.
   */
  async #readAfterProbe<R extends Row>(ep: Endpoint, text: QueryText, values: QueryValues, minLsn: Lsn): Promise<pg.QueryResult<R>> {
    ep.nextProbeAt = now() + this.core.options.lsnProbeIntervalMs;
    ep.begin();
    let client: pg.PoolClient | undefined;
    let broken: unknown;
    let replayed: Lsn | undefined;
    try {
      client = await ep.pools.main.connect();
      replayed = lsnColumn(await client.query(REPLAY_LSN_SQL));
    } catch (err) {
      // Anything but a connection error (a replica that has replayed nothing yet reports NULL) only means this
      // replica cannot be shown to have the commit; the read itself has not failed. Nor has the replica when its
      // pool is full: the read goes to the primary like any read the replicas cannot show they can serve.
      if (isPoolSaturated(err)) ep.counters.poolSaturated++;
      else if (isConnectionError(err)) broken = err;
    }
    try {
      if (replayed !== undefined) ep.noteReplayLsn(replayed);
      if (client && replayed !== undefined && replayed >= minLsn) {
        ep.counters.routed++;
        try {
          return await client.query<R>(text, values);
        } catch (err) {
          if (!isConnectionError(err)) throw readOnlyError(ep, err);
          broken = err;
        }
      }
    } finally {
      client?.release(broken instanceof Error ? broken : undefined);
      ep.end();
    }
    if (broken === undefined) return this.readOnPrimary<R>(text, values, 'read-your-writes');
    if (this.core.closed) throw broken;
    this.core.reportFailure(ep, broken);
    return this.readOnPrimary<R>(text, values, 'fallback');
  }

  /**
   * A read on the primary. 'fallback': no replica can serve it at all (outage, lag). 'read-your-writes':
   * replicas are fine but none has been shown to have replayed the session's commit. Both are bounded by
   * maxFallbackConcurrency while replicas are published, so neither an outage nor positions replicas do not
   * reach (a burst of writes, a replica that stopped replaying) can flood the primary.
   */
  async readOnPrimary<R extends Row>(text: QueryText, values: QueryValues, reason: 'fallback' | 'read-your-writes'): Promise<pg.QueryResult<R>> {
    const ep = this.core.primary;
    const limit = this.core.replicas.length > 0 ? this.core.options.maxFallbackConcurrency : Infinity;
    if (this.core.fallback.inFlight >= limit) {
      this.core.fallback.rejected++;
      throw new FallbackLimitError(limit);
    }
    this.core.fallback.inFlight++;
    if (reason === 'fallback') {
      this.core.fallback.total++;
      ep.counters.fallbacks++;
    } else {
      ep.counters.readYourWrites++;
    }
    ep.begin();
    try {
      return await (ep.pools.readOnly as pg.Pool).query<R>(text, values);
    } catch (err) {
      throw readOnlyError(ep, err);
    } finally {
      ep.end();
      this.core.fallback.inFlight--;
    }
  }

  async criticalRead<R extends Row>(text: QueryText, values: QueryValues): Promise<pg.QueryResult<R>> {
    this.core.assertOpen();
    const ep = this.core.primary;
    ep.begin();
    ep.counters.routed++;
    try {
      return await (ep.pools.readOnly as pg.Pool).query<R>(text, values);
    } catch (err) {
      throw readOnlyError(ep, err);
    } finally {
      ep.end();
    }
  }
}
