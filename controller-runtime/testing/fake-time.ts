// Fake time for unit tests of timer-driven code (backoff, requeues, leases, deadlines), set up the same way in
// every file: fake timers in each test, and whatever a test started is stopped before real time returns, so that
// nothing it left running fires into the next test.
import { afterEach, beforeEach, vi } from 'vitest';

type FakeTimerOptions = Parameters<typeof vi.useFakeTimers>[0];

/** Timers and Date faked, the rest (setImmediate, promises) real, so {@link flush} still lets callbacks run. */
export const FAKE_TIMERS_AND_DATE: FakeTimerOptions = { toFake: ['setTimeout', 'clearTimeout', 'Date'] };

export interface Lifecycle<T> {
  start(item: T): void;
  stop(item: T): Promise<unknown> | void;
}

/** Fakes timers in each test of the file. Returns `started`: it starts an item through `lifecycle` and has it
 * stopped after the test, still under fake time. */
export function fakeTimersInEachTest<T = never>(options?: FakeTimerOptions, lifecycle?: Lifecycle<T>): <U extends T>(item: U) => U {
  let running: T[] = [];
  beforeEach(() => {
    vi.useFakeTimers(options);
  });
  afterEach(async () => {
    for (const item of running) await lifecycle?.stop(item);
    running = [];
    vi.useRealTimers();
  });
  return (item) => {
    lifecycle?.start(item);
    running.push(item);
    return item;
  };
}

/** Lets pending I/O callbacks and the promise chains they resolve run. */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Moves fake time on by `ms`, then lets what it woke up run. */
export async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await flush();
}
