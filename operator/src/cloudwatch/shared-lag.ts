// Each reconcile asks for the lag of its own replicas. CloudWatch's ReplicaLag has one datapoint a minute, so
// asking it again within seconds learns nothing; asked one object at a time, 100 objects still cost 100
// GetMetricData calls per resync. This decorator answers from one shared reading of every replica the operator
// asks about, taken at most once per `maxAgeMs` (one call per 500 replicas), and reads afresh whenever an asked-for
// replica is not in the last reading.
import { untilAborted } from '../runtime/until-aborted.js';
import type { ReplicaLagPort } from './port.js';

export interface SharedLagOptions {
  /** Oldest reading an answer may come from; well below the metric's one-minute period. */
  maxAgeMs: number;
  now?: () => number;
}

interface Reading {
  takenAt: number;
  lag: Map<string, number | undefined>;
}

export function withSharedLagReads(port: ReplicaLagPort, options: SharedLagOptions): ReplicaLagPort {
  const now = options.now ?? Date.now;
  const interest = new Map<string, number>();
  let reading: Reading | undefined;
  let inFlight: Promise<Reading> | undefined;

  const refresh = (): Promise<Reading> => {
    if (inFlight !== undefined) return inFlight;
    const cutoff = now() - 3 * options.maxAgeMs;
    for (const [id, askedAt] of interest) if (askedAt < cutoff) interest.delete(id);
    const takenAt = now();
    inFlight = port
      .replicaLagSeconds([...interest.keys()])
      .then((lag) => (reading = { takenAt, lag }))
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const answerFrom = (r: Reading, ids: readonly string[]) => new Map(ids.map((id) => [id, r.lag.get(id)] as const));
  const covers = (r: Reading | undefined, ids: readonly string[]): r is Reading =>
    r !== undefined && now() - r.takenAt < options.maxAgeMs && ids.every((id) => r.lag.has(id));

  return {
    // One reading serves every reconcile, so no single caller's abort signal cancels it; that caller only stops
    // waiting for it.
    async replicaLagSeconds(ids, call) {
      const at = now();
      for (const id of ids) interest.set(id, at);
      if (covers(reading, ids)) return answerFrom(reading, ids);
      const refreshed = await untilAborted(refresh(), call?.signal);
      // A refresh already in flight may have been sent before these replicas were of interest.
      if (covers(refreshed, ids)) return answerFrom(refreshed, ids);
      return answerFrom(await untilAborted(refresh(), call?.signal), ids);
    },
  };
}
