import { describe, expect, it } from 'vitest';
import { estimateLagSeconds, PrimaryLsnHistory } from './lag.js';

function historyOf(...samples: Array<[lsn: number, atMs: number]>): PrimaryLsnHistory {
  const h = new PrimaryLsnHistory(60_000);
  for (const [lsn, at] of samples) h.add({ lsn: BigInt(lsn), at });
  return h;
}

describe('estimateLagSeconds', () => {
  it('is 0 for a replica at the primary position even when its last replayed commit is an hour old', () => {
    const h = historyOf([100, 1_000]);
    expect(estimateLagSeconds({ replayLsn: 100n, replayDelaySeconds: 3600, at: 1_010 }, h, h.latest())).toBe(0);
    expect(estimateLagSeconds({ replayLsn: 150n, replayDelaySeconds: 3600, at: 1_010 }, h, h.latest())).toBe(0);
  });

  it('bounds a replica by the age of the last primary sample when the primary could not be sampled this round', () => {
    const h = historyOf([100, 1_000]);
    expect(estimateLagSeconds({ replayLsn: 100n, replayDelaySeconds: 3600, at: 4_000 }, h, undefined)).toBeCloseTo(3);
  });

  it('uses the age of the newest primary sample the replica has passed when that is the tighter bound', () => {
    const h = historyOf([100, 1_000], [200, 2_000], [300, 3_000]);
    // Replayed past 200 (sampled at 2 s), answered at 3.5 s: at most 1.5 s of data missing.
    expect(estimateLagSeconds({ replayLsn: 250n, replayDelaySeconds: 3600, at: 3_500 }, h, h.latest())).toBeCloseTo(1.5);
  });

  it('uses the replay delay when that is the tighter bound', () => {
    const h = historyOf([100, 1_000], [300, 3_000]);
    expect(estimateLagSeconds({ replayLsn: 250n, replayDelaySeconds: 0.25, at: 3_500 }, h, h.latest())).toBeCloseTo(0.25);
  });

  it('grows while replay is paused under a writing primary', () => {
    const h = historyOf([100, 0]);
    const paused = { replayLsn: 100n, replayDelaySeconds: null };
    h.add({ lsn: 200n, at: 1_000 });
    expect(estimateLagSeconds({ ...paused, at: 1_000 }, h, h.latest())).toBeCloseTo(1);
    h.add({ lsn: 300n, at: 2_000 });
    expect(estimateLagSeconds({ ...paused, at: 2_000 }, h, h.latest())).toBeCloseTo(2);
  });

  it('is unbounded when nothing is known', () => {
    expect(estimateLagSeconds({ replayLsn: null, replayDelaySeconds: null, at: 5 }, historyOf([100, 0]), undefined)).toBe(Infinity);
    expect(estimateLagSeconds({ replayLsn: 50n, replayDelaySeconds: null, at: 5 }, historyOf([100, 0]), undefined)).toBe(Infinity);
    expect(estimateLagSeconds({ replayLsn: 50n, replayDelaySeconds: null, at: 5 }, new PrimaryLsnHistory(1000), undefined)).toBe(Infinity);
  });

  it('never reports a negative lag from clock skew', () => {
    expect(estimateLagSeconds({ replayLsn: 50n, replayDelaySeconds: -0.3, at: 5 }, historyOf([100, 0]), undefined)).toBe(0);
  });
});

describe('PrimaryLsnHistory', () => {
  it('forgets samples older than its horizon but keeps the latest', () => {
    const h = new PrimaryLsnHistory(1_000);
    h.add({ lsn: 1n, at: 0 });
    h.add({ lsn: 2n, at: 500 });
    h.add({ lsn: 3n, at: 1_600 });
    expect(h.newestReplayedBy(2n)).toBeUndefined();
    expect(h.newestReplayedBy(3n)?.at).toBe(1_600);
  });

  it('starts over when the position goes backwards (a different primary)', () => {
    const h = historyOf([500, 0], [600, 100]);
    h.add({ lsn: 10n, at: 200 });
    expect(h.newestReplayedBy(550n)?.lsn).toBe(10n);
    expect(h.latest()?.lsn).toBe(10n);
  });
});
