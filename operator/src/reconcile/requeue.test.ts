import { describe, expect, it } from 'vitest';
import type { ApplyOutcome } from './apply.js';
import { requeueAfterMs } from './requeue.js';
import type { Verdict } from './status.js';

const steady: Verdict = {
  phase: 'Ready',
  ready: { status: 'True', reason: 'Available', message: '' },
  progressing: { status: 'False', reason: 'Converged', message: '' },
  degraded: { status: 'False', reason: 'Healthy', message: '' },
  transitioning: false,
};
const nothingDone: ApplyOutcome = { executed: [], instances: new Map(), finalizerRemoved: false };
const intervals = { steadyMs: 600_000, transitioningMs: 15_000 };

describe('requeueAfterMs', () => {
  it('steady: the steady interval; moving: the transitioning one', () => {
    expect(requeueAfterMs(steady, nothingDone, intervals)).toBe(600_000);
    expect(requeueAfterMs({ ...steady, transitioning: true }, nothingDone, intervals)).toBe(15_000);
  });

  it('a change waiting for RDS wakes the operator at its time when that comes before the next resync', () => {
    expect(requeueAfterMs({ ...steady, nextRetryMs: 90_000 }, nothingDone, intervals)).toBe(90_000);
    expect(requeueAfterMs({ ...steady, nextRetryMs: 3_600_000 }, nothingDone, intervals)).toBe(600_000);
    expect(requeueAfterMs({ ...steady, transitioning: true, nextRetryMs: 90_000 }, nothingDone, intervals)).toBe(15_000);
  });

  it('no requeue once the finalizer is gone', () => {
    expect(requeueAfterMs({ ...steady, nextRetryMs: 90_000 }, { ...nothingDone, finalizerRemoved: true }, intervals)).toBeUndefined();
  });
});
