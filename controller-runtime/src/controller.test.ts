import { Writable } from 'node:stream';
import type { KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Controller, type ControllerOptions, type ReconcileContext, type ReconcileResult } from './controller.js';
import { objectKey } from './object-key.js';
import { anObject, FakeEventSource } from '../testing/fake-watch.js';
import { advance, FAKE_TIMERS_AND_DATE, fakeTimersInEachTest, flush } from '../testing/fake-time.js';

/** Captures pino's JSON lines. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

function owned(namespace: string, name: string, ownerName: string | undefined, resourceVersion = '1'): KubernetesObject {
  return anObject(namespace, name, resourceVersion, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownerName
      ? { ownerReferences: [{ apiVersion: 'db.servio.io/v1alpha1', kind: 'ReplicaSetDB', name: ownerName, uid: 'u', controller: true }] }
      : {},
  });
}

/** A new object in the primary source, as its watch reports it, and whatever the controller does at once about it. */
async function objectAdded(s: { primary: FakeEventSource }, namespace: string, name: string): Promise<void> {
  s.primary.emit({ type: 'added', key: `${namespace}/${name}`, object: anObject(namespace, name, '1') });
  await flush();
}

function setup(reconcile: (key: string, ctx: ReconcileContext) => Promise<ReconcileResult>, options: Partial<ControllerOptions> = {}) {
  const primary = new FakeEventSource();
  const children = new FakeEventSource();
  const { log, lines } = capturedLogger();
  const controller = new Controller({
    name: 'test',
    log,
    // The tests follow keys, as the log lines and the queue do.
    reconcile: (ref, ctx) => reconcile(objectKey(ref), ctx),
    primary,
    owned: [{ source: children, owner: { group: 'db.servio.io', kind: 'ReplicaSetDB' } }],
    concurrency: 2,
    backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0 },
    resyncIntervalMs: 0,
    random: () => 0,
    ...options,
  });
  return { controller, primary, children, lines };
}

const started = fakeTimersInEachTest(FAKE_TIMERS_AND_DATE, {
  start: (s: { controller: Controller }) => s.controller.start(),
  stop: (s) => s.controller.stop(),
});

