// The adapter against the emulator's CloudWatch (moto): datapoints written with PutMetricData are read back by
// one GetMetricData. moto buckets from the request's StartTime and filters by dimensions and metric name, as
// CloudWatch does for a query with dimensions.
import { describe, expect, it } from 'vitest';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { awsClientConfig, cloudWatchClient, uniqueName } from '../../../test/env/helpers.js';
import { createCloudWatchClient } from './client.js';
import { LAG_DIMENSION, LAG_METRIC, LAG_NAMESPACE } from './lag-query.js';
import { SdkReplicaLagPort } from './sdk-adapter.js';
import { instrumentAwsClient } from '../observability/index.js';

function adapterClient() {
  const config = awsClientConfig();
  return createCloudWatchClient({ region: config.region, endpoint: config.endpoint, credentials: config.credentials, maxAttempts: 2 });
}

async function putLag(id: string, seconds: number, at: Date, metric = LAG_METRIC): Promise<void> {
  await cloudWatchClient().send(
    new PutMetricDataCommand({
      Namespace: LAG_NAMESPACE,
      MetricData: [
        { MetricName: metric, Dimensions: [{ Name: LAG_DIMENSION, Value: id }], Value: seconds, Unit: 'Seconds', Timestamp: at, StorageResolution: 1 },
      ],
    }),
  );
}

describe('SdkReplicaLagPort against the emulator', () => {
  it('reads the latest ReplicaLag of every replica in one GetMetricData, unknown without a recent datapoint', async () => {
    const base = uniqueName('lag');
    const [fresh, updated, silent, stale, otherMetric] = ['r1', 'r2', 'r3', 'r4', 'r5'].map((s) => `${base}-${s}`) as [string, string, string, string, string];
    const now = new Date();
    await putLag(fresh, 0.5, new Date(now.getTime() - 2_000));
    await putLag(updated, 12, new Date(now.getTime() - 5_000));
    await putLag(updated, 0.25, new Date(now.getTime() - 1_000));
    await putLag(stale, 30, new Date(now.getTime() - 3_600_000));
    await putLag(otherMetric, 9, new Date(now.getTime() - 1_000), 'CPUUtilization');

    const calls: string[] = [];
    const client = instrumentAwsClient(adapterClient(), { observeAwsCall: (_service, operation) => calls.push(operation) });
    // High-resolution datapoints and one-second buckets, so the two datapoints of `updated` are distinct.
    const port = new SdkReplicaLagPort(client, { window: { windowSeconds: 120, periodSeconds: 1 } });
    const lags = await port.replicaLagSeconds([fresh, updated, silent, stale, otherMetric]);

    expect(Object.fromEntries(lags)).toEqual({ [fresh]: 0.5, [updated]: 0.25, [silent]: undefined, [stale]: undefined, [otherMetric]: undefined });
    expect(calls).toEqual(['GetMetricData']);
  });

  it('reads a datapoint written a moment ago with the default one-minute buckets', async () => {
    const id = uniqueName('lag-default');
    await putLag(id, 3, new Date());
    const lags = await new SdkReplicaLagPort(adapterClient()).replicaLagSeconds([id]);
    expect(lags.get(id)).toBe(3);
  });
});
