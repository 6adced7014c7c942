// `@servio/replicasetdb-client/prometheus`: prom-client collectors for one router. Every value is read from
// router.stats() when the registry is scraped (collect callbacks), so nothing runs between scrapes and the
// figures are the router's own counters, not a second count that could drift from them.
import { Counter, Gauge, register as globalRegistry, type Registry } from 'prom-client';
import type { EndpointStats, RouterStats } from './stats.js';

/** What the collectors need of a router: ReplicaRouter fits. */
export interface RouterStatsSource {
  stats(): RouterStats;
}

export interface RouterMetricsOptions {
  /** Default: prom-client's global registry. */
  registry?: Registry;
  /** Default `rsdb_client_`. Metric names must be unique in a registry: give a second router of the same process
   * a prefix (or a registry) of its own. */
  prefix?: string;
}

export interface RouterMetrics {
  /** The names registered, prefix included. */
  readonly names: readonly string[];
  /** Removes these metrics from the registry. */
  unregister(): void;
}

const ENDPOINT_LABELS = ['endpoint', 'role'] as const;
const POOL_LABELS = ['endpoint', 'role', 'pool'] as const;

type EndpointLabels = Record<(typeof ENDPOINT_LABELS)[number], string>;

function endpointLabels(ep: EndpointStats): EndpointLabels {
  return { endpoint: ep.id, role: ep.role };
}

/** The pools of an endpoint: its main pool, and for the primary the read-only one that serves reads. */
function pools(ep: EndpointStats): Array<{ labels: Record<(typeof POOL_LABELS)[number], string>; pool: EndpointStats['pool'] }> {
  const all = [{ labels: { ...endpointLabels(ep), pool: 'main' }, pool: ep.pool }];
  if (ep.readOnlyPool) all.push({ labels: { ...endpointLabels(ep), pool: 'read_only' }, pool: ep.readOnlyPool });
  return all;
}

