// Lag gating at the operator's DEFAULT settings, against the real kube-apiserver and the emulator's CloudWatch:
// the steady resync is the production 10 minutes and lag is read with the production one-minute buckets (one
// reading per 30 s), so a change of lag can only reach the ConfigMap within the bound through the operator's own
// periodic reading, never through a resync. A replica over the threshold leaves the published topology within
// about one reading, comes back within about one reading after it recovers, and every reading is one GetMetricData
// for all replicas.
import * as k8s from '@kubernetes/client-node';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { parseTopology, type Topology } from '@servio/replicasetdb-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, KIND } from '../../operator/src/api/index.js';
import { DEFAULT_LAG_WINDOW } from '../../operator/src/cloudwatch/index.js';
import { configSchema } from '../../operator/src/config/index.js';
import { deleteAllReplicaSetDBs, installReplicaSetDBCrd, replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { createLogger } from '../../operator/src/observability/index.js';
import { lagReadingPeriodMs, type RunningOperator } from '../../operator/src/operator.js';
import { TOPOLOGY_KEY } from '../../operator/src/topology/index.js';
import { startTestOperator } from './operator-harness.js';
import { awsClientConfig, cloudWatchClient, createNamespace, eventually, kubeConfig, rdsClient, uniqueName } from '../env/helpers.js';

const kc = kubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const core = kc.makeApiClient(k8s.CoreV1Api);
const log = createLogger({ level: 'silent' });

/** The production defaults, from the configuration schema itself. */
const defaults = configSchema.parse({ awsRegion: 'us-east-1' });
const readingPeriodMs = lagReadingPeriodMs({});
/** "About one reading": the period, plus a reconcile and a ConfigMap write on a busy machine. */
const boundMs = 60_000;

interface MetricCall {
  at: number;
  replicas: string[];
}
const getMetricData: MetricCall[] = [];

function recordingCloudWatch(): CloudWatchClient {
  const client = new CloudWatchClient({ ...awsClientConfig(), maxAttempts: 2 });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetMetricDataCommand') {
        const input = args.input as { MetricDataQueries?: Array<{ MetricStat?: { Metric?: { Dimensions?: Array<{ Value?: string }> } } }> };
        getMetricData.push({ at: Date.now(), replicas: (input.MetricDataQueries ?? []).map((q) => q.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? '') });
      }
      return next(args);
    },
    { step: 'initialize', name: 'lagTestRecorder' },
  );
  return client;
}

let namespace = '';
let operator: RunningOperator | undefined;

beforeAll(async () => {
  await installReplicaSetDBCrd(kc);
  namespace = await createNamespace(kc, uniqueName('rsdb-lag-defaults'));
  operator = startTestOperator(kc, log, {
    namespace,
    identity: 'lag-defaults-int-test',
    rdsClient: rdsClient(),
    cloudWatchClient: recordingCloudWatch(),
    // The steady resync at its default; the transitioning one stays short, as it only moves the create along.
    settings: { resyncSteady: defaults.resyncSteady },
  });
});

afterAll(async () => {
  await operator?.stop();
  if (namespace !== '') await deleteAllReplicaSetDBs(kc, namespace);
});

async function putLag(identifier: string, seconds: number, at: Date): Promise<void> {
  await cloudWatchClient().send(
    new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      // Standard resolution, as RDS publishes it.
      MetricData: [{ MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: identifier }], Value: seconds, Unit: 'Seconds', Timestamp: at }],
    }),
  );
}

async function topology(name: string): Promise<Topology | undefined> {
  try {
    const text = (await core.readNamespacedConfigMap({ namespace, name: `${name}-endpoints` })).data?.[TOPOLOGY_KEY];
    return text === undefined ? undefined : parseTopology(text);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

function published(name: string, done: (t: Topology) => boolean, timeoutMs = 120_000): Promise<Topology> {
  return eventually(`ConfigMap of ${name}`, async () => {
    const t = await topology(name);
    return t !== undefined && done(t) ? t : undefined;
  }, timeoutMs, 250);
}

describe('lag gating at the default settings', () => {
  it('runs with the production steady resync and lag reading period', () => {
    expect(defaults.resyncSteady).toBe(600_000);
    expect(DEFAULT_LAG_WINDOW.periodSeconds).toBe(60);
    expect(readingPeriodMs).toBe(30_000);
  });

  it('drops a replica within about one reading of it lagging and re-adds it within about one reading of its recovery, at one GetMetricData per reading', async () => {
    const name = 'steady';
    const createdAt = Date.now();
    await custom.createNamespacedCustomObject({
      ...replicaSetDBResource,
      namespace,
      body: {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name },
        spec: {
          engineVersion: '16',
          databaseName: 'app',
          primary: { instanceClass: 'db.t4g.micro' },
          replicas: { count: 2 },
          routing: { maxReplicaLagSeconds: 1 },
          deletionPolicy: 'Delete',
        },
      },
    });
    const base = rdsBaseIdentifier(namespace, name);
    const [r1, r2] = [`${base}-r1`, `${base}-r2`];
    await published(name, (t) => t.replicas.filter((r) => r.state === 'active').length === 2);
    console.info(`lag at defaults: both replicas published after ${Date.now() - createdAt} ms`);

    const laggingAt = Date.now();
    // In an earlier one-minute bucket than anything the recovery writes, so the recovery is the newer datapoint.
    await putLag(r1, 5, new Date(laggingAt - 60_000));
    const out = await published(name, (t) => !t.replicas.some((r) => r.id === r1));
    const outAfterMs = Date.now() - laggingAt;
    console.info(`lag at defaults: out after ${outAfterMs} ms`);
    expect(out.replicas.map((r) => [r.id, r.state])).toEqual([[r2, 'active']]);

    const recoveredAt = Date.now();
    await putLag(r1, 0.25, new Date(recoveredAt));
    const back = await published(name, (t) => t.replicas.some((r) => r.id === r1 && r.state === 'active'));
    const backAfterMs = Date.now() - recoveredAt;
    expect(back.replicas.find((r) => r.id === r1)).toMatchObject({ state: 'active', lagSeconds: 0.25 });

    console.info(`lag at defaults: out after ${outAfterMs} ms, back after ${backAfterMs} ms (reading period ${readingPeriodMs} ms)`);
    expect(outAfterMs).toBeLessThan(boundMs);
    expect(backAfterMs).toBeLessThan(boundMs);

    // Every reading since the database was steady is one GetMetricData for both replicas, a period apart: the
    // reconciles the readings caused were answered from them, not by calls of their own.
    const steady = getMetricData.filter((c) => c.at >= laggingAt);
    expect(steady.length).toBeGreaterThanOrEqual(2);
    for (const call of steady) expect(call.replicas.sort()).toEqual([r1, r2]);
    for (let i = 1; i < steady.length; i++) expect(steady[i]!.at - steady[i - 1]!.at).toBeGreaterThanOrEqual(readingPeriodMs);
    expect(steady.length).toBeLessThanOrEqual(Math.floor((Date.now() - laggingAt) / readingPeriodMs) + 1);
  }, 300_000);
});
