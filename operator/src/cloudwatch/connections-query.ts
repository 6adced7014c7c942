// The GetMetricData request for DatabaseConnections and the reading of its answer, pure. RDS publishes
// DatabaseConnections (AWS/RDS, dimension DBInstanceIdentifier) once a minute; the drain gate needs the series over
// its quiet period, not only the latest value: "no connection for two minutes" is two datapoints at or below the
// floor and none above it.
import type { GetMetricDataInput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { buildRdsMetricRequest, positionalQueryId, type LagWindow } from './lag-query.js';

export const CONNECTIONS_METRIC = 'DatabaseConnections';

export interface MetricDatapoint {
  at: Date;
  value: number;
}

/** Long enough for the longest quiet period (routing.drainQuietSeconds at most 600) and a late bucket. */
export const DEFAULT_CONNECTIONS_WINDOW: LagWindow = { windowSeconds: 900, periodSeconds: 60 };

export const connectionsQueryId = positionalQueryId('conn');

export function buildConnectionsRequest(ids: readonly string[], now: Date, window: LagWindow): GetMetricDataInput {
  // Maximum per bucket: a brief burst of clients still counts as busy.
  return buildRdsMetricRequest(CONNECTIONS_METRIC, ids, now, window, connectionsQueryId);
}

/** Every datapoint of each instance, oldest first, merged over pages; an instance without any gets an empty list. */
export function readConnectionsResults(ids: readonly string[], pages: ReadonlyArray<readonly MetricDataResult[]>): Map<string, MetricDatapoint[]> {
  const byQuery = new Map<string, MetricDatapoint[]>();
  for (const result of pages.flat()) {
    if (result.Id === undefined) continue;
    const points = byQuery.get(result.Id) ?? [];
    const timestamps = result.Timestamps ?? [];
    const values = result.Values ?? [];
    for (let i = 0; i < Math.min(timestamps.length, values.length); i++) {
      const at = new Date(timestamps[i]!);
      const value = values[i]!;
      if (!Number.isNaN(at.getTime()) && Number.isFinite(value)) points.push({ at, value });
    }
    byQuery.set(result.Id, points);
  }
  return new Map(ids.map((id, i) => [id, (byQuery.get(connectionsQueryId(i)) ?? []).sort((a, b) => a.at.getTime() - b.at.getTime())]));
}
