// The lag port on @aws-sdk/client-cloudwatch: one GetMetricData for every replica of a reconcile (a naive
// GetMetricStatistics per replica would cost one call each), following NextToken when CloudWatch pages.
import { GetMetricDataCommand, type CloudWatchClient, type GetMetricDataInput, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { buildLagRequest, DEFAULT_LAG_WINDOW, MAX_QUERIES, readLagResults, type LagWindow } from './lag-query.js';
import type { ReplicaLagPort } from './port.js';

export interface SdkReplicaLagOptions {
  window?: Partial<LagWindow>;
  now?: () => Date;
}

export class SdkReplicaLagPort implements ReplicaLagPort {
  private readonly window: LagWindow;
  private readonly now: () => Date;

  constructor(
    private readonly client: CloudWatchClient,
    options: SdkReplicaLagOptions = {},
  ) {
    this.window = { ...DEFAULT_LAG_WINDOW, ...options.window };
    this.now = options.now ?? (() => new Date());
  }

  async replicaLagSeconds(ids: readonly string[]): Promise<Map<string, number | undefined>> {
    const unique = [...new Set(ids)];
    const answer = new Map<string, number | undefined>();
    // A ReplicaSetDB has at most 15 replicas, so this is one request; the chunks are for a caller asking for more.
    for (let i = 0; i < unique.length; i += MAX_QUERIES) {
      const chunk = unique.slice(i, i + MAX_QUERIES);
      for (const [id, lag] of await this.query(chunk)) answer.set(id, lag);
    }
    return answer;
  }

  private async query(ids: readonly string[]): Promise<Map<string, number | undefined>> {
    return readLagResults(ids, await getMetricDataPages(this.client, buildLagRequest(ids, this.now(), this.window)));
  }
}

/** Every page of one GetMetricData question (CloudWatch pages a large answer; NextToken continues it). */
export async function getMetricDataPages(client: CloudWatchClient, input: GetMetricDataInput): Promise<MetricDataResult[][]> {
  const pages: MetricDataResult[][] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(new GetMetricDataCommand({ ...input, ...(nextToken !== undefined ? { NextToken: nextToken } : {}) }));
    pages.push(out.MetricDataResults ?? []);
    nextToken = out.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  return pages;
}
