// The DatabaseConnections adapter against a mocked CloudWatch client: one request for many instances, paging, chunks.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { SdkDatabaseConnectionsPort } from './connections-adapter.js';

const cw = mockClient(CloudWatchClient);
const NOW = new Date('2026-11-26T16:00:42Z');
const port = new SdkDatabaseConnectionsPort(new CloudWatchClient({ region: 'us-east-1' }), { now: () => NOW });
const sent = () => cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);

describe('SdkDatabaseConnectionsPort', () => {
  beforeEach(() => cw.reset());

  it('asks once for every instance, over the last 15 minutes, and follows NextToken', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'conn0', Timestamps: [new Date('2026-11-26T15:59:00Z')], Values: [3] }], NextToken: 'p2' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'conn0', Timestamps: [new Date('2026-11-26T16:00:00Z')], Values: [0] }] });
    const series = await port.databaseConnections(['a-r2', 'b-r3', 'a-r2']);
    expect(series.get('a-r2')).toEqual([
      { at: new Date('2026-11-26T15:59:00Z'), value: 3 },
      { at: new Date('2026-11-26T16:00:00Z'), value: 0 },
    ]);
    expect(series.get('b-r3')).toEqual([]);
    expect(sent().map((i) => [i.NextToken, i.MetricDataQueries?.length])).toEqual([
      [undefined, 2],
      ['p2', 2],
    ]);
    expect(sent()[0]).toMatchObject({ StartTime: new Date('2026-11-26T15:45:00Z'), EndTime: new Date('2026-11-26T16:01:00Z') });
  });

  it('splits more than 500 instances over requests of at most 500 queries, and makes no call for none', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    expect(await port.databaseConnections([])).toEqual(new Map());
    expect(sent()).toHaveLength(0);
    expect((await port.databaseConnections(Array.from({ length: 501 }, (_, i) => `db-${i}`))).size).toBe(501);
    expect(sent().map((i) => i.MetricDataQueries?.length)).toEqual([500, 1]);
  });

  it('passes the caller signal to every request, pages and chunks included', async () => {
    cw.on(GetMetricDataCommand).resolvesOnce({ MetricDataResults: [], NextToken: 'p2' }).resolves({ MetricDataResults: [] });
    const signal = new AbortController().signal;
    await port.databaseConnections(
      Array.from({ length: 501 }, (_, i) => `db-${i}`),
      { signal },
    );
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(3);
    for (const call of calls) expect((call.args as unknown[])[1]).toEqual({ abortSignal: signal });
  });
});
