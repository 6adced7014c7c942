// Wires watchers, the work queue and a reconcile function, in the shape of kube-rs' Controller and
// controller-runtime's builder: the reconcile is told only *which* object to look at, never why; it reads the world
// and converges (level-triggered), so a missed or coalesced event never matters. A periodic resync runs every
// object anyway as a safety net.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { BackoffPolicy } from './backoff.js';
import { keyOfObject, objectKey, parseObjectKey, type ObjectKey, type ObjectRef } from './object-key.js';
import { ownerKeys, type OwnerKind } from './owner-keys.js';
import { specOrMetadataChanged, type UpdatePredicate } from './predicates.js';
import type { WatchEvent } from './reflector.js';
import { WorkQueue, type QueueStats, type SettledWork } from './work-queue.js';

export interface ReconcileContext {
  /** Aborted when the controller stops and its grace period is over. Pass it to slow calls (AWS SDK `abortSignal`). */
  signal: AbortSignal;
  /** Random id of this run, on every log line, to follow one reconcile through interleaved logs. */
  reconcileId: string;
  /** Child logger carrying `reconcileId` and `key`. */
  log: Logger;
}

export interface ReconcileResult {
  /** Run again after this many milliseconds (something is still transitioning); absent: wait for a change. */
  requeueAfterMs?: number;
}

/** Converges one object to its spec. A thrown error requeues it with exponential backoff. */
export type Reconciler = (ref: ObjectRef, context: ReconcileContext) => Promise<ReconcileResult>;

/** What the controller needs from a watcher; {@link ResourceWatcher} provides it. */
export interface EventSource {
  subscribe(listener: (event: WatchEvent) => void): () => void;
  start(): void;
  stop(): Promise<void>;
  hasSynced(): boolean;
  list(): KubernetesObject[];
}

export interface OwnedSource {
  source: EventSource;
  /** Events of an owned object reconcile its controlling owner of this kind. */
  owner: OwnerKind;
}

export interface ControllerOptions {
  /** For logs, e.g. `replicasetdb`. */
  name: string;
  log: Logger;
  reconcile: Reconciler;
  /** The objects reconciled: each added, deleted or (see `shouldReconcileUpdate`) updated object is queued. */
  primary: EventSource;
  /** Children (ConfigMaps) whose changes reconcile their owner. */
  owned?: readonly OwnedSource[];
  /** Default: {@link specOrMetadataChanged}, so the controller's own status writes do not trigger reconciles. */
  shouldReconcileUpdate?: UpdatePredicate;
  /** Objects reconciled at the same time (each object is only ever reconciled by one run at a time). */
  concurrency?: number;
  backoff?: BackoffPolicy;
  /** Every object is queued this often even without a change; 0 disables. Jittered by up to 10%. */
  resyncIntervalMs?: number;
  /** On stop, how long in-flight reconciles may run on before their signal is aborted. */
  shutdownGraceMs?: number;
  /** After every reconcile, for metrics. */
  onReconciled?: (settled: SettledWork) => void;
  random?: () => number;
}

export const controllerDefaults = {
  concurrency: 4,
  backoff: { initialMs: 1_000, maxMs: 5 * 60_000, factor: 2, jitter: 0.2 },
  resyncIntervalMs: 10 * 60_000,
  /** Each periodic resync comes this fraction of the interval early at most, so replicas of the operator (or a
   * restart) do not keep one rhythm: resyncs are 0.9 to 1.0 intervals apart. */
  resyncJitter: 0.1,
  shutdownGraceMs: 25_000,
  /** After the grace, how long reconciles whose signal was aborted get to return. Short: a process that stops with
   * a reconcile stuck in a call that ignores its signal must still release its Lease before the kubelet's grace
   * period (the operator's is the grace plus 5 s) runs out, or every successor waits a lease duration. */
  shutdownAbandonMs: 2_000,
} as const;

export class Controller {
  private readonly queue: WorkQueue;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly shouldReconcileUpdate: UpdatePredicate;
  // The logger of each key's current run, so the settle hook logs with the same reconcileId. A key has at most one
  // run at a time, and the hook runs before the key can start again.
  private readonly runLogs = new Map<ObjectKey, Logger>();
  // Keys whose current run ended after its signal was aborted: expected on shutdown or lost leadership, not an error.
  private readonly abortedRuns = new Set<ObjectKey>();
  private readonly unsubscribes: Array<() => void> = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(private readonly options: ControllerOptions) {
    this.log = options.log.child({ controller: options.name });
    this.random = options.random ?? Math.random;
    this.shouldReconcileUpdate = options.shouldReconcileUpdate ?? specOrMetadataChanged;
    this.queue = new WorkQueue({
      concurrency: options.concurrency ?? controllerDefaults.concurrency,
      backoff: options.backoff ?? controllerDefaults.backoff,
      random: this.random,
      handler: (key, { signal, failures }) => this.runReconcile(key, signal, failures),
      onSettled: (settled) => this.settled(settled),
    });
  }

