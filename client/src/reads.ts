// Where a read runs: an eligible replica round-robin, retried once elsewhere on a connection error or a recovery
// conflict, and moved to each other eligible replica in turn while pools are full; for a session, only a replica
// shown to have replayed its commit (known already, by a check sent with the read, or after waiting a few
// milliseconds for one to replay it); else the primary, on connections that refuse writes.
import type pg from 'pg';
import type { QueryText, QueryValues, Row } from './query.js';
import { now } from './clock.js';
import { isEligible, type ReadRequirement } from './eligibility.js';
import { readBehindReplayCheck, type CheckedRead } from './checked-read.js';
import type { Endpoint } from './endpoint.js';
import { FallbackLimitError, isConnectionError, isPoolSaturated, isReadOnlyViolation, isRecoveryConflict, ReadOnlyQueryError } from './errors.js';
import type { Lsn } from './lsn.js';
import type { ReplayWait } from './replay-wait.js';
import type { RoutingState } from './routing-state.js';

/** A replica further behind than this will not have replayed a commit made a moment ago: sending it a read that
 * would be dropped only adds load to it. */
const CHECK_WITH_READ_MAX_LAG_SECONDS = 1;

function readOnlyError(ep: Endpoint, err: unknown): unknown {
  return isReadOnlyViolation(err) ? new ReadOnlyQueryError(ep.id, err) : err;
}

/** On the primary's connections that refuse writes; a write sent there fails as ReadOnlyQueryError. */
async function readOnPrimaryReadOnly<R extends Row>(ep: Endpoint, text: QueryText, values: QueryValues): Promise<pg.QueryResult<R>> {
  try {
    return await ep.run<R>(ep.pools.readOnly as pg.Pool, text, values);
  } catch (err) {
    throw readOnlyError(ep, err);
  }
}

/** Where one read has been: every replica at most once. */
interface ReadAttempt {
  tried: Set<Endpoint>;
  /** A connection error may move the read once. */
  mayRetry: boolean;
  /** Set once a replica has answered: a read moved to the primary was not served by one. */
  servedByReplica?: boolean;
}

export class Reads {
  /** Replicas whose connections run transactions above READ COMMITTED: a check cannot vouch for a read there. */
  readonly #notReadCommitted = new WeakSet<Endpoint>();
  /** Session reads between learning no replica is known to have their commit and being served. */
  #sessionReadsWaiting = 0;

  constructor(
    private readonly core: RoutingState,
    private readonly replayWait: ReplayWait,
  ) {}

  async read<R extends Row>(text: QueryText, values: QueryValues, need: ReadRequirement): Promise<pg.QueryResult<R>> {
    this.core.assertOpen();
    const target = this.core.pickReplica(need);
    if (target) {
      if (need.minLsn === undefined) return this.#readOnReplica<R>(target, text, values, need, { tried: new Set(), mayRetry: true });
      return this.#sessionReadOnReplica<R>(target, text, values, need, false);
    }
    if (need.minLsn === undefined) return this.readOnPrimary<R>(text, values, 'fallback');
    const fresh = this.#freshReplicas(need);
    if (fresh.length === 0) return this.readOnPrimary<R>(text, values, 'fallback');
    // Alone, the read goes behind a check of its own (no extra round trip); while other session reads already wait
    // for these replicas to replay, it joins them: their shared probe answers it for no query of its own.
    const alone = this.#sessionReadsWaiting === 0 && !this.replayWait.isWatching(fresh);
    this.#sessionReadsWaiting++;
    try {
      return await this.#readAfterReplay<R>(text, values, need, need.minLsn, fresh, alone);
    } finally {
      this.#sessionReadsWaiting--;
    }
  }

