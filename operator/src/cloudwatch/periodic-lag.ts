// Replica lag read by the operator on its own clock, not only when an object reconciles. A steady object
// reconciles once per steady resync (10 minutes by default); had lag been read only then, a replica that starts
// lagging would stay published, and one that recovers would stay out, for that long. Instead one reading of every
// replica of interest is taken per period (one GetMetricData per 500 replicas, within CloudWatch's one-minute
// ReplicaLag period), and after each reading exactly the objects whose routing it changes are reported, for the
// controller to reconcile at once. Reconciles are answered from the latest reading; a replica not in it yet (a new
// one) is read at once, together with everything else of interest.
import { untilAborted } from '@servio/controller-runtime';
import type { LagCallOptions, ReplicaLagPort } from './port.js';
import { objectsWithRoutingChange, type LagInterest, type LagValues } from './routing-change.js';

export interface PeriodicLagOptions {
  /** One reading of every replica of interest this often. */
  periodMs: number;
  /** An object that has not asked for this long is no longer read for. Each existing object reconciles at least once
   * per steady resync, so a few of those is safe; a deleted object then stops costing queries. */
  interestTtlMs: number;
  /** After a reading, the keys of the objects whose routing it changes (never empty). */
  onRoutingChange: (keys: string[]) => void;
  /** A periodic reading failed; the previous one stands until the next. */
  onReadingFailed?: (err: unknown) => void;
  now?: () => number;
}

interface Reading {
  takenAt: number;
  lag: LagValues;
}

interface Interest extends LagInterest {
  askedAt: number;
}

export class PeriodicLagReader implements ReplicaLagPort {
  private readonly now: () => number;
  private readonly interests = new Map<string, Interest>();
  /** Ids asked for without naming an object: read for while asked about, never reported. */
  private readonly anonymous = new Map<string, number>();
  private reading: Reading | undefined;
  private inFlight: Promise<Reading> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Aborted by stop(): the reading in flight is cancelled and its answer reports nothing, since the reader is
   * stopped when its process no longer leads and another may already be reconciling the same objects. */
  private lifetime = new AbortController();

  constructor(
    private readonly port: ReplicaLagPort,
    private readonly options: PeriodicLagOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.lifetime.signal.aborted) this.lifetime = new AbortController();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.lifetime.abort(new Error('the periodic lag reader stopped'));
  }

  /** One reading serves every reconcile, so a caller's `signal` never cancels it: that caller only stops waiting. */
  async replicaLagSeconds(ids: readonly string[], options: LagCallOptions = {}): Promise<Map<string, number | undefined>> {
    const { subject, signal } = options;
    const at = this.now();
    if (subject === undefined) for (const id of ids) this.anonymous.set(id, at);
    let reading = this.reading;
    if (!this.covers(reading, ids)) {
      const pending = await untilAborted(this.inFlight?.catch(() => undefined) ?? Promise.resolve(undefined), signal);
      // A reading already in flight may have been sent before these replicas were of interest.
      reading = pending !== undefined && ids.every((id) => pending.lag.has(id)) ? pending : await untilAborted(this.read(ids), signal);
    }
    const answer = new Map(ids.map((id) => [id, reading.lag.get(id)] as const));
    if (subject !== undefined) this.interests.set(subject.key, { answered: answer, maxReplicaLagSeconds: subject.maxReplicaLagSeconds, askedAt: at });
    return answer;
  }

  /** One reading of every replica of interest; the objects whose routing it changes are reported. */
  async readNow(): Promise<void> {
    await this.read();
  }

  private covers(reading: Reading | undefined, ids: readonly string[]): reading is Reading {
    // Half a period of slack: the timer's own reading is never older than a period plus the call.
    return reading !== undefined && this.now() - reading.takenAt < this.options.periodMs * 1.5 && ids.every((id) => reading.lag.has(id));
  }

  private read(extra: readonly string[] = []): Promise<Reading> {
    if (this.inFlight !== undefined && extra.length === 0) return this.inFlight;
    const ids = new Set([...this.idsOfInterest(), ...extra]);
    const takenAt = this.now();
    const { signal } = this.lifetime;
    const pending = (this.inFlight ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        signal.throwIfAborted();
        return this.port.replicaLagSeconds([...ids], { signal });
      })
      .then((lag) => {
        signal.throwIfAborted();
        const reading = { takenAt, lag };
        this.reading = reading;
        const changed = objectsWithRoutingChange(this.interests, lag);
        if (changed.length > 0) this.options.onRoutingChange(changed);
        return reading;
      })
      .finally(() => {
        if (this.inFlight === pending) this.inFlight = undefined;
      });
    this.inFlight = pending;
    return pending;
  }

  private idsOfInterest(): Set<string> {
    const cutoff = this.now() - this.options.interestTtlMs;
    for (const [key, interest] of this.interests) if (interest.askedAt < cutoff) this.interests.delete(key);
    for (const [id, askedAt] of this.anonymous) if (askedAt < cutoff) this.anonymous.delete(id);
    const ids = new Set(this.anonymous.keys());
    for (const interest of this.interests.values()) for (const id of interest.answered.keys()) ids.add(id);
    return ids;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      if (!this.running) return;
      const read = this.idsOfInterest().size > 0 ? this.read() : Promise.resolve(undefined);
      read
        .catch((err: unknown) => this.options.onReadingFailed?.(err))
        .finally(() => {
          if (this.running) this.schedule();
        });
    }, this.options.periodMs);
    this.timer.unref();
  }
}
