// Two operator processes with the real elector at the default lease timings, wired as main.ts wires the fence: the
// leader alone loses the API server while one of its reconciles is stuck in a call that ignores its abort signal.
// It must have exited before the standby starts leading.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LeaderElector, leaderElectionDefaults, type LeaseStore } from '@servio/controller-runtime';
import { MemoryLeaseStore } from '../../controller-runtime/testing/memory-lease-store.js';
import { advance, FAKE_TIMERS_AND_DATE, fakeTimersInEachTest, flush } from '../../controller-runtime/testing/fake-time.js';
import { fenceIfLostWhileStopping, fenceWindowMs, stopWorkOrExit } from './lost-leadership.js';

/** One process's way to the shared Lease; `cut` takes only this process off the API server. */
function reachableLease(shared: MemoryLeaseStore): LeaseStore & { cut: boolean } {
  const lease = {
    description: shared.description,
    cut: false,
    reach() {
      if (lease.cut) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    },
    async get() {
      lease.reach();
      return shared.get();
    },
    async create(record: Parameters<LeaseStore['create']>[0]) {
      lease.reach();
      return shared.create(record);
    },
    async update(record: Parameters<LeaseStore['update']>[0], resourceVersion: string) {
      lease.reach();
      return shared.update(record, resourceVersion);
    },
  };
  return lease;
}

const started = fakeTimersInEachTest<{ e: LeaderElector }>(FAKE_TIMERS_AND_DATE, {
  start: (x) => x.e.start(),
  stop: (x) => x.e.stop({ release: false }),
});

/** Two candidates sharing one Lease, and when each started leading or exited. */
function twoCandidates() {
  const shared = new MemoryLeaseStore();
  const aLease = reachableLease(shared);
  const events: Array<[string, number]> = [];
  const t0 = Date.now();
  const at = (what: string) => void events.push([what, Date.now() - t0]);
  const candidate = (identity: string, store: LeaseStore, onStoppedLeading: () => Promise<void> | void, onSignal?: (signal: AbortSignal) => void) =>
    new LeaderElector({
      store,
      identity,
      ...leaderElectionDefaults,
      log: pino({ level: 'silent' }),
      now: () => Date.now(),
      random: () => 0,
      onStartedLeading: (signal) => {
        onSignal?.(signal);
        at(`${identity} started`);
      },
      onStoppedLeading,
    });
  /** b campaigns, a renews once more and then alone loses the API server; `lose` runs just before. */
  async function aLosesTheApiServer(lose: () => void = () => undefined): Promise<void> {
    started({ e: candidate('b', reachableLease(shared), () => undefined) });
    await advance(2_000);
    lose();
    aLease.cut = true;
    for (let s = 0; s < 40; s++) await advance(1_000);
  }
  function expectAExitedBeforeBStarted(): void {
    const bStarted = events.find(([what]) => what === 'b started')?.[1];
    const aExited = events.find(([what]) => what === 'a exit 3')?.[1];
    expect(bStarted).toBeDefined();
    expect(aExited).toBeDefined();
    expect(aExited!).toBeLessThan(bStarted!);
  }
  return { aLease, at, candidate, aLosesTheApiServer, expectAExitedBeforeBStarted };
}

describe('the old leader after losing the Lease', () => {
  it('has exited before a successor starts leading', async () => {
    const w = twoCandidates();
    started({
      e: w.candidate('a', w.aLease, async () => {
        await stopWorkOrExit({
          stopWork: () => new Promise<void>(() => undefined),
          fenceMs: fenceWindowMs(leaderElectionDefaults),
          log: { fatal: () => undefined } as never,
          exit: (code) => w.at(`a exit ${code}`),
        });
      }),
    });
    await flush();
    await w.aLosesTheApiServer();
    w.expectAExitedBeforeBStarted();
  });

  it('has exited before a successor starts leading when the Lease is lost while it stops on SIGTERM', async () => {
    const w = twoCandidates();
    let signal: AbortSignal | undefined;
    const a = w.candidate(
      'a',
      w.aLease,
      // main.ts's branch for a leader that is stopping: the work gets its grace while the Lease is renewed.
      async () => {
        const workStopped = fenceIfLostWhileStopping(signal, fenceWindowMs(leaderElectionDefaults), () => w.at('a exit 3'));
        try {
          await new Promise<void>(() => undefined);
        } finally {
          workStopped();
        }
      },
      (s) => (signal = s),
    );
    // Not stopped after the test: its work never returns, which is the point.
    a.start();
    await flush();
    await w.aLosesTheApiServer(() => void a.stop());
    w.expectAExitedBeforeBStarted();
  });
});
