import { describe, expect, it, vi } from 'vitest';
import { leaderElectionDefaults } from './leader-elector.js';
import { stopWithin } from './stop-within.js';
import { fakeTimersInEachTest } from '../testing/fake-time.js';

fakeTimersInEachTest();

describe('stopWithin', () => {
  it('reports stopped as soon as the work stops', async () => {
    let finish!: () => void;
    const outcome = stopWithin(() => new Promise<void>((resolve) => (finish = resolve)), leaderElectionDefaults.renewDeadlineMs);
    await vi.advanceTimersByTimeAsync(3_000);
    finish();
    await expect(outcome).resolves.toBe('stopped');
  });

  it('counts a stop that fails as stopped: there is nothing left to wait for', async () => {
    await expect(stopWithin(() => Promise.reject(new Error('boom')), 1_000)).resolves.toBe('stopped');
  });

  it('gives up at the default renew deadline, not before, when the work does not stop', async () => {
    let settled: string | undefined;
    void stopWithin(() => new Promise<void>(() => {}), leaderElectionDefaults.renewDeadlineMs).then((o) => (settled = o));
    await vi.advanceTimersByTimeAsync(leaderElectionDefaults.renewDeadlineMs - 1);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe('timed-out');
  });
});
