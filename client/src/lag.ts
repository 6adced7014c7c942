// Replica staleness from two upper bounds, so that neither an idle primary nor a replica that stopped
// replaying can fool the estimate.
import type { Lsn } from './lsn.js';

/** pg_current_wal_lsn() on the primary, and when it was read (monotonic ms). */
export interface PrimarySample {
  lsn: Lsn;
  at: number;
}

export interface ReplicaSample {
  /** pg_last_wal_replay_lsn(); null before the first record is replayed. */
  replayLsn: Lsn | null;
  /** now() - pg_last_xact_replay_timestamp() on the replica, in seconds; null before the first commit replayed. */
  replayDelaySeconds: number | null;
  /** When the replica answered (monotonic ms), after the latest primary sample was taken. */
  at: number;
}

/** Recent primary samples, oldest first; bounded in age so memory stays flat. */
export class PrimaryLsnHistory {
  readonly #samples: PrimarySample[] = [];

  constructor(readonly horizonMs: number) {}

  add(sample: PrimarySample): void {
    const last = this.#samples.at(-1);
    // A new primary (failover) starts a new WAL history; mixing both would give meaningless bounds.
    if (last && sample.lsn < last.lsn) this.#samples.length = 0;
    this.#samples.push(sample);
    const oldest = sample.at - this.horizonMs;
    while (this.#samples.length > 1 && (this.#samples[0]?.at ?? Infinity) < oldest) this.#samples.shift();
  }

  clear(): void {
    this.#samples.length = 0;
  }

  latest(): PrimarySample | undefined {
    return this.#samples.at(-1);
  }

  /** The newest sample whose position the replica has replayed: everything committed before it is visible. */
  newestReplayedBy(replayLsn: Lsn): PrimarySample | undefined {
    for (let i = this.#samples.length - 1; i >= 0; i--) {
      const s = this.#samples[i];
      if (s && s.lsn <= replayLsn) return s;
    }
    return undefined;
  }
}

/**
 * Seconds of data the replica may be missing; Infinity when nothing bounds it. A replica that has replayed up
 * to the position the primary reported in this same check round is caught up, however old its last replayed
 * transaction is. Otherwise the smaller of two upper bounds: the age of its last replayed commit, and the age
 * of the newest primary sample it has replayed past (older rounds included, so that a primary that could not
 * be sampled this round does not make every replica look caught up).
 */
export function estimateLagSeconds(replica: ReplicaSample, history: PrimaryLsnHistory, roundPrimary: PrimarySample | undefined): number {
  if (replica.replayLsn !== null && roundPrimary !== undefined && replica.replayLsn >= roundPrimary.lsn) return 0;
  let bound = Infinity;
  if (replica.replayDelaySeconds !== null) bound = Math.max(0, replica.replayDelaySeconds);
  if (replica.replayLsn !== null) {
    const replayed = history.newestReplayedBy(replica.replayLsn);
    if (replayed) bound = Math.min(bound, Math.max(0, (replica.at - replayed.at) / 1000));
  }
  return bound;
}
