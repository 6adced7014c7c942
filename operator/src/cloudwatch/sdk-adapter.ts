// The lag port on @aws-sdk/client-cloudwatch: one GetMetricData for every replica of a reconcile.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { buildLagRequest, DEFAULT_LAG_WINDOW, readLagResults } from './lag-query.js';
import { MetricDataReader, type MetricDataReaderOptions } from './metric-data-reader.js';
import type { ReplicaLagPort } from './port.js';

export type SdkReplicaLagOptions = MetricDataReaderOptions;

export class SdkReplicaLagPort implements ReplicaLagPort {
  private readonly reader: MetricDataReader<number | undefined>;

  constructor(client: CloudWatchClient, options: SdkReplicaLagOptions = {}) {
    this.reader = new MetricDataReader(client, { build: buildLagRequest, read: readLagResults }, DEFAULT_LAG_WINDOW, options);
  }

  replicaLagSeconds(ids: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Map<string, number | undefined>> {
    return this.reader.read(ids, options.signal);
  }
}