describe('Controller', () => {
  it('reconciles each added object with a fresh reconcile id and a child logger carrying it and the key', async () => {
    const contexts: Array<{ key: string; reconcileId: string }> = [];
    const s = started(
      setup(async (key, ctx) => {
        contexts.push({ key, reconcileId: ctx.reconcileId });
        ctx.log.info('reading the world');
        return {};
      }),
    );
    s.primary.emit({ type: 'added', key: 'ns/a', object: anObject('ns', 'a', '1') });
    s.primary.emit({ type: 'added', key: 'ns/b', object: anObject('ns', 'b', '1') });
    await flush();

    expect(contexts.map((c) => c.key)).toEqual(['ns/a', 'ns/b']);
    expect(contexts[0]?.reconcileId).toMatch(/^[0-9a-f]{12}$/);
    expect(contexts[0]?.reconcileId).not.toBe(contexts[1]?.reconcileId);
    const line = s.lines.find((l) => l.msg === 'reading the world' && l.key === 'ns/a');
    expect(line).toMatchObject({ reconcileId: contexts[0]?.reconcileId, controller: 'test' });
    const finished = s.lines.filter((l) => l.msg === 'reconcile finished').map((l) => [l.key, l.reconcileId]);
    expect(finished).toEqual(contexts.map((c) => [c.key, c.reconcileId]));
  });

  it('reconciles a deleted object (to clean up) and a spec change, but not a status-only write', async () => {
    const keys: string[] = [];
    const s = started(setup(async (key) => (keys.push(key), {})));
    const v1 = anObject('ns', 'a', '1', { metadata: { generation: 1 } });
    s.primary.emit({ type: 'modified', key: 'ns/a', object: { ...v1, metadata: { ...v1.metadata, resourceVersion: '2' } }, previous: v1 });
    await flush();
    expect(keys).toEqual([]);

    s.primary.emit({ type: 'modified', key: 'ns/a', object: anObject('ns', 'a', '3', { metadata: { generation: 2 } }), previous: v1 });
    await flush();
    s.primary.emit({ type: 'deleted', key: 'ns/a', object: v1 });
    await flush();
    expect(keys).toEqual(['ns/a', 'ns/a']);
  });

  it('accepts another update predicate', async () => {
    const keys: string[] = [];
    const s = started(setup(async (key) => (keys.push(key), {}), { shouldReconcileUpdate: () => true }));
    const v1 = anObject('ns', 'a', '1', { metadata: { generation: 1 } });
    s.primary.emit({ type: 'modified', key: 'ns/a', object: anObject('ns', 'a', '2', { metadata: { generation: 1 } }), previous: v1 });
    await flush();
    expect(keys).toEqual(['ns/a']);
  });

  it('reconciles the owner when an owned object changes, is deleted, or loses its owner reference', async () => {
    const keys: string[] = [];
    const s = started(setup(async (key) => (keys.push(key), {})));
    s.children.emit({ type: 'deleted', key: 'ns/a-topology', object: owned('ns', 'a-topology', 'a') });
    await flush();
    s.children.emit({
      type: 'modified',
      key: 'ns/a-topology',
      object: owned('ns', 'a-topology', undefined, '2'),
      previous: owned('ns', 'a-topology', 'a'),
    });
    await flush();
    s.children.emit({ type: 'added', key: 'ns/unowned', object: owned('ns', 'unowned', undefined) });
    await flush();
    expect(keys).toEqual(['ns/a', 'ns/a']);
  });

  it('requeues after the delay a reconcile asks for', async () => {
    let runs = 0;
    const s = started(setup(async () => (runs++, { requeueAfterMs: 30_000 })));
    await objectAdded(s, 'ns', 'a');
    await advance(29_999);
    expect(runs).toBe(1);
    await advance(1);
    expect(runs).toBe(2);
  });

  it('retries a failing reconcile with backoff and logs the error with the retry delay', async () => {
    let runs = 0;
    const s = started(
      setup(async () => {
        runs++;
        if (runs < 3) throw new Error(`AWS throttled us (${runs})`);
        return {};
      }),
    );
    await objectAdded(s, 'ns', 'a');
    await advance(1_000);
    expect(runs).toBe(2);
    await advance(1_999);
    expect(runs).toBe(2);
    await advance(1);
    expect(runs).toBe(3);

    const failures = s.lines.filter((l) => l.msg === 'reconcile failed');
    expect(failures.map((l) => [l.key, l.failures, l.retryInMs])).toEqual([
      ['ns/a', 1, 1_000],
      ['ns/a', 2, 2_000],
    ]);
    expect((failures[0]?.err as { message: string }).message).toBe('AWS throttled us (1)');
    expect(failures[0]?.reconcileId).toMatch(/^[0-9a-f]{12}$/);
  });

  it('queues every listed object on each resync', async () => {
    const keys: string[] = [];
    const s = started(setup(async (key) => (keys.push(key), {}), { resyncIntervalMs: 60_000 }));
    s.primary.objects = [anObject('ns', 'a', '1'), anObject('other', 'b', '1')];
    await advance(59_999);
    expect(keys).toEqual([]);
    await advance(1);
    expect(keys.sort()).toEqual(['ns/a', 'other/b']);
    await advance(60_000);
    expect(keys).toHaveLength(4);
  });

  it('brings each periodic resync up to a tenth of the interval early, never later than the interval', async () => {
    const at = async (random: number): Promise<number[]> => {
      const times: number[] = [];
      const s = started(setup(async () => (times.push(Date.now()), {}), { resyncIntervalMs: 60_000, random: () => random }));
      s.primary.objects = [anObject('ns', 'a', '1')];
      const start = Date.now();
      await advance(180_000);
      await s.controller.stop();
      return times.map((t) => t - start);
    };
    // The jitter is drawn anew for every resync, so these are the gaps between resyncs too.
    expect(await at(0)).toEqual([60_000, 120_000, 180_000]);
    expect(await at(0.999_999)).toEqual([54_000, 108_000, 162_000]);
    expect(await at(0.5)).toEqual([57_000, 114_000, 171_000]);
  });

  it('is synced once the primary and every owned source are', () => {
    const s = setup(async () => ({}));
    expect(s.controller.hasSynced()).toBe(false);
    s.primary.synced = true;
    expect(s.controller.hasSynced()).toBe(false);
    s.children.synced = true;
    expect(s.controller.hasSynced()).toBe(true);
  });

  it('starts and stops its sources, waits for the running reconcile, and ignores later events', async () => {
    let finishRun: (() => void) | undefined;
    const keys: string[] = [];
    const s = started(
      setup(
        (key) =>
          new Promise<ReconcileResult>((resolve) => {
            keys.push(key);
            finishRun = () => resolve({ requeueAfterMs: 1 });
          }),
      ),
    );
    expect([s.primary.started, s.children.started]).toEqual([true, true]);
    expect(() => s.controller.start()).toThrow(/already running/);
    await objectAdded(s, 'ns', 'a');

    let stopped = false;
    void s.controller.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    expect([s.primary.stopped, s.children.stopped]).toEqual([true, true]);
    expect([s.primary.listenerCount(), s.children.listenerCount()]).toEqual([0, 0]);

    finishRun?.();
    await flush();
    expect(stopped).toBe(true);
    s.controller.enqueue({ namespace: 'ns', name: 'b' });
    await advance(60_000);
    expect(keys).toEqual(['ns/a']);
  });

  it('aborts the signal of a reconcile that outlives the shutdown grace period', async () => {
    let signal: AbortSignal | undefined;
    const s = started(
      setup(
        (_key, ctx) =>
          new Promise<ReconcileResult>((_resolve, reject) => {
            signal = ctx.signal;
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
        { shutdownGraceMs: 5_000 },
      ),
    );
    await objectAdded(s, 'ns', 'a');
    let result: { abandoned: string[] } | undefined;
    void s.controller.stop().then((r) => (result = r));
    await advance(4_999);
    expect(signal?.aborted).toBe(false);
    await advance(1);
    expect(signal?.aborted).toBe(true);
    expect(result).toEqual({ abandoned: [] });
  });

  it('abortInFlight aborts every running reconcile at once, starts no other, and logs them as aborted, not failed', async () => {
    const signals = new Map<string, AbortSignal>();
    const s = started(
      setup(
        (key, ctx) =>
          new Promise<ReconcileResult>((_resolve, reject) => {
            signals.set(key, ctx.signal);
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
          }),
        { shutdownGraceMs: 25_000 },
      ),
    );
    for (const name of ['a', 'b', 'c']) s.primary.emit({ type: 'added', key: `ns/${name}`, object: anObject('ns', name, '1') });
    await flush();
    expect([...signals.keys()]).toEqual(['ns/a', 'ns/b']);

    s.controller.abortInFlight(new Error('leadership lost'));
    expect(signals.get('ns/a')?.aborted).toBe(true);
    expect(signals.get('ns/b')?.aborted).toBe(true);
    await advance(60_000);
    expect([...signals.keys()]).toEqual(['ns/a', 'ns/b']);
    const aborted = s.lines.filter((l) => l.msg === 'reconcile aborted');
    expect(aborted.map((l) => [l.key, l.reason, l.level])).toEqual([
      ['ns/a', 'leadership lost', 30],
      ['ns/b', 'leadership lost', 30],
    ]);
    expect(s.lines.filter((l) => l.msg === 'reconcile failed')).toEqual([]);
    await expect(s.controller.stop()).resolves.toEqual({ abandoned: [] });
  });
});
