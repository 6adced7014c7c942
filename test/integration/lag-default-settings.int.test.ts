// Lag gating at the operator's DEFAULT settings, against the real kube-apiserver and the emulator's CloudWatch:
// the steady resync is the production 10 minutes and lag is read with the production one-minute buckets (one
// reading per 30 s), so a change of lag can only reach the ConfigMap within the bound through the operator's own
// periodic reading, never through a resync. A replica over the threshold leaves the published topology within
// about one reading, comes back within about one reading after it recovers, and every reading is one GetMetricData
// for all replicas.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Topology } from '@servio/replicasetdb-contract';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAG_WINDOW } from '../../operator/src/cloudwatch/index.js';
import { configSchema } from '../../operator/src/config/index.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { lagReadingPeriodMs } from '../../operator/src/operator.js';
import { operatorPerFile } from './support/operator-per-file.js';
import { publishedTopology, putReplicaLag } from './support/published-topology.js';
import { interceptCommands, minimalReplicaSetDB, reconcileObjects } from './support/reconcile-objects.js';
import { awsClientConfig, rdsClient, uniqueName } from '../env/helpers.js';

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
  return interceptCommands(new CloudWatchClient({ ...awsClientConfig(), maxAttempts: 2 }), (operation, input, send) => {
    if (operation === 'GetMetricData') {
      const queries =
        (input as { MetricDataQueries?: Array<{ MetricStat?: { Metric?: { Dimensions?: Array<{ Value?: string }> } } }> }).MetricDataQueries ?? [];
      getMetricData.push({ at: Date.now(), replicas: queries.map((q) => q.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? '') });
    }
    return send();
  });
}

const namespace = uniqueName('rsdb-lag-defaults');
operatorPerFile({
  namespace,
  operator: () => ({
    identity: 'lag-defaults-int-test',
    rdsClient: rdsClient(),
    cloudWatchClient: recordingCloudWatch(),
    // The steady resync at its default; the transitioning one stays short, as it only moves the create along.
    settings: { resyncSteady: defaults.resyncSteady },
  }),
});
const rds = rdsClient();
const { createObject } = reconcileObjects(
  () => namespace,
  () => rds,
);
const topology = publishedTopology(() => namespace);
const putLag = (identifier: string, seconds: number, at: Date) => putReplicaLag(identifier, seconds, at);

async function published(name: string, done: (t: Topology) => boolean, timeoutMs = 120_000): Promise<Topology> {
  return (await topology.published(name, done, timeoutMs, 250)).topology;
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
    await createObject(minimalReplicaSetDB(name, { replicas: { count: 2 }, routing: { maxReplicaLagSeconds: 1 }, deletionPolicy: 'Delete' }));
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
