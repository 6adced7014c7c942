// The routing state every call reads: the current topology, its endpoints, and the rules that pick one.
// Public objects (ReplicaRouter, Session, RoutedPool) are thin fronts over this.
import type pg from 'pg';
import { isEligible, pickRoundRobin, type ReadRequirement } from './eligibility.js';
import type { Endpoint } from './endpoint.js';
import { EndpointError, FallbackLimitError, isConnectionError, isReadOnlyViolation, ReadOnlyQueryError, RouterClosedError } from './errors.js';
import { insertLsnToRecordEnd, parseLsn, type Lsn } from './lsn.js';
import type { ResolvedOptions } from './options.js';
import { endpointSpecs, planEndpoints, type EndpointSpec } from './topology/plan.js';
import type { Topology } from './topology/schema.js';

export type QueryText = string | pg.QueryConfig;
export type QueryValues = unknown[] | undefined;
export type Row = pg.QueryResultRow;

export interface CoreEvents {
  error(err: Error): void;
}

export type EndpointFactory = (spec: EndpointSpec, onConnectionLost: (err: Error) => void) => Endpoint;

export interface TransactionOptions {
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
  readOnly?: boolean;
  deferrable?: boolean;
}

const INSERT_LSN_SQL = 'SELECT pg_current_wal_insert_lsn()::text AS lsn';
const REPLAY_LSN_SQL = 'SELECT pg_last_wal_replay_lsn()::text AS lsn';

export const now = (): number => performance.now();

