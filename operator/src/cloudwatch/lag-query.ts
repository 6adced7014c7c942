// The GetMetricData request for ReplicaLag and the reading of its answer, pure so both are tested without a
// client. RDS publishes ReplicaLag (namespace AWS/RDS, dimension DBInstanceIdentifier) once a minute; the
// latest bucket in a recent window is the current lag, and no datapoint in the window means unknown.
import type { GetMetricDataInput, MetricDataResult } from '@aws-sdk/client-cloudwatch';

export const LAG_NAMESPACE = 'AWS/RDS';
export const LAG_METRIC = 'ReplicaLag';
export const LAG_DIMENSION = 'DBInstanceIdentifier';
/** GetMetricData's limit of queries per request. */
export const MAX_QUERIES = 500;

export interface LagWindow {
  /** How far back a datapoint still counts as current. */
  windowSeconds: number;
  /** Bucket size: 60 for RDS's one-minute metric; 1, 5, 10 or 30 only for high-resolution metrics. */
  periodSeconds: number;
}

export const DEFAULT_LAG_WINDOW: LagWindow = { windowSeconds: 300, periodSeconds: 60 };

/** Query ids must start with a lower-case letter and hold only letters, digits and underscores; DB instance
 * identifiers hold hyphens, so the position in the request names the query instead, after a metric's prefix. */
export function positionalQueryId(prefix: string): (position: number) => string {
  return (position) => `${prefix}${position}`;
}

export const queryId = positionalQueryId('lag');

/** Buckets aligned to the period (as CloudWatch stores them), from the window's start to the end of the current
 * bucket, so a datapoint written a moment ago is inside the range. */
export function lagTimeRange(now: Date, window: LagWindow): { start: Date; end: Date } {
  const periodMs = window.periodSeconds * 1000;
  const start = Math.floor((now.getTime() - window.windowSeconds * 1000) / periodMs) * periodMs;
  const end = Math.floor(now.getTime() / periodMs) * periodMs + periodMs;
  return { start: new Date(start), end: new Date(end) };
}

/** One query per instance for one RDS metric, at its worst (Maximum) per bucket: gating errs on the side of leaving a
 * replica out (lag) or keeping it draining (connections). `id` names each query by its position. */
export function buildRdsMetricRequest(
  metric: string,
  ids: readonly string[],
  now: Date,
  window: LagWindow,
  id: (position: number) => string,
): GetMetricDataInput {
  if (ids.length > MAX_QUERIES) throw new RangeError(`at most ${MAX_QUERIES} instances per GetMetricData, got ${ids.length}`);
  const { start, end } = lagTimeRange(now, window);
  return {
    StartTime: start,
    EndTime: end,
    ScanBy: 'TimestampDescending',
    MetricDataQueries: ids.map((instance, i) => ({
      Id: id(i),
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: LAG_NAMESPACE, MetricName: metric, Dimensions: [{ Name: LAG_DIMENSION, Value: instance }] },
        Period: window.periodSeconds,
        Stat: 'Maximum',
      },
    })),
  };
}

export function buildLagRequest(ids: readonly string[], now: Date, window: LagWindow): GetMetricDataInput {
  return buildRdsMetricRequest(LAG_METRIC, ids, now, window, queryId);
}

/** The value at the newest timestamp of one result (the order of the answer is not relied on). */
export function latestValue(result: Pick<MetricDataResult, 'Timestamps' | 'Values'>): number | undefined {
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  let best: { at: number; value: number } | undefined;
  timestamps.forEach((timestamp, i) => {
    const value = values[i];
    const at = new Date(timestamp).getTime();
    if (value === undefined || !Number.isFinite(value) || Number.isNaN(at)) return;
    if (best === undefined || at > best.at) best = { at, value };
  });
  return best?.value;
}

/** Results of one or more pages, merged per query: a paginated answer spreads one query's datapoints over pages. */
export function readLagResults(ids: readonly string[], pages: ReadonlyArray<readonly MetricDataResult[]>): Map<string, number | undefined> {
  const merged = new Map<string, { Timestamps: Date[]; Values: number[] }>();
  for (const result of pages.flat()) {
    if (result.Id === undefined) continue;
    const entry = merged.get(result.Id) ?? { Timestamps: [], Values: [] };
    const timestamps = result.Timestamps ?? [];
    const values = result.Values ?? [];
    // Pairs only: a page whose arrays differ in length is read as far as both go.
    const n = Math.min(timestamps.length, values.length);
    entry.Timestamps.push(...timestamps.slice(0, n));
    entry.Values.push(...values.slice(0, n));
    merged.set(result.Id, entry);
  }
  return new Map(ids.map((id, i) => [id, latestValue(merged.get(queryId(i)) ?? {})]));
}
