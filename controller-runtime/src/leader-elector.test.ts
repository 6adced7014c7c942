import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { LeaderElector, uniqueIdentity, type LeaderElectorOptions } from './leader-elector.js';
import type { LeaseStore } from './lease-store.js';
import { MemoryLeaseStore } from '../testing/memory-lease-store.js';
import { advance, FAKE_TIMERS_AND_DATE, fakeTimersInEachTest, flush } from '../testing/fake-time.js';

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function elector(store: LeaseStore, identity: string, overrides: Partial<LeaderElectorOptions> = {}) {
  const history: string[] = [];
  const signals: AbortSignal[] = [];
  const e = new LeaderElector({
    store,
    identity,
    ...timing,
    log: pino({ level: 'silent' }),
    onStartedLeading: (signal) => {
      signals.push(signal);
      history.push('started');
    },
    onStoppedLeading: () => {
      history.push('stopped');
    },
    now: () => Date.now(),
    random: () => 0,
    ...overrides,
  });
  return { e, history, signals };
}

const started = fakeTimersInEachTest(FAKE_TIMERS_AND_DATE, {
  start: (x: { e: LeaderElector }) => x.e.start(),
  stop: (x) => x.e.stop({ release: false }),
});

describe('LeaderElector', () => {
  it('refuses timings that cannot be safe', () => {
    const store = new MemoryLeaseStore();
    expect(() => elector(store, 'a', { leaseDurationMs: 15_500 })).toThrow(/whole number of seconds/);
    expect(() => elector(store, 'a', { renewDeadlineMs: 15_000 })).toThrow(/less than leaseDurationMs/);
    expect(() => elector(store, 'a', { retryPeriodMs: 9_000 })).toThrow(/greater than retryPeriodMs/);
  });

  it('creates a missing lease, leads, and renews every retry period', async () => {
    const store = new MemoryLeaseStore();
    const a = started(elector(store, 'a'));
    await flush();
    expect(a.e.isLeader()).toBe(true);
    expect(a.history).toEqual(['started']);
    expect(store.writes[0]).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });

    await advance(6_000);
    expect(store.writes).toHaveLength(4);
    expect(new Set(store.writes.map((w) => w.acquireTime?.getTime())).size).toBe(1);
    expect(store.writes[3]?.renewTime?.getTime()).toBeGreaterThan(store.writes[0]?.renewTime?.getTime() ?? Infinity);
  });

  it('lets exactly one of two candidates lead', async () => {
    const store = new MemoryLeaseStore();
    const a = started(elector(store, 'a'));
    const b = started(elector(store, 'b'));
    await advance(30_000);
    expect([a.e.isLeader(), b.e.isLeader()]).toEqual([true, false]);
    expect(b.e.currentLeader()).toBe('a');
    expect(b.history).toEqual([]);
  });

  it('takes over a lease left by a crashed leader once it has not changed for the lease duration', async () => {
    const store = new MemoryLeaseStore();
    const a = started(elector(store, 'a'));
    await flush();
    const b = started(elector(store, 'b'));
    await advance(4_000);
    await a.e.stop({ release: false });
    const lastRenewal = Date.now();
    // b first sees the final record at its next retry, at most one retry period later.
    await advance(timing.leaseDurationMs - 1);
    expect(b.e.isLeader()).toBe(false);
    await advance(timing.retryPeriodMs * 2);
    expect(b.e.isLeader()).toBe(true);
    expect(Date.now() - lastRenewal).toBeLessThanOrEqual(timing.leaseDurationMs + timing.retryPeriodMs * 2);
    expect(store.holder()).toBe('b');
    expect(store.writes.at(-1)?.leaseTransitions).toBe(1);
  });

  it('hands over at the next retry when the leader releases on stop, after its work has stopped', async () => {
    const store = new MemoryLeaseStore();
    const order: string[] = [];
    const a = started(
      elector(store, 'a', {
        onStoppedLeading: async () => {
          order.push(`stopped work while holder is ${store.holder()}`);
        },
      }),
    );
    await flush();
    const b = started(elector(store, 'b'));
    await advance(3_000);

    await a.e.stop();
    order.push(`after stop holder is ${JSON.stringify(store.holder())}`);
    expect(order).toEqual(['stopped work while holder is a', 'after stop holder is ""']);
    expect(a.signals[0]?.aborted).toBe(true);
    await advance(timing.retryPeriodMs);
    expect(b.e.isLeader()).toBe(true);
  });

  it('keeps renewing while its work stops on stop(), so no successor leads before the work has ended', async () => {
    const store = new MemoryLeaseStore();
    let finishWork!: () => void;
    const a = started(elector(store, 'a', { onStoppedLeading: () => new Promise<void>((resolve) => (finishWork = resolve)) }));
    await flush();
    const b = started(elector(store, 'b'));
    await advance(3_000);

    const stopping = a.e.stop();
    // The work takes longer to stop than the lease lasts.
    await advance(timing.leaseDurationMs + 10_000);
    expect(b.e.isLeader()).toBe(false);
    expect(store.holder()).toBe('a');
    // Given up on purpose, not lost: the work keeps its grace.
    expect(a.signals[0]?.aborted).toBe(false);

    finishWork();
    await stopping;
    expect(store.holder()).toBe('');
    await advance(timing.retryPeriodMs);
    expect(b.e.isLeader()).toBe(true);
  });

  it('aborts the work at once when the lease is lost while the work stops on stop()', async () => {
    const store = new MemoryLeaseStore();
    let finishWork!: () => void;
    const a = started(elector(store, 'a', { onStoppedLeading: () => new Promise<void>((resolve) => (finishWork = resolve)) }));
    await flush();
    await advance(2_000);
    const stopping = a.e.stop();
    store.unreachable = true;
    await advance(timing.renewDeadlineMs - 1);
    expect(a.signals[0]?.aborted).toBe(false);
    await advance(timing.retryPeriodMs);
    expect(a.signals[0]?.aborted).toBe(true);
    expect(a.e.isLeader()).toBe(false);
    finishWork();
    await stopping;
  });

  it('stops leading when it cannot renew within the renew deadline, and not before', async () => {
    const store = new MemoryLeaseStore();
    const a = started(elector(store, 'a'));
    await flush();
    await advance(2_000);
    const lastRenewalSentAt = Date.now();
    store.unreachable = true;
    await advance(timing.renewDeadlineMs - 1);
    expect(a.e.isLeader()).toBe(true);
    await advance(timing.retryPeriodMs);
    expect(a.e.isLeader()).toBe(false);
    expect(Date.now() - lastRenewalSentAt).toBeLessThan(timing.leaseDurationMs);
    expect(a.history).toEqual(['started', 'stopped']);
    expect(a.signals[0]?.aborted).toBe(true);
  });

  it('stops leading at once when another holder appears', async () => {
    const store = new MemoryLeaseStore();
    const a = started(elector(store, 'a'));
    await flush();
    store.overwrite({ holderIdentity: 'intruder', leaseDurationSeconds: 15, leaseTransitions: 9 });
    await advance(timing.retryPeriodMs);
    expect(a.e.isLeader()).toBe(false);
    expect(a.e.currentLeader()).toBe('intruder');
  });

  it('does not run again after losing the lease', async () => {
    const store = new MemoryLeaseStore();
    const a = started(elector(store, 'a'));
    await flush();
    store.overwrite({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 1 });
    store.overwrite({ holderIdentity: 'intruder', leaseDurationSeconds: 15, leaseTransitions: 2 });
    await advance(60_000);
    expect(a.history).toEqual(['started', 'stopped']);
  });

  it('keeps renewing while onStartedLeading runs for the whole leadership', async () => {
    const store = new MemoryLeaseStore();
    const a = started(elector(store, 'a', { onStartedLeading: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())) }));
    await advance(10_000);
    expect(a.e.isLeader()).toBe(true);
    expect(store.writes.length).toBeGreaterThanOrEqual(5);
  });

  it('stops a candidate without touching the lease', async () => {
    const store = new MemoryLeaseStore();
    started(elector(store, 'a'));
    await flush();
    const b = started(elector(store, 'b'));
    await flush();
    const writes = store.writes.length;
    await b.e.stop();
    expect(store.writes).toHaveLength(writes);
    expect(store.holder()).toBe('a');
    expect(b.history).toEqual([]);
  });

  it('does not keep a lease its acquiring write won after it was stopped', async () => {
    const shared = new MemoryLeaseStore();
    let answer!: () => void;
    // The API server answers the acquiring write only once the candidate has been told to stop.
    const store: LeaseStore = {
      description: shared.description,
      get: () => shared.get(),
      create: async (record) => {
        await new Promise<void>((resolve) => (answer = resolve));
        return shared.create(record);
      },
      update: (record, resourceVersion) => shared.update(record, resourceVersion),
    };
    const a = elector(store, 'a');
    a.e.start();
    await flush();
    const stopping = a.e.stop();
    await advance(300);
    answer();
    await stopping;
    expect(a.history).toEqual([]);
    // Held by a process that is going away, it would make the next candidate wait the whole lease duration.
    expect(shared.holder()).not.toBe('a');
  });
});

describe('uniqueIdentity', () => {
  it('is the given name (the hostname by default) and a random suffix, different for every process', () => {
    expect(uniqueIdentity('operator-a')).toMatch(/^operator-a_[0-9a-f]{8}$/);
    expect(uniqueIdentity('operator-a')).not.toBe(uniqueIdentity('operator-a'));
    expect(uniqueIdentity().startsWith(`${hostname()}_`)).toBe(true);
  });
});
