// The DatabaseConnections port on @aws-sdk/client-cloudwatch: one GetMetricData for every instance asked about
// (500 per request), like the lag adapter.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { buildConnectionsRequest, DEFAULT_CONNECTIONS_WINDOW, readConnectionsResults, type MetricDatapoint } from './connections-query.js';
import { MetricDataReader, type MetricDataReaderOptions } from './metric-data-reader.js';
import type { DatabaseConnectionsPort } from './port.js';

export type SdkDatabaseConnectionsOptions = MetricDataReaderOptions;

export class SdkDatabaseConnectionsPort implements DatabaseConnectionsPort {
  private readonly reader: MetricDataReader<MetricDatapoint[]>;

  constructor(client: CloudWatchClient, options: SdkDatabaseConnectionsOptions = {}) {
    this.reader = new MetricDataReader(client, { build: buildConnectionsRequest, read: readConnectionsResults }, DEFAULT_CONNECTIONS_WINDOW, options);
  }

  databaseConnections(ids: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Map<string, MetricDatapoint[]>> {
    return this.reader.read(ids, options.signal);
  }
}
