// One server of the topology: its pools, what the router last observed about it, and its in-flight count,
// which is what lets a removed endpoint finish its queries before its pools end.
import type pg from 'pg';
import type { ReplicaView } from './eligibility.js';
import type { Lsn } from './lsn.js';
import type { QueryText, QueryValues, Row } from './query.js';
import { destroyConnections, endPool, type EndpointPools } from './pools.js';
import type { EndpointSpec, EndpointState } from './endpoint-plan.js';
import type { EndpointCounters } from './stats.js';

export class Endpoint implements ReplicaView {
  state: EndpointState | 'removed';
  healthy = false;
  lagSeconds = Infinity;
  replayLsn: Lsn | undefined = undefined;
  /** When the latest lag check succeeded (monotonic ms). */
  checkedAt: number | undefined = undefined;
  lastError: string | undefined = undefined;
  inFlight = 0;
  /** What was sent to this endpoint and what happened; shared with the endpoints that came before it under the same
   * id and role (see {@link continueCounters}), so that totals never go back. */
  counters: EndpointCounters = newEndpointCounters();
  #failedAt = -Infinity;
  /** When the known replay position was answered. */
  #replayLsnLearntAt = -Infinity;
  #knownDown = false;
  #drained: (() => void) | undefined;
  #retired: Promise<void> | undefined;

  constructor(
    readonly spec: EndpointSpec,
    readonly pools: EndpointPools,
  ) {
    this.state = spec.state;
  }

  get id(): string {
    return this.spec.id;
  }

  /** Counts on in `counters` of an earlier endpoint of the same id and role (one whose host, port or TLS mode
   * changed): a counter that fell back to 0 would read as a reset to Prometheus and lose what the old endpoint
   * still serves while it drains. Called before the endpoint takes any work. */
  continueCounters(counters: EndpointCounters): void {
    this.counters = counters;
  }

  begin(): void {
    this.inFlight++;
  }

  end(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.#drained) {
      this.#drained();
      this.#drained = undefined;
    }
  }

  /** A query on one of this endpoint's pools, counted in flight while it runs. */
  async run<R extends Row>(pool: pg.Pool, text: QueryText, values: QueryValues): Promise<pg.QueryResult<R>> {
    this.begin();
    try {
      return await pool.query<R>(text, values);
    } finally {
      this.end();
    }
  }

  /** A connection of the main pool, counted in flight until the caller, having released it, calls end(). */
  async checkOut(): Promise<pg.PoolClient> {
    this.begin();
    try {
      return heardWhileOut(await this.pools.main.connect());
    } catch (err) {
      this.end();
      throw err;
    }
  }

  /** Returns true when this starts an outage (including one found by the very first check), so callers
   * report each outage once. */
  markFailed(err: unknown, now: number): boolean {
    const newOutage = !this.#knownDown;
    this.#knownDown = true;
    this.healthy = false;
    this.#failedAt = now;
    // A restarted replica may come back behind where it was: forget what it had replayed.
    this.replayLsn = undefined;
    this.lagSeconds = Infinity;
    this.lastError = err instanceof Error ? err.message : String(err);
    this.counters.failures++;
    return newOutage;
  }

  /** A lag check that began before the latest failure cannot vouch for the endpoint. */
  recordCheck(startedAt: number, finishedAt: number, observed: { lagSeconds: number; replayLsn: Lsn | undefined }): void {
    if (startedAt < this.#failedAt) return;
    this.healthy = true;
    this.#knownDown = false;
    this.checkedAt = finishedAt;
    this.lagSeconds = observed.lagSeconds;
    this.lastError = undefined;
    if (observed.replayLsn !== undefined) this.#noteReplayLsn(observed.replayLsn, startedAt, finishedAt);
  }

  /** A replay position read by a probe that began at `startedAt` and answered at `answeredAt`; ignored (false) when
   * a failure was reported since: the replica may have restarted behind what that probe saw. */
  noteProbedReplayLsn(startedAt: number, lsn: Lsn, answeredAt: number): boolean {
    if (startedAt < this.#failedAt) return false;
    this.#noteReplayLsn(lsn, startedAt, answeredAt);
    return true;
  }

  /** Forward only, but for a reading that began after the known position was learnt and is behind it: a running
   * server's replay position never goes back, so the replica restarted behind what it had shown (with no failure
   * seen here: no connection was open to it then). Sessions must not be sent there on the older reading. */
  #noteReplayLsn(lsn: Lsn, startedAt: number, answeredAt: number): void {
    const wentBack = this.replayLsn !== undefined && lsn < this.replayLsn && startedAt >= this.#replayLsnLearntAt;
    if (this.replayLsn === undefined || lsn > this.replayLsn || wentBack) {
      this.replayLsn = lsn;
      this.#replayLsnLearntAt = answeredAt;
    }
  }

  /** Fails whatever still runs here by destroying every connection; returns how many queries were running. */
  cut(): number {
    const running = this.inFlight;
    const { main, readOnly, monitor } = this.pools;
    for (const pool of [main, readOnly, monitor]) if (pool) destroyConnections(pool);
    return running;
  }

  /** Takes no new queries from now on; the pools end once in-flight ones are done. Idempotent. */
  retire(): Promise<void> {
    this.state = 'removed';
    this.#retired ??= (async () => {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      const { main, readOnly, monitor } = this.pools;
      await Promise.allSettled([endPool(main), readOnly && endPool(readOnly), endPool(monitor)]);
    })();
    return this.#retired;
  }
}

export function newEndpointCounters(): EndpointCounters {
  return { routed: 0, fallbacks: 0, readYourWrites: 0, retriedElsewhere: 0, poolSaturated: 0, failures: 0 };
}

/**
 * pg-pool stops listening for a client's 'error' events while the client is checked out, and pg emits one when the
 * server ends the connection (a restart, a failover, an administrator). Unheard, that event would end the process.
 * The statement in flight, if any, fails on its own; a later one fails as not queryable, and pg-pool discards the
 * client on release. The listener goes with the release, so the next checkout adds its own.
 */
export function heardWhileOut(client: pg.PoolClient): pg.PoolClient {
  const ignore = (): void => undefined;
  client.on('error', ignore);
  const release = client.release.bind(client);
  client.release = (err?: Error | boolean) => {
    client.removeListener('error', ignore);
    release(err);
  };
  return client;
}
