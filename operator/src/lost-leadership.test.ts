import { describe, expect, it, vi } from 'vitest';
import { EXIT_LOST_LEADERSHIP_WORK_STUCK, stopWorkOrExit } from './lost-leadership.js';
import { leaderElectionDefaults } from '@servio/controller-runtime';
import { fakeTimersInEachTest } from '../../controller-runtime/testing/fake-time.js';

function deps(stopWork: () => Promise<void>) {
  const fatal: Array<{ obj: unknown; msg: string }> = [];
  const exits: number[] = [];
  return {
    fatal,
    exits,
    deps: {
      stopWork,
      renewDeadlineMs: leaderElectionDefaults.renewDeadlineMs,
      log: { fatal: (obj: unknown, msg: string) => fatal.push({ obj, msg }) } as never,
      exit: (code: number) => void exits.push(code),
    },
  };
}

fakeTimersInEachTest();

describe('stopWorkOrExit', () => {
  it('lets the process shut down normally when the work stops within the renew deadline', async () => {
    const { deps: d, exits, fatal } = deps(() => new Promise<void>((resolve) => setTimeout(resolve, leaderElectionDefaults.renewDeadlineMs - 100)));
    const outcome = stopWorkOrExit(d);
    await vi.advanceTimersByTimeAsync(leaderElectionDefaults.renewDeadlineMs);
    await expect(outcome).resolves.toBe('stopped');
    expect(exits).toEqual([]);
    expect(fatal).toEqual([]);
  });

  it('exits with code 3 and says why when the work has not stopped at the default renew deadline', async () => {
    const { deps: d, exits, fatal } = deps(() => new Promise<void>(() => {}));
    const outcome = stopWorkOrExit(d);
    await vi.advanceTimersByTimeAsync(leaderElectionDefaults.renewDeadlineMs - 1);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('exited');
    expect(exits).toEqual([EXIT_LOST_LEADERSHIP_WORK_STUCK]);
    expect(EXIT_LOST_LEADERSHIP_WORK_STUCK).toBe(3);
    expect(fatal).toEqual([
      {
        obj: { renewDeadlineMs: 10_000, exitCode: 3 },
        msg: 'lost the leader Lease and in-flight reconciles did not stop within the renew deadline; exiting now so that nothing more is written',
      },
    ]);
  });
});
