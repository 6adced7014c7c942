// A session's read right after its write: the periodic sample cannot know yet that a replica has replayed the
// commit, though a nearby replica usually has within a millisecond. While session reads wait, each replica is
// asked for its replay position at most once per millisecond on its monitoring connection, and every answer
// releases all the reads it covers: the cost stays one small query per replica per millisecond however many
// sessions wait, and no read runs on a replica that has not been shown to have its commit.
import { now } from './clock.js';
import type { Endpoint } from './endpoint.js';
import { isConnectionError } from './errors.js';
import { lsnColumn, type Lsn } from './lsn.js';
import type { RoutingState } from './routing-state.js';

/** Prepared once per monitoring connection: a replica answers this probe up to once a millisecond while reads
 * wait, and need not parse or plan it each time. */
const REPLAY_LSN_QUERY = { name: 'rsdb_replay_lsn', text: 'SELECT pg_last_wal_replay_lsn()::text AS lsn' };
/** The shortest time between two replay probes of one replica. */
const POLL_MS = 1;

interface Waiter {
  minLsn: Lsn;
  deadline: number;
  resolve: (replayed: boolean) => void;
}

/** The reads waiting for one replica, and the probe loop that runs while there are any. */
class ReplayWatcher {
  #waiters: Waiter[] = [];
  #probe: Promise<Lsn | undefined> | undefined;
  #running = false;

  constructor(private readonly ask: () => Promise<Lsn | undefined>) {}

  /** Reads are waiting here now, so one more costs no query of its own. */
  get watching(): boolean {
    return this.#waiters.length > 0;
  }

  wait(minLsn: Lsn, deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.#waiters.push({ minLsn, deadline, resolve });
      if (!this.#running) void this.#loop();
    });
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiters.length > 0) {
        const startedAt = now();
        // A probe still out from an earlier turn is awaited again rather than doubled.
        this.#probe ??= this.ask().finally(() => (this.#probe = undefined));
        const earliest = Math.min(...this.#waiters.map((w) => w.deadline));
        let timer: NodeJS.Timeout | undefined;
        // A probe stuck on a vanished peer must not hold reads past their wait.
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, earliest - startedAt))));
        const replayed = await Promise.race([this.#probe, late]);
        clearTimeout(timer);
        if (replayed === 'late') this.#settle(undefined, false);
        else this.#settle(replayed, replayed === undefined);
        const rest = POLL_MS - (now() - startedAt);
        if (this.#waiters.length > 0 && rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
      }
    } finally {
      this.#running = false;
    }
  }

  /** Releases the reads `replayed` covers; with no answer (`giveUp`), or past their deadline, the others too. */
  #settle(replayed: Lsn | undefined, giveUp: boolean): void {
    const t = now();
    this.#waiters = this.#waiters.filter((w) => {
      if (replayed !== undefined && replayed >= w.minLsn) w.resolve(true);
      else if (giveUp || t >= w.deadline) w.resolve(false);
      else return true;
      return false;
    });
  }
}

export class ReplayWait {
  readonly #watchers = new WeakMap<Endpoint, ReplayWatcher>();

  constructor(private readonly core: RoutingState) {}

  /**
   * True once one of `candidates` has been seen to replay `minLsn` (its known replay position is then at or past
   * it, so routing can pick it), false after `waitMs` or when none of them can answer.
   */
  waitForReplay(candidates: readonly Endpoint[], minLsn: Lsn, waitMs: number): Promise<boolean> {
    if (waitMs <= 0 || candidates.length === 0) return Promise.resolve(false);
    const deadline = now() + waitMs;
    return new Promise((resolve) => {
      let pending = candidates.length;
      for (const ep of candidates) {
        void this.#watcher(ep)
          .wait(minLsn, deadline)
          .then((ok) => {
            if (ok) resolve(true);
            else if (--pending === 0) resolve(false);
          });
      }
    });
  }

  /** Whether reads already wait for one of `candidates` to replay: a probe is then going out anyway. */
  isWatching(candidates: readonly Endpoint[]): boolean {
    return candidates.some((ep) => this.#watchers.get(ep)?.watching === true);
  }

  #watcher(ep: Endpoint): ReplayWatcher {
    let watcher = this.#watchers.get(ep);
    if (!watcher) {
      watcher = new ReplayWatcher(() => this.#replayLsn(ep));
      this.#watchers.set(ep, watcher);
    }
    return watcher;
  }

  /** The replica's replay position, also kept as what it is known to have replayed; undefined when it cannot say. */
  async #replayLsn(ep: Endpoint): Promise<Lsn | undefined> {
    if (this.core.closed) return undefined;
    const startedAt = now();
    try {
      const lsn = lsnColumn(await ep.pools.monitor.query<{ lsn: string | null }>(REPLAY_LSN_QUERY));
      return ep.noteProbedReplayLsn(startedAt, lsn, now()) ? lsn : undefined;
    } catch (err) {
      // NULL (nothing replayed yet) or a query timeout only mean this replica cannot show it has the commit.
      if (isConnectionError(err) && !this.core.closed) this.core.reportFailure(ep, err);
      return undefined;
    }
  }
}
