// The public router: one object per database that an application keeps for its lifetime.
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { RouterCore, type CutQueries } from './core.js';
import { resolveCredentials } from './credentials.js';
import { Endpoint } from './endpoint.js';
import { LagMonitor } from './lag-monitor.js';
import { resolveOptions, type ReplicaRouterOptions, type ResolvedOptions } from './options.js';
import { createEndpointPools } from './pools.js';
import { readRequirement, type ReadOptions, type TransactionClient } from './read-options.js';
import type { QueryText, QueryValues, Row, TransactionOptions } from './query.js';
import { RoutedPool } from './routed-pool.js';
import { Session, type SessionOptions } from './session.js';
import { endpointStats, type RouterStats } from './stats.js';
import { readTopologyFile, TopologyFileSource } from './reload/file-source.js';
import { tlsModeOf } from './endpoint-plan.js';
import { assertTlsUsable, resolveTls, type ResolvedTls } from './tls.js';
import { parseTopology, type Topology } from '@servio/replicasetdb-contract';
import type { ResolvedCredentials } from './credentials.js';

export interface ReplicaRouterEvents {
  /** A new topology revision is in effect. */
  topology: [topology: Topology];
  /** Something went wrong that routing has already worked around: an unusable topology file (the last good one
   * stays), an endpoint that stopped answering. Without a listener these become process warnings. */
  error: [error: Error];
}

export interface CloseReport {
  /** In-flight queries outlasted closeTimeoutMs, and the connections still open were destroyed. */
  timedOut: boolean;
  /** The endpoints whose queries were cut then, and how many each had running. Empty when none. */
  cut: CutQueries[];
}

export class ReplicaRouter extends EventEmitter<ReplicaRouterEvents> {
  readonly #core: RouterCore;
  readonly #monitor: LagMonitor;
  readonly #source: TopologyFileSource | undefined;
  #closing: Promise<CloseReport> | undefined;
  // Errors found while starting (a replica down from the start) wait until the caller has had the chance to
  // attach a listener: the tick after createReplicaRouter() resolves.
  #startupErrors: Error[] | undefined = [];

  readonly #tls: ResolvedTls;

  private constructor(options: ResolvedOptions, credentials: ResolvedCredentials, tls: ResolvedTls, topology: Topology, topologyFile: string | undefined) {
    super();
    this.#tls = tls;
    const emitError = (err: Error) => this.#emitError(err);
    this.#core = new RouterCore(
      topology,
      options,
      (spec, onConnectionLost) => new Endpoint(spec, createEndpointPools(spec, credentials, options, tls, onConnectionLost)),
      { error: emitError },
    );
    this.#monitor = new LagMonitor(this.#core, options.lagCheckIntervalMs, options.lagHistoryMs, emitError);
    this.#source =
      topologyFile === undefined
        ? undefined
        : new TopologyFileSource(
            topologyFile,
            { current: () => this.#core.topology, apply: (t) => this.#apply(t), error: emitError },
            options.topologyPollIntervalMs,
          );
  }

  /** @internal Use createReplicaRouter(). */
  static async create(options: ReplicaRouterOptions): Promise<ReplicaRouter> {
    const resolved = resolveOptions(options);
    const credentials = await resolveCredentials(options.credentials);
    const tls = await resolveTls(options.tls);
    const topology = options.topologyFile !== undefined ? await readTopologyFile(options.topologyFile) : parseTopology(options.topology);
    assertTlsUsable(tlsModeOf(topology), tls, resolved.pool.ssl);
    const router = new ReplicaRouter(resolved, credentials, tls, topology, options.topologyFile);
    // Replicas serve reads only once their lag is known, so the first round runs before the router is handed out.
    await router.#monitor.checkNow();
    router.#source?.start();
    router.#monitor.start();
    setImmediate(() => {
      const pending = router.#startupErrors ?? [];
      router.#startupErrors = undefined;
      for (const err of pending) router.#emitError(err);
    });
    return router;
  }

  #emitError(err: Error): void {
    if (this.#startupErrors) this.#startupErrors.push(err);
    else if (this.listenerCount('error') > 0) {
      try {
        this.emit('error', err);
      } catch (listenerErr) {
        // An application's listener that throws must not break the reload or the check that reported it.
        process.emitWarning(listenerErr instanceof Error ? listenerErr : new Error(String(listenerErr)));
      }
    } else process.emitWarning(err);
  }

