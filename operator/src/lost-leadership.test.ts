import { describe, expect, it, vi } from 'vitest';
import { EXIT_LOST_LEADERSHIP_WORK_STUCK, fenceIfLostWhileStopping, fenceWindowMs, stopWorkOrExit } from './lost-leadership.js';
import { leaderElectionDefaults } from '@servio/controller-runtime';
import { fakeTimersInEachTest } from '../../controller-runtime/testing/fake-time.js';

const FENCE_MS = fenceWindowMs(leaderElectionDefaults);

function deps(stopWork: () => Promise<void>) {
  const fatal: Array<{ obj: unknown; msg: string }> = [];
  const exits: number[] = [];
  return {
    fatal,
    exits,
    deps: {
      stopWork,
      fenceMs: FENCE_MS,
      log: { fatal: (obj: unknown, msg: string) => fatal.push({ obj, msg }) } as never,
      exit: (code: number) => void exits.push(code),
    },
  };
}

fakeTimersInEachTest();

describe('the fence after losing the Lease', () => {
  it('ends a second before a successor could take the Lease: 4 s after stepping down at the defaults', () => {
    expect(leaderElectionDefaults).toMatchObject({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000 });
    expect(FENCE_MS).toBe(4_000);
    // Stepping down at the renew deadline after the last renewal sent, the process is gone by 14 s after it; a
    // successor sees that renewal unchanged for 15 s first.
    expect(leaderElectionDefaults.renewDeadlineMs + FENCE_MS).toBeLessThan(leaderElectionDefaults.leaseDurationMs);
    expect(fenceWindowMs({ leaseDurationMs: 10_000, renewDeadlineMs: 9_500 })).toBe(0);
  });
});

describe('stopWorkOrExit', () => {
  it('lets the process shut down normally when the work stops within the fence', async () => {
    const { deps: d, exits, fatal } = deps(() => new Promise<void>((resolve) => setTimeout(resolve, FENCE_MS - 100)));
    const outcome = stopWorkOrExit(d);
    await vi.advanceTimersByTimeAsync(FENCE_MS);
    await expect(outcome).resolves.toBe('stopped');
    expect(exits).toEqual([]);
    expect(fatal).toEqual([]);
  });

  it('exits with code 3 and says why when the work has not stopped at the end of the fence', async () => {
    const { deps: d, exits, fatal } = deps(() => new Promise<void>(() => {}));
    const outcome = stopWorkOrExit(d);
    await vi.advanceTimersByTimeAsync(FENCE_MS - 1);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('exited');
    expect(exits).toEqual([EXIT_LOST_LEADERSHIP_WORK_STUCK]);
    expect(EXIT_LOST_LEADERSHIP_WORK_STUCK).toBe(3);
    expect(fatal).toEqual([
      {
        obj: { fenceMs: 4_000, exitCode: 3 },
        msg: 'lost the leader Lease and in-flight reconciles did not stop before a successor could take it; exiting now so that nothing more is written',
      },
    ]);
  });
});

describe('fenceIfLostWhileStopping', () => {
  it('calls onStuck the fence window after the Lease is lost, unless the work stopped first', async () => {
    const lost = new AbortController();
    let stuck = 0;
    fenceIfLostWhileStopping(lost.signal, FENCE_MS, () => void stuck++);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stuck).toBe(0);
    lost.abort(new Error('leadership lost'));
    await vi.advanceTimersByTimeAsync(FENCE_MS - 1);
    expect(stuck).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(stuck).toBe(1);

    const stopsInTime = new AbortController();
    const workStopped = fenceIfLostWhileStopping(stopsInTime.signal, FENCE_MS, () => void stuck++);
    stopsInTime.abort(new Error('leadership lost'));
    await vi.advanceTimersByTimeAsync(FENCE_MS - 1);
    workStopped();
    await vi.advanceTimersByTimeAsync(FENCE_MS);
    expect(stuck).toBe(1);
  });

  it('does nothing when the leadership ends after the work stopped, as on a plain SIGTERM', async () => {
    const givenUp = new AbortController();
    let stuck = 0;
    const workStopped = fenceIfLostWhileStopping(givenUp.signal, FENCE_MS, () => void stuck++);
    workStopped();
    givenUp.abort(new Error('leadership given up'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stuck).toBe(0);
  });
});
