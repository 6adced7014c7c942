// A keyed work queue with the guarantees of client-go's workqueue, which every controller relies on:
// - one run at a time per key, several keys at once (up to `concurrency`);
// - a key added several times before it runs, runs once;
// - a key added while it runs is marked dirty and runs once more after it finishes, so a change that lands
//   during a reconcile is never lost (the running reconcile may have read the world before the change);
// - delayed requeues keep the earliest due time; an immediate add supersedes a pending delay;
// - a failed run is retried with exponential backoff and jitter; a success resets the key's failure count.
// Async reconciles interleave in Node, so without this serialisation two reconciles of one object would race.
import { backoffDelayMs, defaultBackoff, type BackoffPolicy } from './backoff.js';

export interface WorkResult {
  /** Run the key again after this many milliseconds even without a change; absent: wait for a change. */
  requeueAfterMs?: number;
}

export interface WorkContext {
  /** Aborted when the queue shuts down and its grace period is over: the run should stop at the next safe point. */
  signal: AbortSignal;
  /** Consecutive failures of this key before this run; 0 when the last run succeeded. */
  failures: number;
}

export type WorkHandler = (key: string, context: WorkContext) => Promise<WorkResult>;

export interface SettledWork {
  key: string;
  result: 'succeeded' | 'failed';
  error?: unknown;
  durationMs: number;
  /** Consecutive failures after this run (0 after a success). */
  failures: number;
  /** When the key runs again without a change (requeue or retry); absent when it waits for a change or the queue is
   * shutting down. A dirty key runs again at once whatever this says. */
  nextRunInMs?: number;
}

export interface WorkQueueOptions {
  handler: WorkHandler;
  /** How many different keys may run at the same time. */
  concurrency: number;
  backoff?: BackoffPolicy;
  /** Injectable for deterministic tests of the jitter. */
  random?: () => number;
  /** Called after every run, for logs and metrics; must not throw. */
  onSettled?: (settled: SettledWork) => void;
}

export interface ShutdownOptions {
  /** How long in-flight runs may take to finish on their own before their signal is aborted. */
  graceMs?: number;
  /** How long to wait for aborted runs to return before giving up on them. */
  abandonAfterMs?: number;
}

export interface QueueStats {
  /** Keys waiting for a free worker. */
  ready: number;
  /** Keys waiting for a requeue or retry delay. */
  delayed: number;
  inFlight: number;
}

interface Running {
  abort: AbortController;
  done: Promise<void>;
}

export class WorkQueue {
  // A Set iterates in insertion order, which makes it a deduplicated FIFO. Invariant: no key is both ready and
  // in flight; a key added while in flight goes to `dirty` instead.
  private readonly ready = new Set<string>();
  private readonly running = new Map<string, Running>();
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, { dueAt: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly backoff: BackoffPolicy;
  private accepting = true;

  constructor(private readonly options: WorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.backoff = options.backoff ?? defaultBackoff;
  }

  /** Runs the key as soon as a worker is free (or once more after its current run). Ignored after shutdown. */
  add(key: string): void {
    if (!this.accepting) return;
    this.cancelDelay(key);
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.ready.add(key);
    this.pump();
  }

  /** Runs the key after `delayMs`, unless it is already due sooner. */
  addAfter(key: string, delayMs: number): void {
    if (!this.accepting) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    if (this.ready.has(key)) return;
    const dueAt = Date.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.dueAt <= dueAt) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { dueAt, timer });
  }

  stats(): QueueStats {
    return { ready: this.ready.size, delayed: this.delayed.size, inFlight: this.running.size };
  }

  /** Stops accepting keys, drops the pending ones, and waits for in-flight runs: up to `graceMs` on their own, then
   * aborts their signal and waits up to `abandonAfterMs` more. Resolves with the keys still running then. */
  async shutdown(options: ShutdownOptions = {}): Promise<{ abandoned: string[] }> {
    const { graceMs = 30_000, abandonAfterMs = 5_000 } = options;
    this.stopAccepting();
    if (!(await this.waitForRunning(graceMs))) {
      for (const { abort } of this.running.values()) abort.abort(new Error('work queue shutting down'));
      await this.waitForRunning(abandonAfterMs);
    }
    return { abandoned: [...this.running.keys()] };
  }

  /** Stops accepting keys, drops the pending ones, and aborts every in-flight run's signal now, without a grace
   * period: for when this process must stop acting at once (it lost leadership). shutdown() still waits for the
   * runs to return. */
  abortInFlight(reason: unknown): void {
    this.stopAccepting();
    for (const { abort } of this.running.values()) abort.abort(reason);
  }

  private stopAccepting(): void {
    this.accepting = false;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.ready.clear();
    this.dirty.clear();
  }

  private async waitForRunning(timeoutMs: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    const all = Promise.all([...this.running.values()].map((r) => r.done)).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private cancelDelay(key: string): void {
    const existing = this.delayed.get(key);
    if (!existing) return;
    clearTimeout(existing.timer);
    this.delayed.delete(key);
  }

  private pump(): void {
    while (this.accepting && this.running.size < this.options.concurrency) {
      const next = this.ready.values().next();
      if (next.done) return;
      this.ready.delete(next.value);
      this.start(next.value);
    }
  }

  private start(key: string): void {
    const abort = new AbortController();
    const failuresBefore = this.failures.get(key) ?? 0;
    const startedAt = Date.now();
    // The handler runs in a later microtask so that a synchronous throw becomes a failed run like any other.
    const done = Promise.resolve()
      .then(() => this.options.handler(key, { signal: abort.signal, failures: failuresBefore }))
      .then(
        (result) => this.finish(key, startedAt, { ok: true, result }),
        (error: unknown) => this.finish(key, startedAt, { ok: false, error }),
      );
    this.running.set(key, { abort, done });
  }

  private finish(key: string, startedAt: number, outcome: { ok: true; result: WorkResult } | { ok: false; error: unknown }): void {
    this.running.delete(key);
    const wasDirty = this.dirty.delete(key);
    let nextRunInMs: number | undefined;
    let failures = 0;
    if (outcome.ok) {
      this.failures.delete(key);
      nextRunInMs = outcome.result.requeueAfterMs;
    } else {
      failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      nextRunInMs = backoffDelayMs(this.backoff, failures, this.options.random);
    }
    if (!this.accepting) nextRunInMs = undefined;
    else if (wasDirty) this.add(key);
    else if (nextRunInMs !== undefined) this.addAfter(key, nextRunInMs);

    try {
      this.options.onSettled?.({
        key,
        result: outcome.ok ? 'succeeded' : 'failed',
        ...(outcome.ok ? {} : { error: outcome.error }),
        durationMs: Date.now() - startedAt,
        failures,
        ...(nextRunInMs === undefined ? {} : { nextRunInMs }),
      });
    } catch {
      // A broken log or metrics hook must not stop the queue.
    }
    this.pump();
  }
}
