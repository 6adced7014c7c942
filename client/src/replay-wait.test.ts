import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Endpoint } from './endpoint.js';
import { formatLsn, type Lsn } from './lsn.js';
import { ReplayWait } from './replay-wait.js';
import type { RoutingState } from './routing-state.js';

/** A replica whose monitoring connection answers each replay probe after `answerMs` with the position `replayed()`
 * gives at that moment, or never when `answerMs` is Infinity. */
function replica(replayed: () => Lsn, answerMs = 0) {
  const probesAt: number[] = [];
  const ep = {
    replayLsn: undefined as Lsn | undefined,
    pools: {
      monitor: {
        query: () => {
          probesAt.push(performance.now());
          const answer = () => ({ rows: [{ lsn: formatLsn(replayed()) }] });
          if (answerMs === 0) return Promise.resolve(answer());
          return new Promise((resolve) => {
            if (answerMs !== Infinity) setTimeout(() => resolve(answer()), answerMs);
          });
        },
      },
    },
    noteProbedReplayLsn(_startedAt: number, lsn: Lsn) {
      if (ep.replayLsn === undefined || lsn > ep.replayLsn) ep.replayLsn = lsn;
      return true;
    },
  };
  return { ep: ep as unknown as Endpoint, probesAt };
}

const core = { closed: false, reportFailure: () => undefined } as unknown as RoutingState;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('waiting for a replica to replay a commit', () => {
  it('asks the replica at most once per millisecond however many reads wait', async () => {
    let position = 100n;
    const { ep, probesAt } = replica(() => position);
    const wait = new ReplayWait(core);
    const waits = Array.from({ length: 200 }, () => wait.waitForReplay([ep], 1_000n, 5));
    setTimeout(() => (position = 1_000n), 3);
    await vi.advanceTimersByTimeAsync(10);
    await expect(Promise.all(waits)).resolves.toEqual(Array.from({ length: 200 }, () => true));
    // Probes at 0, 1, 2 and 3 ms; the one at 3 ms sees the commit replayed and releases all 200 reads.
    expect(probesAt).toEqual([0, 1, 2, 3]);
  });

  it('releases each read as soon as an answer covers it, and the others at their deadline', async () => {
    let position = 100n;
    const { ep } = replica(() => position);
    const wait = new ReplayWait(core);
    const settled: string[] = [];
    const early = wait.waitForReplay([ep], 200n, 5).then((ok) => settled.push(`early ${ok}`));
    const late = wait.waitForReplay([ep], 900n, 5).then((ok) => settled.push(`late ${ok}`));
    setTimeout(() => (position = 500n), 1.5);
    await vi.advanceTimersByTimeAsync(2.5);
    expect(settled).toEqual(['early true']);
    await vi.advanceTimersByTimeAsync(5);
    await Promise.all([early, late]);
    expect(settled).toEqual(['early true', 'late false']);
    expect(ep.replayLsn).toBe(500n);
  });

  it('does not hold a read past its wait behind a probe that never answers', async () => {
    const { ep, probesAt } = replica(() => 1_000n, Infinity);
    const wait = new ReplayWait(core);
    let answer: boolean | undefined;
    void wait.waitForReplay([ep], 1_000n, 5).then((ok) => (answer = ok));
    await vi.advanceTimersByTimeAsync(4.9);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(0.2);
    expect(answer).toBe(false);
    // The stuck probe is not doubled while it hangs.
    expect(probesAt).toHaveLength(1);
  });

  it('answers true once any one of several replicas has replayed the commit', async () => {
    const behind = replica(() => 100n);
    const caughtUp = replica(() => 1_000n, 0.5);
    const wait = new ReplayWait(core);
    const answer = wait.waitForReplay([behind.ep, caughtUp.ep], 1_000n, 5);
    await vi.advanceTimersByTimeAsync(1);
    await expect(answer).resolves.toBe(true);
  });

  it('sends no probe when there is no time to wait or nothing to wait for', async () => {
    const { ep, probesAt } = replica(() => 1_000n);
    const wait = new ReplayWait(core);
    await expect(wait.waitForReplay([ep], 1_000n, 0)).resolves.toBe(false);
    await expect(wait.waitForReplay([], 1_000n, 5)).resolves.toBe(false);
    expect(probesAt).toEqual([]);
  });
});