  /** Starts the watchers and the workers. Reconciles begin as the initial lists arrive. */
  start(): void {
    if (this.state !== 'new') throw new Error(`controller ${this.options.name} cannot start: it was already ${this.state}`);
    this.state = 'running';
    const { primary, owned = [] } = this.options;
    this.unsubscribes.push(primary.subscribe((event) => this.onPrimaryEvent(event)));
    for (const { source, owner } of owned) {
      this.unsubscribes.push(source.subscribe((event) => this.onOwnedEvent(event, owner)));
    }
    primary.start();
    for (const { source } of owned) source.start();
    this.scheduleResync();
    this.log.info({ concurrency: this.options.concurrency ?? controllerDefaults.concurrency }, 'controller started');
  }

  /** Stops watching, drops queued work, and waits for in-flight reconciles (see `shutdownGraceMs`). */
  async stop(): Promise<{ abandoned: ObjectKey[] }> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return { abandoned: [] };
    }
    this.state = 'stopped';
    clearTimeout(this.resyncTimer);
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    const { primary, owned = [] } = this.options;
    const [result] = await Promise.all([
      this.queue.shutdown({
        graceMs: this.options.shutdownGraceMs ?? controllerDefaults.shutdownGraceMs,
        abandonAfterMs: controllerDefaults.shutdownAbandonMs,
      }),
      primary.stop(),
      ...owned.map(({ source }) => source.stop()),
    ]);
    if (result.abandoned.length > 0) this.log.warn({ abandoned: result.abandoned }, 'stopped with reconciles still running');
    this.log.info('controller stopped');
    return result;
  }

  /** Aborts every in-flight reconcile's signal now and takes no more work: this process must stop acting at once
   * (it lost leadership). stop() still stops the watchers and waits for the reconciles to return. */
  abortInFlight(reason: unknown): void {
    if (this.state !== 'running') return;
    this.log.warn(
      { reason: reason instanceof Error ? reason.message : String(reason), inFlight: this.queue.stats().inFlight },
      'aborting every reconcile in flight',
    );
    this.queue.abortInFlight(reason);
  }

  /** True once every watcher has listed: the readiness probe. */
  hasSynced(): boolean {
    return this.options.primary.hasSynced() && (this.options.owned ?? []).every(({ source }) => source.hasSynced());
  }

  /** Queues an object from outside the watchers (a webhook, a test). */
  enqueue(ref: ObjectRef): void {
    this.queue.add(objectKey(ref));
  }

  queueStats(): QueueStats {
    return this.queue.stats();
  }

  private onPrimaryEvent(event: WatchEvent): void {
    if (event.type === 'modified' && event.previous && !this.shouldReconcileUpdate(event.previous, event.object)) return;
    this.queue.add(event.key);
  }

  private onOwnedEvent(event: WatchEvent, owner: OwnerKind): void {
    // The previous state counts too: a hand edit that removed the owner reference must still reach the owner.
    const keys = new Set([...ownerKeys(event.object, owner), ...(event.previous ? ownerKeys(event.previous, owner) : [])]);
    for (const key of keys) {
      this.log.debug({ key, child: event.key, event: event.type }, 'owned object changed');
      this.queue.add(key);
    }
  }

  private scheduleResync(): void {
    const interval = this.options.resyncIntervalMs ?? controllerDefaults.resyncIntervalMs;
    if (interval <= 0) return;
    const delay = Math.round(interval * (1 - controllerDefaults.resyncJitter * this.random()));
    this.resyncTimer = setTimeout(() => {
      if (this.state !== 'running') return;
      const objects = this.options.primary.list();
      this.log.debug({ objects: objects.length }, 'periodic resync');
      for (const object of objects) {
        const key = keyOfObject(object);
        if (key !== undefined) this.queue.add(key);
      }
      this.scheduleResync();
    }, delay);
  }

  private async runReconcile(key: ObjectKey, signal: AbortSignal, failures: number): Promise<ReconcileResult> {
    const reconcileId = randomBytes(6).toString('hex');
    const log = this.log.child({ reconcileId, key });
    this.runLogs.set(key, log);
    log.debug({ failures }, 'reconcile started');
    try {
      return await this.options.reconcile(parseObjectKey(key), { signal, reconcileId, log });
    } catch (err) {
      if (signal.aborted) this.abortedRuns.add(key);
      throw err;
    }
  }

  private settled(settled: SettledWork): void {
    const log = this.runLogs.get(settled.key) ?? this.log.child({ key: settled.key });
    this.runLogs.delete(settled.key);
    const { durationMs, nextRunInMs, failures } = settled;
    if (settled.result === 'succeeded') {
      log.debug({ durationMs, requeueAfterMs: nextRunInMs }, 'reconcile finished');
    } else if (this.abortedRuns.delete(settled.key)) {
      log.info({ reason: settled.error instanceof Error ? settled.error.message : String(settled.error), durationMs }, 'reconcile aborted');
    } else {
      log.error({ err: settled.error, durationMs, failures, retryInMs: nextRunInMs }, 'reconcile failed');
    }
    try {
      this.options.onReconciled?.(settled);
    } catch (err) {
      log.error({ err }, 'onReconciled hook failed');
    }
  }
}
