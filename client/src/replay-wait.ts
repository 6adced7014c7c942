// A session's read right after its write: the periodic sample cannot know yet that a replica has replayed the
// commit, though a nearby replica usually has within a millisecond. Asking the replicas (one shared probe per
// replica at a time, on its monitor connection) for a few milliseconds keeps such reads on replicas without a
// probe per read, and without ever reading from a replica that has not been shown to have the commit.
import { now } from './clock.js';
import type { RouterCore } from './core.js';
import type { Endpoint } from './endpoint.js';
import { isConnectionError } from './errors.js';
import { lsnColumn, type Lsn } from './lsn.js';
import { SharedProbe } from './shared-probe.js';

const REPLAY_LSN_SQL = 'SELECT pg_last_wal_replay_lsn()::text AS lsn';

export class ReplayWait {
  readonly #probes = new WeakMap<Endpoint, SharedProbe<Lsn | undefined>>();

  constructor(private readonly core: RouterCore) {}

  /**
   * True once one of `candidates` has been seen to replay `minLsn` (its known replay position is then at or past
   * it, so routing can pick it), false after `waitMs` or when none of them can answer.
   */
  async waitForReplay(candidates: readonly Endpoint[], minLsn: Lsn, waitMs: number): Promise<boolean> {
    if (waitMs <= 0 || candidates.length === 0) return false;
    const deadline = now() + waitMs;
    let timer: NodeJS.Timeout | undefined;
    // A probe stuck on a vanished peer must not hold the read past the wait.
    const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
    try {
      return await Promise.race([expired, this.#anyReplays(candidates, minLsn, deadline)]);
    } finally {
      clearTimeout(timer);
    }
  }

  #anyReplays(candidates: readonly Endpoint[], minLsn: Lsn, deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      let pending = candidates.length;
      for (const ep of candidates) {
        void this.#replays(ep, minLsn, deadline).then((ok) => {
          if (ok) resolve(true);
          else if (--pending === 0) resolve(false);
        });
      }
    });
  }

  async #replays(ep: Endpoint, minLsn: Lsn, deadline: number): Promise<boolean> {
    for (;;) {
      // Replay only moves forward: a probe already in flight is as good an answer as a new one.
      const replayed = await this.#probe(ep).current();
      if (replayed !== undefined && replayed >= minLsn) return true;
      if (replayed === undefined || now() >= deadline || this.core.closed) return false;
    }
  }

  #probe(ep: Endpoint): SharedProbe<Lsn | undefined> {
    let probe = this.#probes.get(ep);
    if (!probe) {
      probe = new SharedProbe(() => this.#replayLsn(ep));
      this.#probes.set(ep, probe);
    }
    return probe;
  }

  /** The replica's replay position, also kept as what it is known to have replayed; undefined when it cannot say. */
  async #replayLsn(ep: Endpoint): Promise<Lsn | undefined> {
    const startedAt = now();
    try {
      const lsn = lsnColumn(await ep.pools.monitor.query<{ lsn: string | null }>(REPLAY_LSN_SQL));
      return ep.noteProbedReplayLsn(startedAt, lsn) ? lsn : undefined;
    } catch (err) {
      // NULL (nothing replayed yet) or a query timeout only mean this replica cannot show it has the commit.
      if (isConnectionError(err) && !this.core.closed) this.core.reportFailure(ep, err);
      return undefined;
    }
  }
}
