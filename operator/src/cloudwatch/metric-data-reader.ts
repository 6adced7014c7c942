// What the lag and the connections adapters share: one GetMetricData for up to 500 instances (a naive
// GetMetricStatistics per instance would cost one call each), each instance asked about once, NextToken followed
// when CloudWatch pages, over a window that ends now.
import { GetMetricDataCommand, type CloudWatchClient, type GetMetricDataInput, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { MAX_QUERIES, type LagWindow } from './lag-query.js';

export interface MetricDataReaderOptions {
  window?: Partial<LagWindow>;
  now?: () => Date;
}

/** One metric's pure request builder and answer reader, as lag-query.ts and connections-query.ts define them. */
export interface MetricQuery<Reading> {
  build(ids: readonly string[], now: Date, window: LagWindow): GetMetricDataInput;
  read(ids: readonly string[], pages: ReadonlyArray<readonly MetricDataResult[]>): Map<string, Reading>;
}

export class MetricDataReader<Reading> {
  private readonly window: LagWindow;
  private readonly now: () => Date;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly query: MetricQuery<Reading>,
    defaultWindow: LagWindow,
    options: MetricDataReaderOptions,
  ) {
    this.window = { ...defaultWindow, ...options.window };
    this.now = options.now ?? (() => new Date());
  }

  async read(ids: readonly string[], signal: AbortSignal | undefined): Promise<Map<string, Reading>> {
    const unique = [...new Set(ids)];
    const answer = new Map<string, Reading>();
    // A ReplicaSetDB has at most 15 replicas, so this is one request; the chunks are for a caller asking for more.
    for (let i = 0; i < unique.length; i += MAX_QUERIES) {
      const chunk = unique.slice(i, i + MAX_QUERIES);
      const pages = await getMetricDataPages(this.client, this.query.build(chunk, this.now(), this.window), signal);
      for (const [id, reading] of this.query.read(chunk, pages)) answer.set(id, reading);
    }
    return answer;
  }
}

/** Every page of one GetMetricData question (CloudWatch pages a large answer; NextToken continues it); `signal`
 * aborts whichever page is in flight. */
export async function getMetricDataPages(client: CloudWatchClient, input: GetMetricDataInput, signal?: AbortSignal): Promise<MetricDataResult[][]> {
  const pages: MetricDataResult[][] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(new GetMetricDataCommand({ ...input, ...(nextToken !== undefined ? { NextToken: nextToken } : {}) }), {
      abortSignal: signal,
    });
    pages.push(out.MetricDataResults ?? []);
    nextToken = out.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  return pages;
}