  /** Puts `next` in effect, or returns why not. */
  #apply(next: Topology): Error | undefined {
    try {
      assertTlsUsable(tlsModeOf(next), this.#tls, this.#core.options.pool.ssl);
    } catch (err) {
      // The endpoints in use stay: a document this router cannot connect by must not take them away.
      return new Error(`topology revision ${next.revision} not applied: ${(err as Error).message}`, { cause: err });
    }
    this.#core.applyTopology(next);
    // New replicas take reads once checked; do not make them wait a whole interval.
    void this.#monitor.checkNow();
    try {
      this.emit('topology', next);
    } catch (err) {
      // The revision is in effect whatever a listener does; its error is the application's to see.
      this.#emitError(new Error(`a 'topology' listener threw: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    }
    return undefined;
  }

  /** The topology in effect. */
  get topology(): Topology {
    return this.#core.topology;
  }

  /** On the primary. */
  write<R extends Row = Row>(text: QueryText, values?: QueryValues): Promise<pg.QueryResult<R>> {
    return this.#core.writes.write<R>(text, values);
  }

  /** On an eligible replica (active, healthy, lag within the bound), round-robin; else on the primary. */
  async read<R extends Row = Row>(text: QueryText, values?: QueryValues, options?: ReadOptions): Promise<pg.QueryResult<R>> {
    return this.#core.reads.read<R>(text, values, readRequirement(this.#core, options));
  }

  /** On the primary, read-only. */
  criticalRead<R extends Row = Row>(text: QueryText, values?: QueryValues): Promise<pg.QueryResult<R>> {
    return this.#core.reads.criticalRead<R>(text, values);
  }

  /** BEGIN, `fn`, COMMIT on one primary connection; ROLLBACK if `fn` throws. */
  async transaction<T>(fn: (tx: TransactionClient) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return (await this.#core.writes.transaction(fn, options, false)).result;
  }

  /** A read-your-writes scope, e.g. one per request. */
  session(options?: SessionOptions): Session {
    this.#core.assertOpen();
    return new Session(this.#core, options);
  }

  /** For drizzle: `drizzle({ client: router.writerPool() })` runs on the primary. */
  writerPool(): pg.Pool {
    return new RoutedPool({ query: (text, values) => this.write(text, values), connect: () => this.#core.writes.connectPrimary() });
  }

  /** For drizzle: `drizzle({ client: router.readerPool() })` reads like router.read(). */
  readerPool(options?: ReadOptions): pg.Pool {
    return new RoutedPool({ query: (text, values) => this.read(text, values, options) });
  }

  stats(): RouterStats {
    const core = this.#core;
    const source = this.#source?.stats ?? { reads: 0, reloads: 0, epochChanges: 0, ignored: 0, rejected: 0 };
    return {
      topology: {
        revision: core.topology.revision,
        epoch: core.topology.epoch ?? null,
        updatedAt: core.topology.updatedAt,
        source: this.#source ? 'file' : 'object',
        ...source,
      },
      lagChecks: this.#monitor.rounds,
      fallback: {
        inFlight: core.fallback.inFlight,
        limit: core.replicas.length > 0 ? core.options.maxFallbackConcurrency : Infinity,
        total: core.fallback.total,
        rejected: core.fallback.rejected,
      },
      readYourWrites: { ...core.readYourWrites },
      endpoints: [core.primary, ...core.replicas].map(endpointStats),
    };
  }

  /**
   * Stops watching and checking, waits for in-flight queries, ends every pool. The process can then exit. After
   * closeTimeoutMs the queries still running are cut (they fail with a connection error) so that a stuck query
   * cannot hold up a shutdown; the report says which.
   */
  close(): Promise<CloseReport> {
    this.#closing ??= (async () => {
      this.#core.closed = true;
      const closed = (async () => {
        await this.#source?.close();
        await this.#monitor.stop();
        await this.#core.close();
      })();
      let timer: NodeJS.Timeout | undefined;
      const outOfTime = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.#core.options.closeTimeoutMs)));
      const outcome = await Promise.race([closed, outOfTime]);
      clearTimeout(timer);
      if (outcome !== 'timeout') return { timedOut: false, cut: [] };
      const cut = this.#core.cut();
      await closed;
      return { timedOut: true, cut };
    })();
    return this.#closing;
  }
}

export function createReplicaRouter(options: ReplicaRouterOptions): Promise<ReplicaRouter> {
  return ReplicaRouter.create(options);
}
