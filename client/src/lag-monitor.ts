// Samples the primary's WAL position, then every replica's replay position and delay, on a fixed period.
// The primary goes first so that "replayed at least what the primary had" means caught up at that moment.
import { now } from './clock.js';
import type { RouterCore } from './core.js';
import type { Endpoint } from './endpoint.js';
import { estimateLagSeconds, PrimaryLsnHistory, type PrimarySample } from './lag.js';
import { parseLsn } from './lsn.js';

const PRIMARY_SQL = `SELECT pg_current_wal_lsn()::text AS lsn, current_setting('wal_block_size')::int AS wal_block_size`;
const REPLICA_SQL = `SELECT pg_is_in_recovery() AS in_recovery,
  pg_last_wal_replay_lsn()::text AS replay_lsn,
  EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))::float8 AS replay_delay`;

interface ReplicaRow {
  in_recovery: boolean;
  replay_lsn: string | null;
  replay_delay: number | null;
}

export class LagMonitor {
  /** Completed check rounds. */
  rounds = 0;
  readonly #history: PrimaryLsnHistory;
  #historyOf: string | undefined;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly core: RouterCore,
    private readonly intervalMs: number,
    historyMs: number,
    private readonly onUnexpected: (err: Error) => void,
  ) {
    this.#history = new PrimaryLsnHistory(historyMs);
  }

  /** Runs a round after any round in progress; resolves when it is done. Never rejects. */
  checkNow(): Promise<void> {
    const round = this.#chain.then(() => this.#round()).catch((err: unknown) => this.onUnexpected(err instanceof Error ? err : new Error(String(err))));
    this.#chain = round;
    return round;
  }

  start(): void {
    const tick = async () => {
      const started = now();
      await this.checkNow();
      if (this.#stopped) return;
      this.#timer = setTimeout(() => void tick(), Math.max(0, this.intervalMs - (now() - started)));
      // Timers must not keep an otherwise finished process alive; close() is still what releases everything.
      this.#timer.unref();
    };
    this.#timer = setTimeout(() => void tick(), this.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#chain;
  }

  async #round(): Promise<void> {
    if (this.core.closed) return;
    const primary = this.core.primary;
    if (this.#historyOf !== primary.spec.key) {
      this.#history.clear();
      this.#historyOf = primary.spec.key;
    }
    const roundPrimary = await this.#samplePrimary(primary);
    // A topology that changed the primary meanwhile has replicas of another primary: judged against this one's
    // position, one far behind its own could look caught up. The reload queues a round of its own.
    if (this.core.primary !== primary) return;
    await Promise.all(this.core.replicas.map((r) => this.#checkReplica(r, roundPrimary)));
    this.rounds++;
  }

  async #samplePrimary(primary: Endpoint): Promise<PrimarySample | undefined> {
    // The time before asking: everything committed before it is at or below the position the primary returns.
    const at = now();
    try {
      const { rows } = await primary.pools.monitor.query<{ lsn: string; wal_block_size: number }>(PRIMARY_SQL);
      const row = rows[0];
      if (!row) throw new Error('lag check returned no row');
      const sample = { lsn: parseLsn(row.lsn), at };
      this.#history.add(sample);
      this.core.walBlockSize = BigInt(row.wal_block_size);
      primary.recordCheck(at, now(), { lagSeconds: 0, replayLsn: undefined });
      return sample;
    } catch (err) {
      this.core.reportFailure(primary, err);
      return undefined;
    }
  }

  async #checkReplica(replica: Endpoint, roundPrimary: PrimarySample | undefined): Promise<void> {
    const startedAt = now();
    let row: ReplicaRow | undefined;
    let replayLsn: bigint | null;
    try {
      row = (await replica.pools.monitor.query<ReplicaRow>(REPLICA_SQL)).rows[0];
      if (!row) throw new Error('lag check returned no row');
      // A promoted replica accepts writes of its own and no longer follows the primary.
      if (!row.in_recovery) throw new Error('not in recovery: it no longer replicates from the primary');
      replayLsn = row.replay_lsn === null ? null : parseLsn(row.replay_lsn);
    } catch (err) {
      this.core.reportFailure(replica, err);
      return;
    }
    const at = now();
    const lagSeconds = estimateLagSeconds({ replayLsn, replayDelaySeconds: row.replay_delay, at }, this.#history, roundPrimary);
    replica.recordCheck(startedAt, at, { lagSeconds, replayLsn: replayLsn ?? undefined });
  }
}
