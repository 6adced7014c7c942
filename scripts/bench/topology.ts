// Topology benchmark: how long after an instance is available in the emulator the endpoints ConfigMap carries it
// (the primary, or a replica as `active`), p50/p99 over 100 ReplicaSetDBs x (1 primary + 1 replica).
//
// "Available" is the moment the emulator answers the create call: moto makes an instance available at once, so the
// answer carries status `available`. "Carried" is the moment a watch on the ConfigMaps delivers the first version
// that holds it. The operator looks again well before the transitioning resync, because the create's own reconcile
// causes events (the finalizer patch, the ConfigMap write) that queue the object; with 100 objects arriving at
// once, the figure is mostly the wait in the work queue. So it is run with the production defaults (concurrency 4)
// and with more concurrent reconciles.
import * as k8s from '@kubernetes/client-node';
import type { RDSClient } from '@aws-sdk/client-rds';
import { parseTopology } from '@servio/replicasetdb-contract';
import { pino } from 'pino';
import type { AwsEndpoint } from '../../test/env/contract.js';
import { configSchema } from '../../operator/src/config/index.js';
import { deleteAllReplicaSetDBs, installReplicaSetDBCrd } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { startOperator } from '../../operator/src/operator.js';
import { ENDPOINTS_LABEL_SELECTOR, TOPOLOGY_KEY } from '../../operator/src/topology/index.js';
import { emulatorRdsClient } from './emulator.js';
import { createFleet } from './fleet.js';

const RESOURCES = 100;
const REPLICAS = 1;
const CREATES = new Set(['CreateDBInstance', 'CreateDBInstanceReadReplica']);

export interface TopologyBenchRound {
  label: string;
  concurrency: number;
  /** Milliseconds from "available" to "in the ConfigMap", by role. */
  primaryMs: number[];
  replicaMs: number[];
  seconds: number;
}

/** Nearest-rank percentile of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Records when each created instance was reported available by the emulator's answer. */
function availabilityRecordingClient(aws: AwsEndpoint, availableAt: Map<string, number>): RDSClient {
  const client = emulatorRdsClient(aws);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (CREATES.has((context.commandName ?? '').replace(/Command$/, ''))) {
        const instance = (out.output as { DBInstance?: { DBInstanceIdentifier?: string; DBInstanceStatus?: string } }).DBInstance;
        if (instance?.DBInstanceIdentifier !== undefined && instance.DBInstanceStatus === 'available')
          availableAt.set(instance.DBInstanceIdentifier, Date.now());
      }
      return out;
    },
    { step: 'initialize', name: 'benchAvailability' },
  );
  return client;
}

/** First time each instance appears in a ConfigMap of the namespace (a replica only once `active`). */
async function watchPublications(kc: k8s.KubeConfig, namespace: string, publishedAt: Map<string, number>): Promise<AbortController> {
  return new k8s.Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/configmaps`,
    { labelSelector: ENDPOINTS_LABEL_SELECTOR },
    (type: string, cm: k8s.V1ConfigMap) => {
      const text = cm.data?.[TOPOLOGY_KEY];
      if (type === 'DELETED' || text === undefined) return;
      const now = Date.now();
      const topology = parseTopology(text);
      const ids = [topology.primary.id, ...topology.replicas.filter((r) => r.state === 'active').map((r) => r.id)];
      for (const id of ids) if (!publishedAt.has(id)) publishedAt.set(id, now);
    },
    () => undefined,
  );
}

async function runRound(kc: k8s.KubeConfig, aws: AwsEndpoint, label: string, concurrency: number | undefined): Promise<TopologyBenchRound> {
  await fetch(`${aws.endpoint}/moto-api/reset`, { method: 'POST' });
  const namespace = `bench-topology-${Date.now().toString(36)}`;
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: namespace } } });

  const availableAt = new Map<string, number>();
  const publishedAt = new Map<string, number>();
  const watch = await watchPublications(kc, namespace, publishedAt);
  // Everything else as the operator runs by default.
  const defaults = configSchema.parse({ awsRegion: aws.region });
  const config = {
    ...defaults,
    watchNamespaces: [namespace],
    awsEndpoint: aws.endpoint,
    concurrency: concurrency ?? defaults.concurrency,
    identity: 'bench-topology',
  };
  const started = Date.now();
  const operator = startOperator({
    config,
    kubeConfig: kc,
    log: pino({ level: 'silent' }),
    rdsClient: availabilityRecordingClient(aws, availableAt),
  });
  try {
    await createFleet(api, namespace, RESOURCES, REPLICAS);
    const expected = RESOURCES * (1 + REPLICAS);
    const deadline = Date.now() + 10 * 60_000;
    while ([...availableAt.keys()].filter((id) => publishedAt.has(id)).length < expected) {
      if (Date.now() > deadline) throw new Error(`${label}: only ${publishedAt.size} of ${expected} instances published within 10 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const latencies = (replica: boolean) => [...availableAt].filter(([id]) => /-r\d+$/.test(id) === replica).map(([id, at]) => publishedAt.get(id)! - at);
    return { label, concurrency: config.concurrency, primaryMs: latencies(false), replicaMs: latencies(true), seconds: (Date.now() - started) / 1000 };
  } finally {
    watch.abort();
    await operator.stop();
    await deleteAllReplicaSetDBs(kc, namespace);
  }
}

function report(r: TopologyBenchRound): void {
  const line = (what: string, ms: number[]) =>
    `  ${what.padEnd(28)} p50 ${(percentile(ms, 50) / 1000).toFixed(2)} s   p99 ${(percentile(ms, 99) / 1000).toFixed(2)} s   (n=${ms.length})`;
  console.log(`\n[topology] ${r.label} (concurrency ${r.concurrency})`);
  console.log(line('primary -> ConfigMap', r.primaryMs));
  console.log(line('replica -> ConfigMap active', r.replicaMs));
  console.log(line('all instances', [...r.primaryMs, ...r.replicaMs]));
  console.log(`  round took ${r.seconds.toFixed(1)} s for ${RESOURCES} ReplicaSetDBs x ${1 + REPLICAS} instances`);
}

/** Runs the rounds and prints p50/p99; returns them for a caller that wants the numbers. */
export async function benchTopology(kc: k8s.KubeConfig, aws: AwsEndpoint): Promise<TopologyBenchRound[]> {
  await installReplicaSetDBCrd(kc);
  const rounds = [await runRound(kc, aws, 'production defaults', undefined), await runRound(kc, aws, 'more concurrent reconciles', 16)];
  rounds.forEach(report);
  return rounds;
}
