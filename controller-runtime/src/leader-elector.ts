// Leader election on a Lease with client-go's semantics (the JavaScript client has none):
// - a candidate retries every retryPeriod (jittered) and takes the lease when it is missing, released, or has
//   not changed for the holder's leaseDuration on the candidate's own clock;
// - the leader renews every retryPeriod; if no renewal succeeds within renewDeadline it stops leading. As
//   renewDeadline < leaseDuration, it stops before any candidate can consider the lease expired;
// - a leader that finds someone else holding the lease stops leading at once;
// - stop() ends the leader's work first (onStoppedLeading is awaited) while it goes on renewing the lease, and only
//   then releases the lease by clearing holderIdentity, so a successor never overlaps with it however long the work
//   takes to stop, and starts at its next retry instead of after expiry. Losing the lease meanwhile aborts the work
//   as any loss does.
// Like client-go, an elector that lost its lease does not run again: the process should exit and restart clean.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { abortableSleep } from './abortable-sleep.js';
import { isConflict } from './api-status.js';
import { decideLease, releasedRecord, sameLeaseRecord, type LeaseObservation } from './lease-decision.js';
import type { LeaseStore, StoredLease } from './lease-store.js';

export interface LeaderElectorOptions {
  store: LeaseStore;
  /** Unique per process: two processes with one identity would both believe they lead. See {@link uniqueIdentity}. */
  identity: string;
  /** How long a candidate waits after the last observed change before taking the lease. Whole seconds. */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it stops leading. Less than leaseDurationMs. */
  renewDeadlineMs: number;
  retryPeriodMs: number;
  log: Logger;
  /** Called when this process becomes leader, and not awaited; `signal` aborts when it loses the lease, or once the
   * work has stopped after stop(). */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called when this process stops leading (lost lease or stop()); awaited before the lease is released. */
  onStoppedLeading: () => void | Promise<void>;
  /** Called when the observed holder changes (including to this process). */
  onNewLeader?: (identity: string) => void;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
  random?: () => number;
}

export const leaderElectionDefaults = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } as const;

/** client-go's jitter factor for retries. */
const RETRY_JITTER = 1.2;

type AttemptOutcome = 'acquired' | 'held-by-other' | 'failed';

/** `<name>_<random>`, the name defaulting to the hostname: the pod name identifies the process in `kubectl get
 * lease`, the suffix keeps a restarted container from inheriting its predecessor's lease as if nothing happened. */
export function uniqueIdentity(name: string = hostname()): string {
  return `${name}_${randomBytes(4).toString('hex')}`;
}

export class LeaderElector {
  private readonly stopping = new AbortController();
  private leadership: AbortController | undefined;
  private observed: LeaseObservation | undefined;
  private knownLeader: string | undefined;
  private running: Promise<void> | undefined;
  /** onStoppedLeading, called once whether the work stops because of stop() or of a loss, or both. */
  private workStopped: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly leaseDurationSeconds: number;
  private readonly log: Logger;

  constructor(private readonly options: LeaderElectorOptions) {
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = options;
    if (leaseDurationMs % 1_000 !== 0 || leaseDurationMs <= 0) {
      throw new Error(`leaseDurationMs must be a positive whole number of seconds, got ${leaseDurationMs}`);
    }
    if (renewDeadlineMs >= leaseDurationMs) throw new Error('renewDeadlineMs must be less than leaseDurationMs');
    if (renewDeadlineMs <= retryPeriodMs * RETRY_JITTER) {
      throw new Error(`renewDeadlineMs must be greater than retryPeriodMs x ${RETRY_JITTER}`);
    }
    this.leaseDurationSeconds = leaseDurationMs / 1_000;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.log = options.log.child({ lease: options.store.description, identity: options.identity });
  }

  start(): void {
    this.running ??= this.run();
  }

  isLeader(): boolean {
    return this.leadership !== undefined;
  }

  /** The holder last observed, if any. */
  currentLeader(): string | undefined {
    return this.knownLeader;
  }

