// The operator's SIGTERM path (operator/src/main.ts) at its defaults, with the real elector and controller: the
// process exits on its own at the latest `shutdownTimeout` + 5 s after the signal, and the kubelet's grace period
// is the same. A reconcile stuck in a call that ignores its abort signal must not keep the process from releasing
// the Lease before then, or every successor waits a lease duration.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Controller } from './controller.js';
import { LeaderElector } from './leader-elector.js';
import { MemoryLeaseStore } from '../testing/memory-lease-store.js';
import { FakeEventSource, anObject } from '../testing/fake-watch.js';
import { advance, FAKE_TIMERS_AND_DATE, fakeTimersInEachTest, flush } from '../testing/fake-time.js';

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const SHUTDOWN_TIMEOUT_MS = 25_000;
const HARD_DEADLINE_MS = SHUTDOWN_TIMEOUT_MS + 5_000;

fakeTimersInEachTest(FAKE_TIMERS_AND_DATE);

describe('stopping with a reconcile that ignores its abort', () => {
  it('releases the Lease before the process would be cut off', async () => {
    const store = new MemoryLeaseStore();
    const log = pino({ level: 'silent' });
    const primary = new FakeEventSource();
    const controller = new Controller({
      name: 'stuck',
      log,
      primary,
      resyncIntervalMs: 0,
      shutdownGraceMs: SHUTDOWN_TIMEOUT_MS,
      reconcile: () => new Promise(() => undefined),
    });
    const elector = new LeaderElector({
      store,
      identity: 'a',
      ...timing,
      log,
      now: () => Date.now(),
      random: () => 0,
      onStartedLeading: () => controller.start(),
      onStoppedLeading: async () => {
        await controller.stop();
      },
    });
    elector.start();
    await flush();
    primary.emit({ type: 'added', key: 'ns/x', object: anObject('ns', 'x', '1') });
    await flush();

    const signalledAt = Date.now();
    let stoppedAfterMs: number | undefined;
    void elector.stop().then(() => (stoppedAfterMs = Date.now() - signalledAt));
    for (let s = 0; s * 1_000 < HARD_DEADLINE_MS; s++) await advance(1_000);
    expect(stoppedAfterMs).toBeDefined();
    expect(stoppedAfterMs).toBeLessThan(HARD_DEADLINE_MS - 2_000);
    expect(store.holder()).toBe('');
  });
});
