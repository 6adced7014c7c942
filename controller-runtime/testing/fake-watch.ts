// In-memory stand-ins for the API server's list and watch, for unit tests of the reflector and the controller.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ListResult, ListSource } from '../src/list-source.js';
import type { WatchClient, WatchEvent } from '../src/reflector.js';

export function anObject(namespace: string, name: string, resourceVersion: string, extra: Partial<KubernetesObject> = {}): KubernetesObject {
  return { apiVersion: 'test.io/v1', kind: 'Thing', ...extra, metadata: { namespace, name, resourceVersion, ...extra.metadata } };
}

export interface FakeWatchRequest {
  path: string;
  query: Record<string, string | number | boolean | undefined>;
  aborted: boolean;
  /** Sends one watch event, as the API server would. */
  send(phase: string, object: unknown): void;
  /** Ends the stream: cleanly without an error, as after the server's timeoutSeconds. */
  end(error?: unknown): void;
}

/** Behaves like @kubernetes/client-node's Watch: `done` is called once, also (with an AbortError) after abort(). */
export class FakeWatchClient implements WatchClient {
  readonly requests: FakeWatchRequest[] = [];
  /** When set, watch() does not resolve until the test calls the returned function (a connection still opening). */
  holdConnections = false;
  private readonly held: Array<() => void> = [];

  async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, object: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<{ abort(): void }> {
    let ended = false;
    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      done(error ?? null);
    };
    const request: FakeWatchRequest = {
      path,
      query,
      aborted: false,
      send: (phase, object) => {
        if (!ended) callback(phase, object);
      },
      end,
    };
    this.requests.push(request);
    const controller = {
      abort: () => {
        request.aborted = true;
        end(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }));
      },
    };
    if (this.holdConnections) await new Promise<void>((resolve) => this.held.push(resolve));
    return controller;
  }

  releaseHeldConnections(): void {
    for (const release of this.held.splice(0)) release();
  }

  last(): FakeWatchRequest {
    const request = this.requests.at(-1);
    if (!request) throw new Error('no watch was opened');
    return request;
  }

  open(): FakeWatchRequest[] {
    return this.requests.filter((r) => !r.aborted);
  }
}

/** A list endpoint whose answers the test sets: the current objects and resourceVersion, or an error. */
export class FakeListSource implements ListSource {
  readonly description = 'things in all namespaces';
  readonly path = '/apis/test.io/v1/things';
  readonly labelSelector = 'app=test';
  objects: KubernetesObject[] = [];
  resourceVersion = '1';
  pageSize: number | undefined;
  failWith: Error | undefined;
  calls = 0;
  readonly pageRequests: Array<{ limit: number; continueToken?: string }> = [];

  async list(page: { limit: number; continueToken?: string }): Promise<ListResult> {
    this.calls += 1;
    this.pageRequests.push(page);
    if (this.failWith) throw this.failWith;
    const size = this.pageSize ?? this.objects.length;
    const start = page.continueToken === undefined ? 0 : Number(page.continueToken);
    const end = start + size;
    return {
      items: this.objects.slice(start, end),
      resourceVersion: this.resourceVersion,
      ...(end < this.objects.length ? { continueToken: String(end) } : {}),
    };
  }
}

/** An event source the test drives by hand, for controller tests. */
export class FakeEventSource {
  objects: KubernetesObject[] = [];
  synced = false;
  started = false;
  stopped = false;
  private readonly listeners = new Set<(event: WatchEvent) => void>();

  subscribe(listener: (event: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  start(): void {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  hasSynced(): boolean {
    return this.synced;
  }
  list(): KubernetesObject[] {
    return this.objects;
  }
  emit(event: WatchEvent): void {
    for (const listener of this.listeners) listener(event);
  }
  listenerCount(): number {
    return this.listeners.size;
  }
}
