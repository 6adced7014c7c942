import { describe, expect, it } from 'vitest';
import { WorkQueue, type SettledWork, type WorkHandler, type WorkQueueOptions, type WorkResult } from './work-queue.js';
import { advance, FAKE_TIMERS_AND_DATE, fakeTimersInEachTest, flush } from '../testing/fake-time.js';

interface Call {
  key: string;
  signal: AbortSignal;
  failures: number;
  succeed(result?: WorkResult): void;
  fail(error?: Error): void;
}

/** A handler whose runs stay in flight until the test settles them, so the test decides every interleaving. */
function controllableHandler() {
  const calls: Call[] = [];
  const handler: WorkHandler = (key, { signal, failures }) =>
    new Promise<WorkResult>((resolve, reject) => {
      calls.push({
        key,
        signal,
        failures,
        succeed: (result = {}) => resolve(result),
        fail: (error = new Error(`reconcile of ${key} failed`)) => reject(error),
      });
    });
  const last = (key: string): Call => {
    const call = calls.filter((c) => c.key === key).at(-1);
    if (!call) throw new Error(`${key} never ran`);
    return call;
  };
  return {
    handler,
    calls,
    keys: () => calls.map((c) => c.key),
    last,
    /** Lets the key's latest run succeed, then waits out any delay or backoff a rerun could have. */
    succeedAndIdle: async (key: string): Promise<void> => {
      last(key).succeed();
      await advance(60_000);
    },
  };
}

/** Adds the keys one after the other, as watch events arriving together would. */
function addAll(queue: WorkQueue, ...keys: string[]): void {
  for (const key of keys) queue.add(key);
}

function queueWith(handler: WorkHandler, options: Partial<WorkQueueOptions> = {}) {
  const settled: SettledWork[] = [];
  const queue = new WorkQueue({
    handler,
    concurrency: 2,
    backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0 },
    onSettled: (s) => settled.push(s),
    ...options,
  });
  return { queue, settled };
}

// Only timers and the clock are faked: setImmediate stays real so that flush() can let every pending promise
// callback run.
fakeTimersInEachTest(FAKE_TIMERS_AND_DATE);