  /** A session read no replica is known to have replayed the commit of yet. */
  async #readAfterReplay<R extends Row>(
    text: QueryText,
    values: QueryValues,
    need: ReadRequirement,
    minLsn: Lsn,
    fresh: Endpoint[],
    alone: boolean,
  ): Promise<pg.QueryResult<R>> {
    let candidates = fresh;
    if (alone) {
      const checked = await this.#readBehindCheck<R>(text, values, need, minLsn);
      if (checked !== undefined) return checked;
      // The check may have found its replica gone.
      candidates = this.#freshReplicas(need);
      if (candidates.length === 0) return this.readOnPrimary<R>(text, values, 'fallback');
    }
    const { readYourWritesWaitMs } = this.core.options;
    let waitMs = readYourWritesWaitMs;
    const giveUpAt = now() + this.#primaryFullWaitMs();
    for (;;) {
      const passStartedAt = now();
      if (await this.replayWait.waitForReplay(candidates, minLsn, waitMs)) {
        this.core.assertOpen();
        const caughtUp = this.core.pickReplica(need);
        if (caughtUp) return this.#sessionReadOnReplica<R>(caughtUp, text, values, need, true);
      }
      this.core.assertOpen();
      // With the primary's share for such reads taken, keep waiting for a replica to catch up (healthy ones do)
      // as a read waits for a connection of a full pool, rather than failing at once.
      if (readYourWritesWaitMs === 0 || !this.#fallbackFull() || now() >= giveUpAt) break;
      // Replicas may have been removed or turned draining meanwhile: wait only for those that can still serve.
      candidates = this.#freshReplicas(need);
      if (candidates.length === 0) break;
      // A pass that ended at once (probes that could not be sent) is waited out, so the loop never holds the event
      // loop and the reads holding the primary's share can finish.
      const rest = waitMs - (now() - passStartedAt);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
      this.core.assertOpen();
      if (!this.#fallbackFull()) break;
      waitMs = Math.min(readYourWritesWaitMs, Math.max(1, giveUpAt - now()));
    }
    return this.readOnPrimary<R>(text, values, 'read-your-writes');
  }

  /** Replicas fresh enough for `need`, whatever they have replayed. */
  #freshReplicas(need: ReadRequirement): Endpoint[] {
    return this.core.replicas.filter((ep) => isEligible(ep, { maxLagSeconds: need.maxLagSeconds }));
  }

  #fallbackLimit(): number {
    return this.core.replicas.length > 0 ? this.core.options.maxFallbackConcurrency : Infinity;
  }

  #fallbackFull(): boolean {
    return this.core.fallback.inFlight >= this.#fallbackLimit();
  }

  /** How long a session read keeps waiting for replay while the fallback bound is full: as long as a read waits
   * for a connection of a full pool. */
  #primaryFullWaitMs(): number {
    return this.core.options.pool.connectionTimeoutMillis || 2_000;
  }

  /**
   * On a fresh replica, the read sent right behind a check of its replay position (checked-read.ts). Undefined
   * when nothing was sent, or when the check did not show the commit replayed and the read was dropped: the wait
   * for replay, then the primary, serve it as if this had not been tried.
   */
  async #readBehindCheck<R extends Row>(text: QueryText, values: QueryValues, need: ReadRequirement, minLsn: Lsn): Promise<pg.QueryResult<R> | undefined> {
    const ep = this.core.pickReplica({ maxLagSeconds: Math.min(need.maxLagSeconds, CHECK_WITH_READ_MAX_LAG_SECONDS) });
    if (!ep || this.#notReadCommitted.has(ep)) return undefined;
    let checked: CheckedRead<R>;
    try {
      checked = await readBehindReplayCheck<R>(ep, text, values, minLsn);
    } catch (err) {
      ep.counters.routed++;
      // A full pool is back-pressure, not an outage (pg-pool's checkout timeout also reads as a connection error).
      if (!isPoolSaturated(err) && isConnectionError(err) && !this.core.closed) {
        // The replica is gone; the other fresh ones may replay the commit in a moment: the read waits for them.
        this.core.reportFailure(ep, err);
        return undefined;
      }
      // Its pool full, or the router closing: the same as a plain read that could not get a connection.
      const attempt: ReadAttempt = { tried: new Set(), mayRetry: true };
      return this.#countedSessionRead(attempt, false, this.#afterReplicaFailure<R>(ep, err, text, values, need, attempt));
    }
    if (checked.kind === 'skipped') return undefined;
    if (checked.kind === 'discarded') {
      this.core.readYourWrites.discarded++;
      if (checked.why === 'unsafe') this.#notReadCommitted.add(ep);
      if (checked.lost !== undefined && !this.core.closed) this.core.reportFailure(ep, checked.lost);
      return undefined;
    }
    ep.counters.routed++;
    this.core.readYourWrites.onReplica++;
    this.core.readYourWrites.checkedWithRead++;
    return checked.result;
  }

  /** A session read on a replica known to have replayed its commit. */
  #sessionReadOnReplica<R extends Row>(
    ep: Endpoint,
    text: QueryText,
    values: QueryValues,
    need: ReadRequirement,
    afterWait: boolean,
  ): Promise<pg.QueryResult<R>> {
    const attempt: ReadAttempt = { tried: new Set(), mayRetry: true };
    return this.#countedSessionRead(attempt, afterWait, this.#readOnReplica<R>(ep, text, values, need, attempt));
  }

  /** `read`'s result, the session read counted as served by a replica once one has answered it. */
  async #countedSessionRead<T>(attempt: ReadAttempt, afterWait: boolean, read: Promise<T>): Promise<T> {
    const result = await read;
    if (attempt.servedByReplica === true) {
      this.core.readYourWrites.onReplica++;
      if (afterWait) this.core.readYourWrites.afterWait++;
    }
    return result;
  }

  async #readOnReplica<R extends Row>(
    ep: Endpoint,
    text: QueryText,
    values: QueryValues,
    need: ReadRequirement,
    attempt: ReadAttempt,
  ): Promise<pg.QueryResult<R>> {
    ep.counters.routed++;
    try {
      const result = await ep.run<R>(ep.pools.main, text, values);
      attempt.servedByReplica = true;
      return result;
    } catch (failure) {
      return this.#afterReplicaFailure<R>(ep, failure, text, values, need, attempt);
    }
  }

  /** A read that failed on replica `ep`: moved to another eligible replica or the primary, or its error thrown. */
  #afterReplicaFailure<R extends Row>(
    ep: Endpoint,
    failure: unknown,
    text: QueryText,
    values: QueryValues,
    need: ReadRequirement,
    attempt: ReadAttempt,
  ): Promise<pg.QueryResult<R>> {
    attempt.tried.add(ep);
    // Closing (possibly cutting this very query): nothing is moved elsewhere, nothing reported.
    if (this.core.closed) throw failure;
    if (isPoolSaturated(failure)) {
      // Back-pressure, not an outage: the replica is busy with this router's own queries. Calling it failed would
      // push its whole load onto the others and make them time out in turn. It stays healthy; the read waits for a
      // connection of each other eligible replica once, then falls back to the primary.
      ep.counters.poolSaturated++;
      return this.#elsewhere<R>(text, values, need, attempt);
    }
    if (isRecoveryConflict(failure) && attempt.mayRetry) {
      // The replica's replay needed what the read held: the read did nothing and the replica stays in rotation.
      ep.counters.retriedElsewhere++;
      attempt.mayRetry = false;
      return this.#elsewhere<R>(text, values, need, attempt);
    }
    if (!isConnectionError(failure)) throw readOnlyError(ep, failure);
    this.core.reportFailure(ep, failure);
    if (!attempt.mayRetry) throw failure;
    // Once, elsewhere: a read that never reached a server had no effect, and one that did was read-only.
    ep.counters.retriedElsewhere++;
    attempt.mayRetry = false;
    return this.#elsewhere<R>(text, values, need, attempt);
  }

  #elsewhere<R extends Row>(text: QueryText, values: QueryValues, need: ReadRequirement, attempt: ReadAttempt): Promise<pg.QueryResult<R>> {
    const next = this.core.pickReplica(need, attempt.tried);
    if (next) return this.#readOnReplica<R>(next, text, values, need, attempt);
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
    const limit = this.#fallbackLimit();
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
      this.core.readYourWrites.onPrimary++;
    }
    try {
      return await readOnPrimaryReadOnly<R>(ep, text, values);
    } finally {
      this.core.fallback.inFlight--;
    }
  }

  async criticalRead<R extends Row>(text: QueryText, values: QueryValues): Promise<pg.QueryResult<R>> {
    this.core.assertOpen();
    const ep = this.core.primary;
    ep.counters.routed++;
    return readOnPrimaryReadOnly<R>(ep, text, values);
  }
}
