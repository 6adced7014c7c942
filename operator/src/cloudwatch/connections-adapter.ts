// The DatabaseConnections port on @aws-sdk/client-cloudwatch: one GetMetricData for every instance asked about
// (500 per request), like the lag adapter.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { buildConnectionsRequest, DEFAULT_CONNECTIONS_WINDOW, readConnectionsResults, type MetricDatapoint } from './connections-query.js';
import { MAX_QUERIES, type LagWindow } from './lag-query.js';
import type { DatabaseConnectionsPort } from './port.js';
import { getMetricDataPages } from './sdk-adapter.js';

export interface SdkDatabaseConnectionsOptions {
  window?: Partial<LagWindow>;
  now?: () => Date;
}

export class SdkDatabaseConnectionsPort implements DatabaseConnectionsPort {
  private readonly window: LagWindow;
  private readonly now: () => Date;

  constructor(
    private readonly client: CloudWatchClient,
    options: SdkDatabaseConnectionsOptions = {},
  ) {
    this.window = { ...DEFAULT_CONNECTIONS_WINDOW, ...options.window };
    this.now = options.now ?? (() => new Date());
  }

  async databaseConnections(ids: readonly string[]): Promise<Map<string, MetricDatapoint[]>> {
    const unique = [...new Set(ids)];
    const answer = new Map<string, MetricDatapoint[]>();
    for (let i = 0; i < unique.length; i += MAX_QUERIES) {
      const chunk = unique.slice(i, i + MAX_QUERIES);
      const pages = await getMetricDataPages(this.client, buildConnectionsRequest(chunk, this.now(), this.window));
      for (const [id, series] of readConnectionsResults(chunk, pages)) answer.set(id, series);
    }
    return answer;
  }
}
