// The adapter against a mocked CloudWatch client: one request per reconcile, paging, and what comes back.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataInput } from '@aws-sdk/client-cloudwatch';
import { SdkReplicaLagPort } from './sdk-adapter.js';

const cw = mockClient(CloudWatchClient);
const NOW = new Date('2026-11-26T16:00:42Z');
const port = new SdkReplicaLagPort(new CloudWatchClient({ region: 'us-east-1' }), { now: () => NOW });

function sent(): GetMetricDataInput[] {
  return cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
}

describe('SdkReplicaLagPort', () => {
  beforeEach(() => cw.reset());

  it('asks once for every replica and answers for each of them', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'lag0', Timestamps: [new Date('2026-11-26T16:00:00Z')], Values: [0.25], StatusCode: 'Complete' },
        { Id: 'lag1', Timestamps: [], Values: [], StatusCode: 'Complete' },
      ],
    });
    const lags = await port.replicaLagSeconds(['servio-r1', 'servio-r2', 'servio-r1']);
    expect([...lags]).toEqual([
      ['servio-r1', 0.25],
      ['servio-r2', undefined],
    ]);
    expect(sent()).toHaveLength(1);
    expect(sent()[0]?.MetricDataQueries?.map((q) => q.MetricStat?.Metric?.Dimensions?.[0]?.Value)).toEqual(['servio-r1', 'servio-r2']);
  });

  it('makes no call for no replica', async () => {
    expect(await port.replicaLagSeconds([])).toEqual(new Map());
    expect(sent()).toHaveLength(0);
  });

  it('follows NextToken within the same question', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'lag0', Timestamps: [new Date('2026-11-26T15:59:00Z')], Values: [4] }], NextToken: 'page-2' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'lag0', Timestamps: [new Date('2026-11-26T16:00:00Z')], Values: [1] }] });
    expect((await port.replicaLagSeconds(['servio-r1'])).get('servio-r1')).toBe(1);
    expect(sent().map((i) => i.NextToken)).toEqual([undefined, 'page-2']);
  });

  it('splits more than 500 instances over requests of at most 500 queries', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const ids = Array.from({ length: 501 }, (_, i) => `db-${i}`);
    const lags = await port.replicaLagSeconds(ids);
    expect(lags.size).toBe(501);
    expect(sent().map((i) => i.MetricDataQueries?.length)).toEqual([500, 1]);
  });

  it('uses the configured window and period', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await new SdkReplicaLagPort(new CloudWatchClient({ region: 'us-east-1' }), {
      now: () => NOW,
      window: { windowSeconds: 10, periodSeconds: 1 },
    }).replicaLagSeconds(['a']);
    expect(sent()[0]).toMatchObject({ StartTime: new Date('2026-11-26T16:00:32Z'), EndTime: new Date('2026-11-26T16:00:43Z') });
    expect(sent()[0]?.MetricDataQueries?.[0]?.MetricStat?.Period).toBe(1);
  });

  it('lets a failure reach the caller, which decides what unknown lag means', async () => {
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(port.replicaLagSeconds(['a'])).rejects.toThrow('denied');
  });

  it('passes the caller signal to every request, pages included', async () => {
    cw.on(GetMetricDataCommand).resolvesOnce({ MetricDataResults: [], NextToken: 'page-2' }).resolvesOnce({ MetricDataResults: [] });
    const signal = new AbortController().signal;
    await port.replicaLagSeconds(['servio-r1'], { signal });
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    for (const call of calls) expect((call.args as unknown[])[1]).toEqual({ abortSignal: signal });
  });
});