function beginSql(o: TransactionOptions | undefined): string {
  const modes: string[] = [];
  if (o?.isolationLevel) modes.push(`ISOLATION LEVEL ${o.isolationLevel.toUpperCase()}`);
  if (o?.readOnly !== undefined) modes.push(o.readOnly ? 'READ ONLY' : 'READ WRITE');
  if (o?.deferrable !== undefined) modes.push(o.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE');
  return modes.length > 0 ? `BEGIN ${modes.join(', ')}` : 'BEGIN';
}

/** COMMIT of a transaction that already failed rolls back and reports success; callers must not believe it. */
function assertCommitted(result: pg.QueryResult): void {
  if (result.command === 'ROLLBACK') throw new Error('the transaction had failed and was rolled back instead of committed');
}

function firstLsn(result: pg.QueryResult): string {
  const value: unknown = result.rows[0]?.lsn;
  if (typeof value !== 'string') throw new Error('the server returned no WAL position');
  return value;
}

export class RouterCore {
  topology!: Topology;
  primary!: Endpoint;
  /** Replicas still published (active or draining), in topology order. */
  replicas: Endpoint[] = [];
  walBlockSize = 8192n;
  closed = false;
  readonly fallback = { inFlight: 0, total: 0, rejected: 0 };
  #byKey = new Map<string, Endpoint>();
  #retiring = new Set<Promise<void>>();
  #cursor = 0;
  #probeCursor = 0;

  constructor(
    topology: Topology,
    readonly options: ResolvedOptions,
    private readonly makeEndpoint: EndpointFactory,
    private readonly events: CoreEvents,
  ) {
    this.applyTopology(topology);
  }

  /** Brings endpoints in line with `next` (already validated and judged newer). */
  applyTopology(next: Topology): void {
    const current = new Map([...this.#byKey].map(([key, ep]) => [key, ep.state === 'removed' ? 'draining' : ep.state] as const));
    const plan = planEndpoints(current, next);
    for (const spec of plan.create) {
      const ep = this.makeEndpoint(spec, (err) => this.reportFailure(ep, err));
      this.#byKey.set(spec.key, ep);
    }
    for (const { key, state } of plan.update) {
      const ep = this.#byKey.get(key);
      if (ep) ep.state = state;
    }
    for (const key of plan.retire) {
      const ep = this.#byKey.get(key);
      if (!ep) continue;
      this.#byKey.delete(key);
      this.#track(ep.retire());
    }
    const specs = endpointSpecs(next);
    const byKey = (spec: EndpointSpec) => this.#byKey.get(spec.key) as Endpoint;
    this.primary = byKey(specs[0] as EndpointSpec);
    this.replicas = specs.slice(1).map(byKey);
    this.topology = next;
  }

  #track(retiring: Promise<void>): void {
    this.#retiring.add(retiring);
    void retiring.finally(() => this.#retiring.delete(retiring));
  }

  /** Marks an endpoint failed; reports it once per outage. */
  reportFailure(ep: Endpoint, err: unknown): void {
    if (ep.markFailed(err, now()) && ep.state !== 'removed') this.events.error(new EndpointError(ep.id, ep.spec.role, err));
  }

  assertOpen(): void {
    if (this.closed) throw new RouterClosedError();
  }

  #readOnlyError(ep: Endpoint, err: unknown): unknown {
    return isReadOnlyViolation(err) ? new ReadOnlyQueryError(ep.id, err) : err;
  }

  pickReplica(need: ReadRequirement, exclude?: Endpoint): Endpoint | undefined {
    const picked = pickRoundRobin(this.replicas, this.#cursor, (ep) => ep !== exclude && isEligible(ep, need));
    if (!picked) return undefined;
    this.#cursor = picked.next;
    return picked.item;
  }

  /** A replica fresh enough by lag whose replay position is worth asking for on the spot. */
  #pickProbe(need: ReadRequirement): Endpoint | undefined {
    const t = now();
    const picked = pickRoundRobin(this.replicas, this.#probeCursor, (ep) => ep.nextProbeAt <= t && isEligible(ep, { maxLagSeconds: need.maxLagSeconds }));
    if (!picked) return undefined;
    this.#probeCursor = picked.next;
    return picked.item;
  }

  async read<R extends Row>(text: QueryText, values: QueryValues, need: ReadRequirement): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    const target = this.pickReplica(need);
    if (target) return this.#readOnReplica<R>(target, text, values, need, true);
    if (need.minLsn !== undefined && this.replicas.some((ep) => isEligible(ep, { maxLagSeconds: need.maxLagSeconds }))) {
      const probe = this.#pickProbe(need);
      if (probe) return this.#readAfterProbe<R>(probe, text, values, need.minLsn);
      return this.readOnPrimary<R>(text, values, 'read-your-writes');
    }
    return this.readOnPrimary<R>(text, values, 'fallback');
  }

  async #readOnReplica<R extends Row>(ep: Endpoint, text: QueryText, values: QueryValues, need: ReadRequirement, mayRetry: boolean): Promise<pg.QueryResult<R>> {
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
    if (!isConnectionError(failure)) throw this.#readOnlyError(ep, failure);
    this.reportFailure(ep, failure);
    if (!mayRetry) throw failure;
    // Once, elsewhere: a read that never reached a server had no effect, and one that did was read-only.
    ep.counters.retriedElsewhere++;
    const next = this.pickReplica(need, ep);
    if (next) return this.#readOnReplica<R>(next, text, values, need, false);
    return this.readOnPrimary<R>(text, values, 'fallback');
  }

  /**
   * The periodic sample says no replica has replayed the session's commit yet, but it may be milliseconds
   * old. Asking one replica on the connection that will run the read is exact: replay only moves forward, so
   * what the probe saw is visible to the next statement.
   */
  async #readAfterProbe<R extends Row>(ep: Endpoint, text: QueryText, values: QueryValues, minLsn: Lsn): Promise<pg.QueryResult<R>> {
    ep.nextProbeAt = now() + this.options.lsnProbeIntervalMs;
    ep.begin();
    let client: pg.PoolClient | undefined;
    let broken: unknown;
    try {
      client = await ep.pools.main.connect();
      const replayed = parseLsn(firstLsn(await client.query(REPLAY_LSN_SQL)));
      ep.noteReplayLsn(replayed);
      if (replayed >= minLsn) {
        ep.counters.routed++;
        try {
          return await client.query<R>(text, values);
        } catch (err) {
          if (!isConnectionError(err)) throw this.#readOnlyError(ep, err);
          broken = err;
        }
      }
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      broken = err;
    } finally {
      client?.release(broken instanceof Error ? broken : undefined);
      ep.end();
    }
    if (broken === undefined) return this.readOnPrimary<R>(text, values, 'read-your-writes');
    this.reportFailure(ep, broken);
    return this.readOnPrimary<R>(text, values, 'fallback');
  }

  /**
   * A read on the primary. 'fallback': no replica can serve it at all (outage, lag); bounded while replicas are
   * published, so an outage cannot flood the primary. 'read-your-writes': replicas are fine but have not
   * replayed the session's commit yet, which is normal operation for a few milliseconds after every write and
   * must not fail; only the primary's read-only pool size limits it.
   */
  async readOnPrimary<R extends Row>(text: QueryText, values: QueryValues, reason: 'fallback' | 'read-your-writes'): Promise<pg.QueryResult<R>> {
    const ep = this.primary;
    const bounded = reason === 'fallback';
    if (bounded) {
      const limit = this.replicas.length > 0 ? this.options.maxFallbackConcurrency : Infinity;
      if (this.fallback.inFlight >= limit) {
        this.fallback.rejected++;
        throw new FallbackLimitError(limit);
      }
      this.fallback.inFlight++;
      this.fallback.total++;
      ep.counters.fallbacks++;
    } else {
      ep.counters.readYourWrites++;
    }
    ep.begin();
    try {
      return await (ep.pools.readOnly as pg.Pool).query<R>(text, values);
    } catch (err) {
      throw this.#readOnlyError(ep, err);
    } finally {
      ep.end();
      if (bounded) this.fallback.inFlight--;
    }
  }

  async criticalRead<R extends Row>(text: QueryText, values: QueryValues): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    const ep = this.primary;
    ep.begin();
    ep.counters.routed++;
    try {
      return await (ep.pools.readOnly as pg.Pool).query<R>(text, values);
    } catch (err) {
      throw this.#readOnlyError(ep, err);
    } finally {
      ep.end();
    }
  }

  async write<R extends Row>(text: QueryText, values: QueryValues): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    const ep = this.primary;
    ep.begin();
    ep.counters.routed++;
    try {
      return await ep.pools.main.query<R>(text, values);
    } finally {
      ep.end();
    }
  }

  /** Runs `use` on one primary connection; a connection left broken is destroyed, not returned to the pool. */
  async withPrimaryClient<T>(use: (client: pg.PoolClient, markBroken: (err: unknown) => void) => Promise<T>): Promise<T> {
    this.assertOpen();
    const ep = this.primary;
    ep.begin();
    ep.counters.routed++;
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    const markBroken = (err: unknown) => {
      broken = err instanceof Error ? err : new Error(String(err));
    };
    try {
      client = await ep.pools.main.connect();
      return await use(client, markBroken);
    } catch (err) {
      if (isConnectionError(err)) markBroken(err);
      throw err;
    } finally {
      client?.release(broken);
      ep.end();
    }
  }

  /** The WAL insert position after everything this connection committed, as a replica reports its replay. */
  async insertLsn(client: pg.ClientBase): Promise<Lsn> {
    return insertLsnToRecordEnd(parseLsn(firstLsn(await client.query(INSERT_LSN_SQL))), this.walBlockSize);
  }

  /**
   * A write whose commit position is read on the same connection right after it commits. `lsn` is undefined
   * when the write committed but the position could not be read: the write must not be reported as failed.
   */
  async writeAndCaptureLsn<R extends Row>(text: QueryText, values: QueryValues): Promise<{ result: pg.QueryResult<R>; lsn: Lsn | undefined }> {
    return this.withPrimaryClient(async (client, markBroken) => {
      const result = await client.query<R>(text, values);
      try {
        return { result, lsn: await this.insertLsn(client) };
      } catch (err) {
        markBroken(err);
        return { result, lsn: undefined };
      }
    });
  }

  /** A primary connection for a caller that runs its own statements (drizzle transactions); release() once. */
  async connectPrimary(): Promise<pg.PoolClient> {
    this.assertOpen();
    const ep = this.primary;
    ep.begin();
    ep.counters.routed++;
    let client: pg.PoolClient;
    try {
      client = await ep.pools.main.connect();
    } catch (err) {
      ep.end();
      throw err;
    }
    let released = false;
    const release = (err?: Error | boolean) => {
      if (released) return;
      released = true;
      client.release(err);
      ep.end();
    };
    return new Proxy(client, {
      get(target, prop) {
        if (prop === 'release') return release;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  async transaction<T>(
    fn: (client: pg.PoolClient) => Promise<T>,
    options: TransactionOptions | undefined,
    captureLsn: boolean,
  ): Promise<{ result: T; lsn: Lsn | undefined }> {
    return this.withPrimaryClient(async (client, markBroken) => {
      await client.query(beginSql(options));
      let result: T;
      try {
        result = await fn(client);
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // The caller's error is the one worth seeing; the connection is in an unknown state and must not be reused.
          markBroken(rollbackErr);
        }
        throw err;
      }
      if (!captureLsn) {
        assertCommitted(await client.query('COMMIT'));
        return { result, lsn: undefined };
      }
      // One round trip: the simple protocol runs both statements in order, so the position is read after the commit.
      const [commit, position] = (await client.query(`COMMIT; ${INSERT_LSN_SQL}`)) as unknown as [pg.QueryResult, pg.QueryResult];
      assertCommitted(commit);
      return { result, lsn: insertLsnToRecordEnd(parseLsn(firstLsn(position)), this.walBlockSize) };
    });
  }

  /** Ends every pool after its in-flight queries. */
  async close(): Promise<void> {
    this.closed = true;
    // A read that fails on a replica moves to another endpoint in the same tick, so the endpoints are ended
    // only once none of them has work: ending them one by one could end the one the retry is about to use.
    while ([...this.#byKey.values()].some((ep) => ep.inFlight > 0)) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const ep of this.#byKey.values()) this.#track(ep.retire());
    this.#byKey.clear();
    while (this.#retiring.size > 0) await Promise.allSettled([...this.#retiring]);
  }
}
