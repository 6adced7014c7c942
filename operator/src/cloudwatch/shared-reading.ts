// Many reconciles ask CloudWatch about their own instances; a one-minute metric asked again within seconds
// learns nothing, and asked one object at a time, 100 objects cost 100 GetMetricData calls. This answers them from
// one shared reading of every instance anyone asked about, taken at most once per `maxAgeMs` (one call per 500
// instances), and reads afresh whenever an asked-for instance is not in the last reading. The reading serves every
// reconcile, so a caller's abort signal never cancels it: an aborted caller only stops waiting for it.
import { untilAborted } from '@servio/controller-runtime';

export interface SharedReadingOptions {
  /** Oldest reading an answer may come from; well below the metric's one-minute period. */
  maxAgeMs: number;
  now?: () => number;
}

export type ReadByInstance<T> = (ids: readonly string[], options?: { signal?: AbortSignal }) => Promise<Map<string, T>>;

interface Reading<T> {
  takenAt: number;
  values: Map<string, T>;
}

export function sharedReading<T>(read: ReadByInstance<T>, options: SharedReadingOptions): ReadByInstance<T> {
  const now = options.now ?? Date.now;
  const interest = new Map<string, number>();
  let reading: Reading<T> | undefined;
  let inFlight: Promise<Reading<T>> | undefined;

  const refresh = (): Promise<Reading<T>> => {
    if (inFlight !== undefined) return inFlight;
    const cutoff = now() - 3 * options.maxAgeMs;
    for (const [id, askedAt] of interest) if (askedAt < cutoff) interest.delete(id);
    const takenAt = now();
    inFlight = read([...interest.keys()])
      .then((values) => (reading = { takenAt, values }))
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  const answerFrom = (r: Reading<T>, ids: readonly string[]) => new Map(ids.map((id) => [id, r.values.get(id) as T] as const));
  const covers = (r: Reading<T> | undefined, ids: readonly string[]): r is Reading<T> =>
    r !== undefined && now() - r.takenAt < options.maxAgeMs && ids.every((id) => r.values.has(id));

  return async (ids, call) => {
    const at = now();
    for (const id of ids) interest.set(id, at);
    if (covers(reading, ids)) return answerFrom(reading, ids);
    const refreshed = await untilAborted(refresh(), call?.signal);
    // A refresh already in flight may have been sent before these instances were of interest.
    if (covers(refreshed, ids)) return answerFrom(refreshed, ids);
    return answerFrom(await untilAborted(refresh(), call?.signal), ids);
  };
}
