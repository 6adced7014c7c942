// The operator's Prometheus metrics, behind small functions so that the controller, the reconciler and the AWS
// adapters record what happened without knowing prom-client. One registry per process (and per test).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { objectKey, type ObjectRef } from '@servio/controller-runtime';

const PREFIX = 'rsdb_';

export interface OperatorMetrics {
  readonly registry: Registry;
  /** One finished reconcile. `result` is a small fixed vocabulary: success, requeue, wait, error. */
  observeReconcile(result: string, seconds: number): void;
  /** Items waiting in the work queue, read at scrape time so it is never stale. */
  trackQueueDepth(depth: () => number): void;
  /** One AWS API call (after the SDK's retries): operation is the action name (`DescribeDBInstances`), outcome is
   * `success` or the error's name (`ThrottlingException`). */
  observeAwsCall(service: string, operation: string, outcome: string, seconds: number): void;
  /** The RDS status of every instance of one ReplicaSetDB, replacing what was reported for it before. */
  setInstanceStatuses(ref: ObjectRef, statuses: readonly string[]): void;
  /** Replica lag from CloudWatch; undefined = unknown, which removes the series instead of reporting 0. */
  setReplicaLag(ref: ObjectRef, instanceId: string, seconds: number | undefined): void;
  setTopologyRevision(ref: ObjectRef, revision: number): void;
  setLeader(isLeader: boolean): void;
  /** Drops every series of a ReplicaSetDB that is gone, so deleted objects do not linger in dashboards. */
  forgetObject(ref: ObjectRef): void;
}

export interface MetricsOptions {
  /** Node.js process metrics (memory, event loop lag, GC); off in unit tests that compare exact output. */
  defaultMetrics?: boolean;
}

export function createMetrics({ defaultMetrics = true }: MetricsOptions = {}): OperatorMetrics {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });

  // Every metric is named with the prefix and registered in this process's registry only.
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter({ name: `${PREFIX}${name}`, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new Histogram({ name: `${PREFIX}${name}`, help, labelNames, buckets, registers: [registry] });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge({ name: `${PREFIX}${name}`, help, labelNames, registers: [registry] });

  const reconciles = counter('reconcile_total', 'Reconciles of ReplicaSetDB objects by result.', ['result']);
  const reconcileDuration = histogram(
    'reconcile_duration_seconds',
    'Duration of a reconcile, by result.',
    ['result'],
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );
  let depthSource: () => number = () => 0;
  new Gauge({
    name: `${PREFIX}workqueue_depth`,
    help: 'ReplicaSetDB keys waiting in the work queue.',
    registers: [registry],
    collect() {
      this.set(depthSource());
    },
  });
  const awsCalls = counter('aws_api_calls_total', 'AWS API calls by service, operation and outcome (success or error name).', [
    'service',
    'operation',
    'outcome',
  ]);
  const awsDuration = histogram(
    'aws_api_call_duration_seconds',
    'Duration of AWS API calls, retries included.',
    ['service', 'operation'],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  const instances = gauge('rds_instances', 'RDS instances of a ReplicaSetDB by RDS status.', ['namespace', 'name', 'status']);
  const lag = gauge('replica_lag_seconds', 'Replica lag (CloudWatch ReplicaLag) by RDS instance.', ['namespace', 'name', 'instance']);
  const revision = gauge('topology_revision', 'Revision of the published topology ConfigMap.', ['namespace', 'name']);
  const leader = gauge('leader', '1 while this process holds the leader Lease (or runs without leader election).', []);

  // prom-client removes a series only by its full label set, so the labels set per object are remembered.
  const statusesByKey = new Map<string, Set<string>>();
  const lagInstancesByKey = new Map<string, Set<string>>();

  return {
    registry,
    observeReconcile(result, seconds) {
      reconciles.inc({ result });
      reconcileDuration.observe({ result }, seconds);
    },
    trackQueueDepth(depth) {
      depthSource = depth;
    },
    observeAwsCall(service, operation, outcome, seconds) {
      awsCalls.inc({ service, operation, outcome });
      awsDuration.observe({ service, operation }, seconds);
    },
    setInstanceStatuses(key, statuses) {
      const counts = new Map<string, number>();
      for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
      const { namespace, name } = key;
      for (const old of statusesByKey.get(objectKey(key)) ?? []) if (!counts.has(old)) instances.remove({ namespace, name, status: old });
      for (const [status, n] of counts) instances.set({ namespace, name, status }, n);
      statusesByKey.set(objectKey(key), new Set(counts.keys()));
    },
    setReplicaLag(key, instance, seconds) {
      const { namespace, name } = key;
      const known = lagInstancesByKey.get(objectKey(key)) ?? new Set<string>();
      if (seconds === undefined) {
        lag.remove({ namespace, name, instance });
        known.delete(instance);
      } else {
        lag.set({ namespace, name, instance }, seconds);
        known.add(instance);
      }
      lagInstancesByKey.set(objectKey(key), known);
    },
    setTopologyRevision(key, rev) {
      revision.set({ namespace: key.namespace, name: key.name }, rev);
    },
    setLeader(isLeader) {
      leader.set(isLeader ? 1 : 0);
    },
    forgetObject(key) {
      const { namespace, name } = key;
      for (const status of statusesByKey.get(objectKey(key)) ?? []) instances.remove({ namespace, name, status });
      for (const instance of lagInstancesByKey.get(objectKey(key)) ?? []) lag.remove({ namespace, name, instance });
      revision.remove({ namespace, name });
      statusesByKey.delete(objectKey(key));
      lagInstancesByKey.delete(objectKey(key));
    },
  };
}