export function registerRouterMetrics(router: RouterStatsSource, options: RouterMetricsOptions = {}): RouterMetrics {
  const registry = options.registry ?? globalRegistry;
  const prefix = options.prefix ?? 'rsdb_client_';
  const names: string[] = [];

  type Read<L extends string> = (stats: RouterStats, put: (labels: Record<L, string>, value: number) => void) => void;

  // Each scrape resets the metric, then puts the router's figures: endpoints that left the topology disappear
  // instead of keeping their last value, and a counter is set to the router's running total.
  function metric<L extends string>(kind: 'counter' | 'gauge', name: string, help: string, labelNames: readonly L[], read: Read<L>): void {
    names.push(prefix + name);
    const config = { name: prefix + name, help, labelNames, registers: [registry] };
    if (kind === 'counter')
      new Counter<L>({
        ...config,
        collect: function () {
          this.reset();
          read(router.stats(), (labels, value) => this.inc(labels, value));
        },
      });
    else
      new Gauge<L>({
        ...config,
        collect: function () {
          this.reset();
          read(router.stats(), (labels, value) => this.set(labels, value));
        },
      });
  }
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[], read: Read<L>) => metric('counter', name, help, labelNames, read);
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], read: Read<L>) => metric('gauge', name, help, labelNames, read);

  const perEndpoint =
    (value: (ep: EndpointStats) => number | null, only?: (ep: EndpointStats) => boolean) =>
    (stats: RouterStats, put: (labels: EndpointLabels, value: number) => void) => {
      for (const ep of stats.endpoints) {
        const v = value(ep);
        if (v !== null && (only?.(ep) ?? true)) put(endpointLabels(ep), v);
      }
    };

  gauge(
    'endpoint_up',
    'Whether the endpoint answered its last check (1) or is considered down (0).',
    ENDPOINT_LABELS,
    perEndpoint((ep) => (ep.healthy ? 1 : 0)),
  );
  gauge(
    'replica_lag_seconds',
    'Upper bound of how much recent data the replica may be missing, from the last lag check; absent while unknown.',
    ENDPOINT_LABELS,
    perEndpoint(
      (ep) => ep.lagSeconds,
      (ep) => ep.role === 'replica',
    ),
  );
  gauge(
    'endpoint_in_flight_queries',
    'Queries running on the endpoint.',
    ENDPOINT_LABELS,
    perEndpoint((ep) => ep.inFlight),
  );
  counter(
    'queries_total',
    'Queries sent to the endpoint, by why: routed (reads to replicas; writes, transactions and critical reads to the primary), fallback (reads no replica could serve), read_your_writes (session reads no replica had been shown to have replayed).',
    [...ENDPOINT_LABELS, 'kind'],
    (stats, add) => {
      for (const ep of stats.endpoints) {
        add({ ...endpointLabels(ep), kind: 'routed' }, ep.routed);
        if (ep.role === 'primary') {
          add({ ...endpointLabels(ep), kind: 'fallback' }, ep.fallbacks);
          add({ ...endpointLabels(ep), kind: 'read_your_writes' }, ep.readYourWrites);
        }
      }
    },
  );
  counter(
    'endpoint_failures_total',
    'Connection failures and failed lag checks of the endpoint.',
    ENDPOINT_LABELS,
    perEndpoint((ep) => ep.failures),
  );
  counter(
    'retried_elsewhere_total',
    'Reads that failed on the endpoint with a connection error or a recovery conflict and were retried on another.',
    ENDPOINT_LABELS,
    perEndpoint((ep) => ep.retriedElsewhere),
  );
  counter(
    'pool_saturated_total',
    "Reads that waited connectionTimeoutMillis for a connection of the endpoint's full pool and moved on (back-pressure; the endpoint stays up).",
    ENDPOINT_LABELS,
    perEndpoint((ep) => ep.poolSaturated),
  );
  gauge('pool_connections', 'Connections open in the pool.', POOL_LABELS, (stats, set) => {
    for (const ep of stats.endpoints) for (const { labels, pool } of pools(ep)) set(labels, pool.total);
  });
  gauge('pool_idle_connections', 'Open connections of the pool not running a query.', POOL_LABELS, (stats, set) => {
    for (const ep of stats.endpoints) for (const { labels, pool } of pools(ep)) set(labels, pool.idle);
  });
  gauge('pool_waiting_requests', 'Queries queued for a connection of the full pool.', POOL_LABELS, (stats, set) => {
    for (const ep of stats.endpoints) for (const { labels, pool } of pools(ep)) set(labels, pool.waiting);
  });
  counter('fallback_reads_total', 'Reads that fell back to the primary because no replica could serve them.', [], (stats, add) =>
    add({}, stats.fallback.total),
  );
  counter(
    'fallback_rejected_total',
    'Reads refused with FallbackLimitError because maxFallbackConcurrency reads were already on the primary.',
    [],
    (stats, add) => add({}, stats.fallback.rejected),
  );
  gauge('fallback_in_flight', 'Reads on the primary counted against maxFallbackConcurrency right now.', [], (stats, set) => set({}, stats.fallback.inFlight));
  gauge('fallback_limit', 'maxFallbackConcurrency in effect (+Inf when unbounded).', [], (stats, set) => set({}, stats.fallback.limit));
  counter(
    'read_your_writes_reads_total',
    'Session reads after a write, by where they were served: replica (its known replay position, or the check sent with the read, covered the commit), replica_after_wait (it was seen to replay it within readYourWritesWaitMs), primary.',
    ['outcome'],
    (stats, add) => {
      const { onReplica, afterWait } = stats.readYourWrites;
      add({ outcome: 'replica' }, onReplica - afterWait);
      add({ outcome: 'replica_after_wait' }, afterWait);
      // The router's own total: the current primary's count would go back when another endpoint becomes primary.
      add({ outcome: 'primary' }, stats.readYourWrites.onPrimary);
    },
  );
  counter(
    'read_your_writes_discarded_reads_total',
    "Session reads sent to a replica behind a check of its replay position that did not cover the session's commit; their results were dropped and the read served as if it had not been tried.",
    [],
    (stats, add) => add({}, stats.readYourWrites.discarded),
  );
  counter(
    'read_your_writes_shared_positions_total',
    'Session writes whose commit position came from one position query shared with concurrent session writes, instead of one sent behind the write.',
    [],
    (stats, add) => add({}, stats.readYourWrites.sharedPosition),
  );
  counter('lag_checks_total', 'Completed lag-check rounds.', [], (stats, add) => add({}, stats.lagChecks));
  gauge('topology_revision', 'Revision of the topology in effect.', [], (stats, set) => set({}, stats.topology.revision));
  counter('topology_reloads_total', 'Topology revisions taken after the first.', [], (stats, add) => add({}, stats.topology.reloads));
  counter('topology_rejected_total', 'Unusable topology file contents reported (the last good topology stayed).', [], (stats, add) =>
    add({}, stats.topology.rejected),
  );

  return {
    names,
    unregister() {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