describe('WorkQueue', () => {
  it('rejects a concurrency that is not a positive integer', () => {
    const { handler } = controllableHandler();
    expect(() => new WorkQueue({ handler, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new WorkQueue({ handler, concurrency: 1.5 })).toThrow(/concurrency/);
  });

  it('runs different keys concurrently up to the limit, in the order they were added', async () => {
    const h = controllableHandler();
    const { queue } = queueWith(h.handler, { concurrency: 2 });
    addAll(queue, 'ns/a', 'ns/b', 'ns/c');
    await flush();
    expect(h.keys()).toEqual(['ns/a', 'ns/b']);
    expect(queue.stats()).toEqual({ ready: 1, delayed: 0, inFlight: 2 });

    h.last('ns/b').succeed();
    await flush();
    expect(h.keys()).toEqual(['ns/a', 'ns/b', 'ns/c']);
  });

  it('runs a key added several times before it starts only once', async () => {
    const h = controllableHandler();
    const { queue } = queueWith(h.handler, { concurrency: 1 });
    addAll(queue, 'ns/busy', 'ns/a', 'ns/a', 'ns/a');
    await flush();
    h.last('ns/busy').succeed();
    await flush();
    await h.succeedAndIdle('ns/a');
    expect(h.keys()).toEqual(['ns/busy', 'ns/a']);
  });

  it('never runs one key twice at the same time; a key re-added while in flight runs once more afterwards', async () => {
    const h = controllableHandler();
    const { queue } = queueWith(h.handler, { concurrency: 4 });
    queue.add('ns/a');
    await flush();
    addAll(queue, 'ns/a', 'ns/a');
    await flush();
    expect(h.keys()).toEqual(['ns/a']);
    expect(queue.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 1 });

    h.last('ns/a').succeed();
    await flush();
    expect(h.keys()).toEqual(['ns/a', 'ns/a']);
    await h.succeedAndIdle('ns/a');
    expect(h.keys()).toEqual(['ns/a', 'ns/a']);
  });

  it('requeues after the delay a run asks for, not before', async () => {
    const h = controllableHandler();
    const { queue, settled } = queueWith(h.handler);
    queue.add('ns/a');
    await flush();
    h.last('ns/a').succeed({ requeueAfterMs: 5_000 });
    await advance(4_999);
    expect(h.keys()).toEqual(['ns/a']);
    expect(queue.stats()).toEqual({ ready: 0, delayed: 1, inFlight: 0 });
    await advance(1);
    expect(h.keys()).toEqual(['ns/a', 'ns/a']);
    expect(settled[0]).toMatchObject({ key: 'ns/a', result: 'succeeded', nextRunInMs: 5_000, failures: 0 });
  });

  it('waits for a change when a run asks for no requeue', async () => {
    const h = controllableHandler();
    const { queue, settled } = queueWith(h.handler);
    queue.add('ns/a');
    await flush();
    h.last('ns/a').succeed();
    await advance(24 * 3_600_000);
    expect(h.keys()).toEqual(['ns/a']);
    expect(settled[0]).not.toHaveProperty('nextRunInMs');
  });

  it.each([
    ['shorter second', [10_000, 2_000]],
    ['shorter first', [2_000, 10_000]],
  ])('keeps the earliest of two delayed requeues (%s) and runs once', async (_, delays) => {
    const h = controllableHandler();
    const { queue } = queueWith(h.handler);
    for (const delay of delays) queue.addAfter('ns/a', delay);
    await advance(1_999);
    expect(h.keys()).toEqual([]);
    await advance(1);
    expect(h.keys()).toEqual(['ns/a']);
    await h.succeedAndIdle('ns/a');
    expect(h.keys()).toEqual(['ns/a']);
  });

  it('runs at once when a key waiting for a delay is added, and drops the delay', async () => {
    const h = controllableHandler();
    const { queue } = queueWith(h.handler);
    queue.addAfter('ns/a', 10_000);
    queue.add('ns/a');
    await flush();
    expect(h.keys()).toEqual(['ns/a']);
    await h.succeedAndIdle('ns/a');
    expect(h.keys()).toEqual(['ns/a']);
  });

  it('ignores a delayed requeue of a key that is already ready', async () => {
    const h = controllableHandler();
    const { queue } = queueWith(h.handler, { concurrency: 1 });
    addAll(queue, 'ns/busy', 'ns/a');
    queue.addAfter('ns/a', 1_000);
    expect(queue.stats()).toEqual({ ready: 1, delayed: 0, inFlight: 1 });
  });

  it('retries a failing key with exponential backoff, and resets the backoff after a success', async () => {
    const h = controllableHandler();
    const { queue, settled } = queueWith(h.handler);
    queue.add('ns/a');
    await flush();

    for (const [attempt, delay] of [1_000, 2_000, 4_000, 8_000, 8_000].entries()) {
      expect(h.last('ns/a').failures).toBe(attempt);
      h.last('ns/a').fail();
      await advance(delay - 1);
      expect(h.calls).toHaveLength(attempt + 1);
      await advance(1);
      expect(h.calls).toHaveLength(attempt + 2);
    }
    expect(settled.map((s) => s.nextRunInMs)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(settled.at(-1)).toMatchObject({ result: 'failed', failures: 5 });

    h.last('ns/a').succeed({ requeueAfterMs: 100 });
    await advance(100);
    expect(h.last('ns/a').failures).toBe(0);
    h.last('ns/a').fail();
    await flush();
    expect(settled.at(-1)).toMatchObject({ result: 'failed', failures: 1, nextRunInMs: 1_000 });
  });

  it('applies jitter to the backoff', async () => {
    const h = controllableHandler();
    const { queue, settled } = queueWith(h.handler, {
      backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0.5 },
      random: () => 1,
    });
    queue.add('ns/a');
    await flush();
    h.last('ns/a').fail();
    await flush();
    expect(settled[0]?.nextRunInMs).toBe(500);
  });

  it('keeps failure counts per key', async () => {
    const h = controllableHandler();
    const { queue, settled } = queueWith(h.handler);
    addAll(queue, 'ns/a', 'ns/b');
    await flush();
    h.last('ns/a').fail();
    await advance(1_000);
    h.last('ns/a').fail();
    h.last('ns/b').fail();
    await flush();
    expect(settled.map((s) => [s.key, s.nextRunInMs])).toEqual([
      ['ns/a', 1_000],
      ['ns/a', 2_000],
      ['ns/b', 1_000],
    ]);
  });

  it('reruns a dirty key at once even after a failure', async () => {
    const h = controllableHandler();
    const { queue } = queueWith(h.handler);
    queue.add('ns/a');
    await flush();
    queue.add('ns/a');
    h.last('ns/a').fail();
    await flush();
    expect(h.keys()).toEqual(['ns/a', 'ns/a']);
    expect(h.last('ns/a').failures).toBe(1);
  });

  it('treats a handler that throws synchronously as a failed run', async () => {
    const settled: SettledWork[] = [];
    const queue = new WorkQueue({
      concurrency: 1,
      handler: () => {
        throw new Error('boom');
      },
      onSettled: (s) => settled.push(s),
    });
    queue.add('ns/a');
    await flush();
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ result: 'failed', failures: 1 });
    expect(String(settled[0]?.error)).toContain('boom');
  });

  it('keeps working when the settle hook throws', async () => {
    const h = controllableHandler();
    const { queue } = queueWith(h.handler, {
      concurrency: 1,
      onSettled: () => {
        throw new Error('broken metrics');
      },
    });
    addAll(queue, 'ns/a', 'ns/b');
    await flush();
    h.last('ns/a').succeed();
    await flush();
    expect(h.keys()).toEqual(['ns/a', 'ns/b']);
  });

  describe('shutdown', () => {
    it('stops accepting keys, drops pending and delayed ones, and waits for in-flight runs', async () => {
      const h = controllableHandler();
      const { queue } = queueWith(h.handler, { concurrency: 1 });
      addAll(queue, 'ns/a', 'ns/b');
      queue.addAfter('ns/c', 1_000);
      await flush();

      let result: { abandoned: string[] } | undefined;
      void queue.shutdown({ graceMs: 10_000 }).then((r) => (result = r));
      queue.add('ns/d');
      await advance(5_000);
      expect(result).toBeUndefined();
      expect(h.last('ns/a').signal.aborted).toBe(false);

      h.last('ns/a').succeed({ requeueAfterMs: 1 });
      await flush();
      expect(result).toEqual({ abandoned: [] });
      await advance(60_000);
      expect(h.keys()).toEqual(['ns/a']);
      expect(queue.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0 });
    });

    it('aborts in-flight runs after the grace period and reports those that do not return', async () => {
      const h = controllableHandler();
      const { queue } = queueWith(h.handler);
      addAll(queue, 'ns/cooperative', 'ns/stubborn');
      await flush();
      h.last('ns/cooperative').signal.addEventListener('abort', () => h.last('ns/cooperative').fail());

      let result: { abandoned: string[] } | undefined;
      void queue.shutdown({ graceMs: 1_000, abandonAfterMs: 2_000 }).then((r) => (result = r));
      await advance(999);
      expect(h.last('ns/stubborn').signal.aborted).toBe(false);
      await advance(1);
      expect(h.last('ns/stubborn').signal.aborted).toBe(true);
      expect(result).toBeUndefined();
      await advance(2_000);
      expect(result).toEqual({ abandoned: ['ns/stubborn'] });
      // A run that fails because it was aborted is not retried.
      await advance(60_000);
      expect(h.keys()).toEqual(['ns/cooperative', 'ns/stubborn']);
    });

    it('abortInFlight aborts every running key at once, with the reason, and takes no more work', async () => {
      const h = controllableHandler();
      const { queue } = queueWith(h.handler, { concurrency: 2 });
      addAll(queue, 'ns/a', 'ns/b', 'ns/c');
      queue.addAfter('ns/d', 1_000);
      await flush();
      const reason = new Error('leadership lost');
      queue.abortInFlight(reason);
      expect(h.last('ns/a').signal.aborted).toBe(true);
      expect(h.last('ns/b').signal.reason).toBe(reason);
      h.last('ns/a').fail();
      h.last('ns/b').succeed({ requeueAfterMs: 1 });
      queue.add('ns/e');
      await advance(60_000);
      expect(h.keys()).toEqual(['ns/a', 'ns/b']);
      await expect(queue.shutdown({ graceMs: 0 })).resolves.toEqual({ abandoned: [] });
    });

    it('resolves at once when nothing runs', async () => {
      const h = controllableHandler();
      const { queue } = queueWith(h.handler);
      await expect(queue.shutdown({ graceMs: 0 })).resolves.toEqual({ abandoned: [] });
    });
  });
});