  /** Stops campaigning. A leader stops its work (awaiting onStoppedLeading) while it keeps renewing the lease, then
   * stops renewing and, unless `release` is false, releases the lease so a successor takes over at once. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    if (this.leadership !== undefined) await this.stepDown('stopping');
    this.stopping.abort();
    await this.running;
    // A candidate's acquiring write may have won the lease after it was told to stop: held by a process that is
    // going away, it would keep every successor waiting a lease duration. A lease lost while the work stopped is
    // someone else's: release() leaves it alone.
    if (options.release ?? true) await this.release();
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.options;
    let lastRenewAt = 0;
    while (!this.stopped) {
      const attemptStartedAt = this.now();
      if ((await this.attemptWithin(renewDeadlineMs)) === 'acquired') {
        lastRenewAt = attemptStartedAt;
        break;
      }
      await abortableSleep(retryPeriodMs * (1 + (RETRY_JITTER - 1) * this.random()), this.stopping.signal);
    }
    if (this.stopped) return;
    this.startLeading();

    while (!this.stopped) {
      // Never past the renew deadline: a leader that cannot renew steps down at it, not up to a retry period later,
      // so the time it has left before a successor may take over is what its fencing counts on.
      await abortableSleep(Math.min(retryPeriodMs, Math.max(0, renewDeadlineMs - (this.now() - lastRenewAt))), this.stopping.signal);
      if (this.stopped) return;
      // Counted from when the last successful renewal was sent, the conservative end of the round trip.
      const attemptStartedAt = this.now();
      const remainingMs = renewDeadlineMs - (attemptStartedAt - lastRenewAt);
      const outcome = remainingMs > 0 ? await this.attemptWithin(remainingMs) : 'failed';
      if (this.stopped) return;
      if (outcome === 'acquired') {
        lastRenewAt = attemptStartedAt;
        continue;
      }
      if (outcome === 'held-by-other') {
        this.log.warn({ holder: this.knownLeader }, 'lease taken by another candidate');
        break;
      }
      if (this.now() - lastRenewAt >= renewDeadlineMs) {
        this.log.error({ renewDeadlineMs }, 'failed to renew the lease within the renew deadline');
        break;
      }
    }
    if (!this.stopped) await this.stepDown('lost');
  }

  /** Not awaited: the callback may run for as long as the leadership lasts, and renewals must go on meanwhile. */
  private startLeading(): void {
    const leadership = new AbortController();
    this.leadership = leadership;
    this.log.info('started leading');
    Promise.resolve()
      .then(() => this.options.onStartedLeading(leadership.signal))
      .catch((err: unknown) => this.log.error({ err }, 'onStartedLeading failed'));
  }

  /** Lost: the work's signal aborts at once, then the work is awaited. Stopping: the work is awaited with its signal
   * live (renewals go on meanwhile), and the signal aborts once it has stopped. */
  private async stepDown(reason: 'lost' | 'stopping'): Promise<void> {
    const leadership = this.leadership;
    if (!leadership) return;
    if (reason === 'lost') this.endLeadership(leadership, reason);
    else this.log.info('stopping the work; the lease is renewed until it has stopped');
    this.workStopped ??= (async () => {
      try {
        await this.options.onStoppedLeading();
      } catch (err) {
        this.log.error({ err }, 'onStoppedLeading failed');
      }
    })();
    await this.workStopped;
    if (reason === 'stopping') this.endLeadership(leadership, reason);
  }

  private endLeadership(leadership: AbortController, reason: 'lost' | 'stopping'): void {
    if (this.leadership !== leadership) return;
    this.leadership = undefined;
    leadership.abort(new Error(`leadership ${reason === 'lost' ? 'lost' : 'given up'}`));
    this.log.info({ reason }, 'stopped leading');
  }

  /** One read-decide-write round, bounded in time: a request that hangs must not keep a leader leading. */
  private async attemptWithin(timeoutMs: number): Promise<AttemptOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<AttemptOutcome>((resolve) => {
      timer = setTimeout(() => {
        this.log.warn({ timeoutMs }, 'lease request timed out');
        resolve('failed');
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.attempt(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt(): Promise<AttemptOutcome> {
    try {
      const stored = await this.options.store.get();
      if (stored) this.observe(stored);
      const decision = decideLease({
        current: stored?.record,
        observedAtMs: this.observed?.observedAtMs ?? this.now(),
        nowMs: this.now(),
        wallClock: new Date(),
        identity: this.options.identity,
        leaseDurationSeconds: this.leaseDurationSeconds,
      });
      if (decision.kind === 'held') return 'held-by-other';
      const written =
        decision.kind === 'create' || !stored
          ? await this.options.store.create(decision.record)
          : await this.options.store.update(decision.record, stored.resourceVersion);
      if (decision.kind !== 'update' || decision.acquired) {
        this.log.info({ transitions: written.record.leaseTransitions }, 'acquired the lease');
      }
      this.observe(written);
      return 'acquired';
    } catch (err) {
      // A conflict is the expected outcome of losing a race for the lease, not a problem.
      if (isConflict(err)) this.log.debug('lease changed concurrently');
      else this.log.warn({ err }, 'lease request failed');
      return 'failed';
    }
  }

  private observe(stored: StoredLease): void {
    if (!this.observed || !sameLeaseRecord(this.observed.record, stored.record)) {
      this.observed = { record: stored.record, observedAtMs: this.now() };
    }
    const holder = stored.record.holderIdentity;
    if (holder !== '' && holder !== this.knownLeader) {
      this.knownLeader = holder;
      this.log.info({ leader: holder }, 'new leader observed');
      try {
        this.options.onNewLeader?.(holder);
      } catch (err) {
        this.log.error({ err }, 'onNewLeader failed');
      }
    }
  }

  private async release(): Promise<void> {
    try {
      const stored = await this.options.store.get();
      if (!stored || stored.record.holderIdentity !== this.options.identity) return;
      await this.options.store.update(releasedRecord(stored.record, new Date()), stored.resourceVersion);
      this.log.info('released the lease');
    } catch (err) {
      // The lease then expires on its own after leaseDuration; a successor only waits longer.
      this.log.warn({ err }, 'failed to release the lease');
    }
  }
}
