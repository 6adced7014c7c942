// A cache of one kind of object, kept current by one reflector per source (the whole cluster, or each watched
// namespace), with subscribers told about every change. The controller-side equivalent of a shared informer.
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { BackoffPolicy } from './backoff.js';
import type { ListSource } from './list-source.js';
import type { ObjectKey } from './object-key.js';
import { Reflector, type ReflectorStats, type WatchClient, type WatchEvent } from './reflector.js';

export interface ResourceWatcherOptions {
  /** For logs, e.g. `replicasetdbs`. */
  name: string;
  sources: readonly ListSource[];
  /** `new Watch(kubeConfig)`; see {@link watchClientFor}. */
  watchClient: WatchClient;
  log: Logger;
  /** Retry policy after a failed list or watch. */
  backoff?: BackoffPolicy;
  /** Reconnect a watch that has received nothing for this long. The API server sends a bookmark about once a minute
   * on a healthy watch, so keep this well above a minute. */
  watchdogMs?: number;
  watchTimeoutSeconds?: number;
  listPageSize?: number;
  minHealthyWatchMs?: number;
  random?: () => number;
}

export type WatchListener = (event: WatchEvent) => void;

export const watcherDefaults = {
  backoff: { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 },
  watchdogMs: 150_000,
  watchTimeoutSeconds: 300,
  listPageSize: 500,
  minHealthyWatchMs: 1_000,
} as const;

export function watchClientFor(kc: KubeConfig): WatchClient {
  return new Watch(kc);
}

export class ResourceWatcher {
  private readonly reflectors: Reflector[];
  private readonly listeners = new Set<WatchListener>();

  constructor(options: ResourceWatcherOptions) {
    if (options.sources.length === 0) throw new Error(`watcher ${options.name} has no source`);
    const log = options.log.child({ watcher: options.name });
    this.reflectors = options.sources.map(
      (source) =>
        new Reflector({
          source,
          watchClient: options.watchClient,
          log,
          onEvent: (event) => {
            for (const listener of this.listeners) {
              try {
                listener(event);
              } catch (err) {
                log.error({ err, key: event.key }, 'watch listener failed');
              }
            }
          },
          backoff: options.backoff ?? watcherDefaults.backoff,
          watchdogMs: options.watchdogMs ?? watcherDefaults.watchdogMs,
          watchTimeoutSeconds: options.watchTimeoutSeconds ?? watcherDefaults.watchTimeoutSeconds,
          listPageSize: options.listPageSize ?? watcherDefaults.listPageSize,
          minHealthyWatchMs: options.minHealthyWatchMs ?? watcherDefaults.minHealthyWatchMs,
          random: options.random ?? Math.random,
        }),
    );
  }

  /** Returns a function that unsubscribes. Subscribe before start() to see the initial list as `added` events. */
  subscribe(listener: WatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    for (const reflector of this.reflectors) reflector.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.stop()));
  }

  /** True once every source has been listed: the cache then holds everything that existed at start. */
  hasSynced(): boolean {
    return this.reflectors.every((r) => r.hasSynced());
  }

  get(key: ObjectKey): KubernetesObject | undefined {
    for (const reflector of this.reflectors) {
      const found = reflector.get(key);
      if (found) return found;
    }
    return undefined;
  }

  list(): KubernetesObject[] {
    return this.reflectors.flatMap((r) => r.list());
  }

  /** Totals over all sources. */
  stats(): ReflectorStats {
    const total: ReflectorStats = { lists: 0, watches: 0, stalls: 0, failures: 0 };
    for (const reflector of this.reflectors) {
      const s = reflector.stats();
      total.lists += s.lists;
      total.watches += s.watches;
      total.stalls += s.stalls;
      total.failures += s.failures;
    }
    return total;
  }
}
