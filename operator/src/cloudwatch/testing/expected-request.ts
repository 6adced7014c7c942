// The GetMetricData request the query builders are expected to make for one RDS metric, written out in full (not
// derived from the code under test), so that the lag and connections tests compare against the same literal shape.
import type { GetMetricDataInput } from '@aws-sdk/client-cloudwatch';
import { MAX_QUERIES } from '../lag-query.js';

/** One instance more than a GetMetricData request may ask about. */
export function oneInstanceTooMany(): string[] {
  return Array.from({ length: MAX_QUERIES + 1 }, (_, i) => `r${i}`);
}

/** `queryIdPrefix` comes before each query's position in its id. */
export function expectedRdsMetricRequest(
  metric: string,
  queryIdPrefix: string,
  instances: string[],
  expected: { start: string; end: string; periodSeconds: number },
): GetMetricDataInput {
  return {
    StartTime: new Date(expected.start),
    EndTime: new Date(expected.end),
    ScanBy: 'TimestampDescending',
    MetricDataQueries: instances.map((id, i) => ({
      Id: `${queryIdPrefix}${i}`,
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: 'AWS/RDS', MetricName: metric, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: id }] },
        Period: expected.periodSeconds,
        Stat: 'Maximum',
      },
    })),
  };
}
