// List, then watch from the list's resourceVersion, forever; keeps a cache of the listed objects and reports every
// change. Written on the client's `Watch` rather than its `ListWatch` informer (@kubernetes/client-node 1.4.0)
// because that informer stops for good on any error other than 410 (it only calls its error callbacks), reports
// its own stop() as an error, and cannot ask for bookmarks or a server-side timeout; and the `Watch` itself has no
// client-side timeout (its 30 s timeout signal is overwritten before use), so a connection that goes silent is
// never noticed. Here:
// - a 410 (resourceVersion too old) relists at once; any other list or watch error retries with jittered backoff;
// - a watch that ends cleanly (the server's timeoutSeconds) continues from the last resourceVersion, without a list;
// - a watchdog aborts a watch that has received nothing (no event, no bookmark) for `watchdogMs` and opens a new
//   one. Bookmarks arrive about once a minute on a healthy watch, so silence beyond that means a stalled
//   connection (a NAT or load balancer dropping it without a reset), which would otherwise lose events silently.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { abortableSleep } from './abortable-sleep.js';
import { httpStatusOf } from './api-status.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import type { ListSource } from './list-source.js';
import { keyOfObject, type ObjectKey } from './object-key.js';

export type WatchEventType = 'added' | 'modified' | 'deleted';

export interface WatchEvent {
  type: WatchEventType;
  key: ObjectKey;
  object: KubernetesObject;
  /** The cached object this event replaces (modified), or the last known state (deleted). */
  previous?: KubernetesObject;
}

/** The part of @kubernetes/client-node's `Watch` that the reflector uses; `new Watch(kubeConfig)` satisfies it. */
export interface WatchClient {
  watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<{ abort(): void }>;
}

export interface ReflectorOptions {
  source: ListSource;
  watchClient: WatchClient;
  log: Logger;
  onEvent: (event: WatchEvent) => void;
  backoff: BackoffPolicy;
  watchdogMs: number;
  /** Server-side lifetime of one watch; each watch asks for a random value between this and twice this, so that
   * many watchers do not reconnect together (as client-go's reflector does). */
  watchTimeoutSeconds: number;
  listPageSize: number;
  /** A watch that ends cleanly sooner than this counts as a failure, so a server or proxy that closes every watch
   * at once cannot make the reflector reconnect in a tight loop. */
  minHealthyWatchMs: number;
  random: () => number;
}

export interface ReflectorStats {
  lists: number;
  watches: number;
  /** Watches aborted by the watchdog. */
  stalls: number;
  /** Failed lists and watches (410 excluded). */
  failures: number;
}

type WatchEnd = 'closed' | 'stalled' | 'stopped';

/** An error the API server reported, as a watch ERROR event or an HTTP status. */
export class WatchError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
  ) {
    super(message);
    this.name = 'WatchError';
  }
}

export class Reflector {
  private readonly cache = new Map<ObjectKey, KubernetesObject>();
  private readonly stopping = new AbortController();
  private resourceVersion = '';
  private synced = false;
  private consecutiveFailures = 0;
  private running: Promise<void> | undefined;
  private readonly counters: ReflectorStats = { lists: 0, watches: 0, stalls: 0, failures: 0 };
  private readonly log: Logger;

  constructor(private readonly options: ReflectorOptions) {
    this.log = options.log.child({ source: options.source.description });
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** True once the first list has completed; stays true across relists, as the cache keeps serving meanwhile. */
  hasSynced(): boolean {
    return this.synced;
  }

  get(key: ObjectKey): KubernetesObject | undefined {
    return this.cache.get(key);
  }

  list(): KubernetesObject[] {
    return [...this.cache.values()];
  }

  stats(): ReflectorStats {
    return { ...this.counters };
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let watchStartedAt: number | undefined;
      const watchWasHealthy = () => watchStartedAt !== undefined && Date.now() - watchStartedAt >= this.options.minHealthyWatchMs;
      try {
        if (this.resourceVersion === '') {
          await this.relist();
          this.consecutiveFailures = 0;
        }
        if (this.stopped) return;
        watchStartedAt = Date.now();
        const end = await this.watchOnce();
        if (end === 'closed' && !watchWasHealthy()) {
          throw new WatchError('watch closed right after it opened', undefined);
        }
        this.consecutiveFailures = 0;
      } catch (err) {
        if (this.stopped) return;
        if (isGone(err)) {
          this.log.info('resourceVersion expired (410); listing again');
          this.resourceVersion = '';
          continue;
        }
        // A watch that served for a while before failing starts the backoff afresh.
        if (watchWasHealthy()) this.consecutiveFailures = 0;
        this.counters.failures += 1;
        this.consecutiveFailures += 1;
        const retryInMs = backoffDelayMs(this.options.backoff, this.consecutiveFailures, this.options.random);
        this.log.warn({ err, failures: this.consecutiveFailures, retryInMs }, 'list or watch failed; retrying after backoff');
        await abortableSleep(retryInMs, this.stopping.signal);
      }
    }
  }

