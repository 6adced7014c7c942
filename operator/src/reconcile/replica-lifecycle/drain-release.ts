// When a draining replica may be deleted. Time alone is not evidence that clients have left: a pod sees a mounted
// ConfigMap's change up to ~2 minutes late, and a long query or a pool that ignores the topology can outlast any
// fixed delay. So after routing.drainSeconds (the earliest moment), the replica goes only once CloudWatch shows its
// DatabaseConnections at or below routing.drainConnectionFloor for routing.drainQuietSeconds, or once the drain
// maximum is reached, whichever comes first. No datapoints (or no CloudWatch) is no evidence: it waits for the
// maximum. Pure.
import { effectiveMaxDrainSeconds, type RoutingSpec } from '../../api/index.js';
import type { MetricDatapoint } from '../../cloudwatch/connections-query.js';

export type DrainRelease = 'ConnectionsQuiet' | 'MaxDrainSeconds';

/** DatabaseConnections has one datapoint a minute. */
const METRIC_PERIOD_MS = 60_000;
/** CloudWatch shows a minute's datapoint a little after the minute; older than this beyond the quiet period, the
 * newest datapoints describe the past, not now. */
const PUBLISHING_DELAY_MS = 2 * METRIC_PERIOD_MS;

export interface DrainReleaseInput {
  now: Date;
  drainingSince: Date;
  routing: Pick<RoutingSpec, 'drainSeconds' | 'drainConnectionFloor' | 'drainQuietSeconds' | 'maxDrainSeconds'>;
  /** Oldest first; undefined when CloudWatch could not be asked. */
  connections: readonly MetricDatapoint[] | undefined;
}

export type DrainVerdict = { release: DrainRelease } | { release: undefined; why: string };

export function drainRelease({ now, drainingSince, routing, connections }: DrainReleaseInput): DrainVerdict {
  const elapsedMs = now.getTime() - drainingSince.getTime();
  const earliest = new Date(drainingSince.getTime() + routing.drainSeconds * 1000);
  const latest = new Date(drainingSince.getTime() + effectiveMaxDrainSeconds(routing) * 1000);
  if (elapsedMs < routing.drainSeconds * 1000) return { release: undefined, why: `it is deleted at ${earliest.toISOString()} at the earliest` };
  if (now >= latest) return { release: 'MaxDrainSeconds' };
  const until = `or at ${latest.toISOString()} at the latest`;
  if (connections === undefined)
    return { release: undefined, why: `CloudWatch DatabaseConnections could not be read; it is deleted once they are quiet, ${until}` };

  const needed = Math.ceil((routing.drainQuietSeconds * 1000) / METRIC_PERIOD_MS);
  const newest = connections.slice(-needed);
  const floor = routing.drainConnectionFloor;
  const busy = newest.filter((p) => p.value > floor);
  const oldestAllowed = now.getTime() - routing.drainQuietSeconds * 1000 - PUBLISHING_DELAY_MS;
  if (newest.length === needed && busy.length === 0 && newest[0]!.at.getTime() >= oldestAllowed) return { release: 'ConnectionsQuiet' };

  const quietFor = `until DatabaseConnections stays at or below ${floor} for ${routing.drainQuietSeconds}s (${needed} datapoints)`;
  const last = connections.at(-1);
  const seen = last === undefined ? 'no datapoint yet' : `${last.value} at ${last.at.toISOString()}`;
  return { release: undefined, why: `it waits ${quietFor}, ${until} (connections: ${seen})` };
}
