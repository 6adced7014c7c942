// The composition: configuration -> clients (Kubernetes, RDS, CloudWatch) -> ports -> the reconciler -> a
// Controller that watches ReplicaSetDBs (and the endpoints ConfigMaps they own) and runs it. Nothing here decides
// anything; it only wires.
import type { KubeConfig } from '@kubernetes/client-node';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Logger } from 'pino';
import { GROUP, KIND, PLURAL, VERSION } from './api/index.js';
import {
  createCloudWatchClient,
  DEFAULT_LAG_WINDOW,
  PeriodicLagReader,
  SdkDatabaseConnectionsPort,
  SdkReplicaLagPort,
  sharedReading,
  type DatabaseConnectionsPort,
  type LagWindow,
  type ReplicaLagPort,
} from './cloudwatch/index.js';
import { ENDPOINTS_LABEL_SELECTOR } from './topology/index.js';
import type { OperatorConfig } from './config/index.js';
import { KubernetesAdapter } from './kube/index.js';
import { instrumentAwsClient, type OperatorMetrics } from './observability/index.js';
import { createRdsClient, type RdsClientOptions } from './rds/client.js';
import { withCoalescedDescribes, type CoalescingOptions } from './rds/coalescing-describer.js';
import { steadyCacheOptions, withSteadyStateCache } from './rds/steady-cache.js';
import { SdkRdsPort } from './rds/sdk-adapter.js';
import { createReplicaSetDBReconciler, type ReplicaSetDBReconciler } from './reconcile/reconciler.js';
import {
  Controller,
  ResourceWatcher,
  configMapSources,
  customResourceSources,
  parseObjectKey,
  watchClientFor,
  type BackoffPolicy,
  type ControllerOptions,
  type ObjectRef,
  type ResourceWatcherOptions,
  type SettledWork,
} from '@servio/controller-runtime';

export type OperatorSettings = Pick<
  OperatorConfig,
  'watchNamespaces' | 'concurrency' | 'awsRegion' | 'awsEndpoint' | 'resyncSteady' | 'resyncTransitioning' | 'shutdownTimeout' | 'identity'
> &
  Partial<Pick<OperatorConfig, 'adoptNamespaces' | 'awsActionRetry'>>;

export interface OperatorOptions {
  config: OperatorSettings;
  kubeConfig: KubeConfig;
  log: Logger;
  /** AWS calls by operation and outcome, reconciles by result, topology revision and replica lag. */
  metrics?: Pick<OperatorMetrics, 'observeAwsCall' | 'observeReconcile' | 'setInstanceStatuses' | 'setReplicaLag' | 'setTopologyRevision' | 'forgetObject'>;
  /** Instead of a client built from the configuration (tests: a client with the emulator's credentials). */
  rdsClient?: RDSClient;
  /** Instead of a client built from the configuration. Unset: built from it, with `awsCredentials`, or else the
   * credentials of `rdsClient` (the same account answers both). */
  cloudWatchClient?: CloudWatchClient;
  /** How recent a ReplicaLag datapoint must be, and its bucket (tests use one-second high-resolution data). */
  lagWindow?: Partial<LagWindow>;
  /** Credentials for the client built from the configuration; unset: the SDK's default chain. */
  awsCredentials?: RdsClientOptions['credentials'];
  /** Aborted when this process stops leading: every in-flight reconcile is aborted at once (no grace period) and no
   * new one starts, since another process may already be reconciling the same objects. */
  leadership?: AbortSignal;
  /** Tests shorten the watch backoff and watchdog. */
  watcher?: Partial<Pick<ResourceWatcherOptions, 'backoff' | 'watchdogMs' | 'watchTimeoutSeconds' | 'minHealthyWatchMs'>>;
  /** Tests shorten the controller's error backoff. */
  backoff?: BackoffPolicy;
  /** Concurrent reconciles' DescribeDBInstances merged into one call. */
  coalescing?: CoalescingOptions;
  /** Steady reconciles answered from one shared inventory no older than this (default: the steady resync
   * interval); `false` reads AWS on every reconcile (the benchmark's baseline). */
  steadyCache?: { maxAgeMs: number } | false;
}

export interface RunningOperator {
  hasSynced(): boolean;
  queueDepth(): number;
  stop(): Promise<void>;
}

export const DEFAULT_COALESCING: CoalescingOptions = { windowMs: 25, maxIds: 100 };

export function buildRdsClient(options: OperatorOptions): RDSClient {
  const client =
    options.rdsClient ?? createRdsClient({ region: options.config.awsRegion, endpoint: options.config.awsEndpoint, credentials: options.awsCredentials });
  return options.metrics !== undefined ? instrumentAwsClient(client, options.metrics) : client;
}

export function buildCloudWatchClient(options: OperatorOptions): CloudWatchClient {
  const credentials = options.awsCredentials ?? options.rdsClient?.config.credentials;
  const client =
    options.cloudWatchClient ??
    createCloudWatchClient({ region: options.config.awsRegion, endpoint: options.config.awsEndpoint, ...(credentials !== undefined ? { credentials } : {}) });
  return options.metrics !== undefined ? instrumentAwsClient(client, options.metrics) : client;
}

/** Replica lag from one CloudWatch reading of every replica per period: half the metric's period (30 s for RDS's
 * one-minute ReplicaLag), as a fresher reading could not hold a newer datapoint. A steady object reconciles only
 * once per steady resync, so the reader itself names the objects a reading re-routes, which reconcile at once. */
export function lagReadingPeriodMs(options: Pick<OperatorOptions, 'lagWindow'>): number {
  return ((options.lagWindow?.periodSeconds ?? DEFAULT_LAG_WINDOW.periodSeconds) * 1000) / 2;
}