  private async relist(): Promise<void> {
    this.counters.lists += 1;
    const items: KubernetesObject[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      const page = await this.options.source.list({
        limit: this.options.listPageSize,
        ...(continueToken === undefined ? {} : { continueToken }),
      });
      items.push(...page.items);
      resourceVersion = page.resourceVersion;
      continueToken = page.continueToken;
    } while (continueToken !== undefined && !this.stopped);
    if (this.stopped) return;

    // Objects deleted while no watch was open (or during the gap a 410 reveals) are only visible as absent.
    const listed = new Map<ObjectKey, KubernetesObject>();
    for (const item of items) {
      const key = keyOfObject(item);
      if (key !== undefined) listed.set(key, item);
    }
    for (const [key, previous] of [...this.cache]) {
      if (listed.has(key)) continue;
      this.cache.delete(key);
      this.emit({ type: 'deleted', key, object: previous, previous });
    }
    for (const [key, object] of listed) this.upsert(key, object);
    this.resourceVersion = resourceVersion;
    this.synced = true;
    this.log.debug({ objects: listed.size, resourceVersion }, 'listed');
  }

  private watchOnce(): Promise<WatchEnd> {
    this.counters.watches += 1;
    const { source, watchClient, watchdogMs, watchTimeoutSeconds, random } = this.options;
    const query = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.round(watchTimeoutSeconds * (1 + random())),
      labelSelector: source.labelSelector,
    };
    return new Promise<WatchEnd>((resolve, reject) => {
      let finished = false;
      let request: { abort(): void } | undefined;
      let watchdog: NodeJS.Timeout | undefined;
      const finish = (settle: () => void) => {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        this.stopping.signal.removeEventListener('abort', onStop);
        request?.abort();
        settle();
      };
      const onStop = () => finish(() => resolve('stopped'));
      const armWatchdog = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          finish(() => {
            this.counters.stalls += 1;
            this.log.warn({ silentForMs: watchdogMs }, 'watch silent for too long; reconnecting');
            resolve('stalled');
          });
        }, watchdogMs);
      };
      this.stopping.signal.addEventListener('abort', onStop, { once: true });
      armWatchdog();

      const onEvent = (phase: string, object: unknown) => {
        if (finished) return;
        armWatchdog();
        if (phase === 'ERROR') {
          finish(() => reject(statusError(object)));
          return;
        }
        this.applyWatchEvent(phase, object as KubernetesObject);
      };
      // The client reports the end of a watch we aborted ourselves as an AbortError: `finished` is already set then.
      const onDone = (err: unknown) => finish(() => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve('closed')));

      watchClient.watch(source.path, query, onEvent, onDone).then(
        (controller) => {
          request = controller;
          // The watchdog or stop() may have fired while the request was still connecting.
          if (finished) controller.abort();
        },
        (err: unknown) => onDone(err ?? new Error('watch failed')),
      );
    });
  }

  private applyWatchEvent(phase: string, object: KubernetesObject): void {
    const resourceVersion = object.metadata?.resourceVersion;
    if (phase === 'BOOKMARK') {
      if (resourceVersion) this.resourceVersion = resourceVersion;
      return;
    }
    const key = keyOfObject(object);
    if (key === undefined) return;
    if (phase === 'ADDED' || phase === 'MODIFIED') this.upsert(key, object);
    else if (phase === 'DELETED') {
      const previous = this.cache.get(key);
      this.cache.delete(key);
      this.emit({ type: 'deleted', key, object, ...(previous ? { previous } : {}) });
    } else return;
    if (resourceVersion) this.resourceVersion = resourceVersion;
  }

  private upsert(key: ObjectKey, object: KubernetesObject): void {
    const previous = this.cache.get(key);
    if (previous && previous.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    this.cache.set(key, object);
    this.emit(previous ? { type: 'modified', key, object, previous } : { type: 'added', key, object });
  }

  private emit(event: WatchEvent): void {
    try {
      this.options.onEvent(event);
    } catch (err) {
      this.log.error({ err, key: event.key }, 'watch event listener failed');
    }
  }
}

function isGone(err: unknown): boolean {
  return httpStatusOf(err) === 410;
}

/** A watch ERROR event carries a metav1.Status. */
function statusError(object: unknown): WatchError {
  const status = (typeof object === 'object' && object !== null ? object : {}) as { code?: unknown; message?: unknown };
  const code = typeof status.code === 'number' ? status.code : undefined;
  const message = typeof status.message === 'string' ? status.message : 'watch reported an error';
  return new WatchError(message, code);
}