function periodicLagReader(options: OperatorOptions, onRoutingChange: (keys: string[]) => void): PeriodicLagReader {
  return new PeriodicLagReader(new SdkReplicaLagPort(buildCloudWatchClient(options), { window: options.lagWindow }), {
    periodMs: lagReadingPeriodMs(options),
    // Every live object asks at least once per steady resync.
    interestTtlMs: 3 * options.config.resyncSteady,
    onRoutingChange,
    onReadingFailed: (err) => options.log.warn({ err }, 'could not read replica lag from CloudWatch; the previous reading stands'),
  });
}

/** How long one DatabaseConnections reading answers every draining replica's reconcile. */
export const DEFAULT_CONNECTIONS_READING_MS = 30_000;

/** DatabaseConnections of every draining replica from one shared reading, renewed at half the metric's period. The
 * reading serves every reconcile, so it is cancelled only when leadership is lost, never by one reconcile's abort. */
function sharedConnectionsPort(options: OperatorOptions): DatabaseConnectionsPort {
  const port = new SdkDatabaseConnectionsPort(buildCloudWatchClient(options));
  const signal = options.leadership;
  const read = sharedReading((ids) => port.databaseConnections(ids, { signal }), { maxAgeMs: DEFAULT_CONNECTIONS_READING_MS });
  return { databaseConnections: read };
}

/** The ReplicaSetDBs, and the endpoints ConfigMaps they own: a ConfigMap deleted or edited by hand reconciles its
 * owner at once, which publishes it again. */
function watchedResources(options: OperatorOptions): Pick<ControllerOptions, 'primary' | 'owned'> {
  const { config, kubeConfig, log } = options;
  const watcher = { watchClient: watchClientFor(kubeConfig), log, ...options.watcher };
  return {
    primary: new ResourceWatcher({
      name: PLURAL,
      sources: customResourceSources(kubeConfig, { group: GROUP, version: VERSION, plural: PLURAL }, { namespaces: config.watchNamespaces }),
      ...watcher,
    }),
    owned: [
      {
        owner: { group: GROUP, kind: KIND },
        source: new ResourceWatcher({
          name: 'endpoints-configmaps',
          // Only the ConfigMaps the operator publishes are watched (and cached), not every ConfigMap of the cluster.
          sources: configMapSources(kubeConfig, { namespaces: config.watchNamespaces, labelSelector: ENDPOINTS_LABEL_SELECTOR }),
          ...watcher,
        }),
      },
    ],
  };
}

/** The reconciler on its ports: the Kubernetes adapter, RDS (describes coalesced, steady objects answered from a
 * shared inventory), CloudWatch lag and connections. */
function replicaSetDBReconciler(options: OperatorOptions, lag: ReplicaLagPort): ReplicaSetDBReconciler {
  const { config, kubeConfig, log } = options;
  const coalesced = withCoalescedDescribes(new SdkRdsPort(buildRdsClient(options)), options.coalescing ?? DEFAULT_COALESCING);
  // Parameter groups are checked every third steady resync: one read per object that cannot be shared, for drift
  // (a hand edit) that is rare; everything the operator itself changes is read back at once (steadyCacheOptions).
  const steadyCache = options.steadyCache ?? steadyCacheOptions(config.resyncSteady);
  return createReplicaSetDBReconciler({
    kube: new KubernetesAdapter(kubeConfig, { log, reportingInstance: config.identity }),
    rds: steadyCache === false ? coalesced : withSteadyStateCache(coalesced, steadyCache),
    lag,
    connections: sharedConnectionsPort(options),
    resync: { steadyMs: config.resyncSteady, transitioningMs: config.resyncTransitioning, awsActionRetryMs: config.awsActionRetry },
    metrics: options.metrics,
    adoptNamespaces: config.adoptNamespaces ?? [],
    awsRegion: config.awsRegion,
  });
}

export function startOperator(options: OperatorOptions): RunningOperator {
  const { config, log } = options;
  // The controller exists only below; a reading cannot come before start() anyway.
  let enqueue: (ref: ObjectRef) => void = () => undefined;
  const lag = periodicLagReader(options, (keys) => {
    log.debug({ keys }, 'replica lag changed routing');
    for (const key of keys) enqueue(parseObjectKey(key));
  });

  const controller = new Controller({
    name: 'replicasetdb',
    log,
    ...watchedResources(options),
    reconcile: replicaSetDBReconciler(options, lag),
    concurrency: config.concurrency,
    resyncIntervalMs: config.resyncSteady,
    shutdownGraceMs: config.shutdownTimeout,
    ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
    onReconciled: (settled: SettledWork) => options.metrics?.observeReconcile(resultOf(settled), settled.durationMs / 1000),
  });
  enqueue = (ref) => controller.enqueue(ref);
  controller.start();
  // The lag reader works for this process's reconciles only: it starts with them and, once leadership is lost, its
  // reading in flight is cancelled and it reports nothing more, like every reconcile in flight.
  const { leadership } = options;
  const stopLeading = () => {
    lag.stop();
    controller.abortInFlight(leadership?.reason);
  };
  if (leadership?.aborted) stopLeading();
  else {
    lag.start();
    leadership?.addEventListener('abort', stopLeading, { once: true });
  }

  return {
    hasSynced: () => controller.hasSynced(),
    queueDepth: () => {
      const stats = controller.queueStats();
      return stats.ready + stats.delayed;
    },
    stop: async () => {
      lag.stop();
      await controller.stop();
    },
  };
}

function resultOf(settled: SettledWork): string {
  if (settled.result !== 'succeeded') return 'error';
  return settled.nextRunInMs !== undefined ? 'requeue' : 'success';
}
