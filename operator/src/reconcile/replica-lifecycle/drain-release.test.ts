// The drain gate's evidence rule, branch by branch: the earliest moment, the maximum, missing CloudWatch, and
// DatabaseConnections quiet (or not) for the quiet period.
import { describe, expect, it } from 'vitest';
import type { MetricDatapoint } from '../../cloudwatch/connections-query.js';
import { drainRelease, type DrainReleaseInput } from './drain-release.js';

const SINCE = new Date('2026-11-26T16:00:00Z');
const after = (seconds: number) => new Date(SINCE.getTime() + seconds * 1000);
/** One datapoint per minute ending `endSeconds` after SINCE, oldest first. */
const series = (endSeconds: number, values: number[]): MetricDatapoint[] =>
  values.map((value, i) => ({ at: after(endSeconds - (values.length - 1 - i) * 60), value }));
const ROUTING = { drainSeconds: 150, drainConnectionFloor: 0, drainQuietSeconds: 120 };

function verdict(nowSeconds: number, connections: MetricDatapoint[] | undefined, routing: Partial<DrainReleaseInput['routing']> = {}) {
  return drainRelease({ now: after(nowSeconds), drainingSince: SINCE, routing: { ...ROUTING, ...routing }, connections });
}

describe('drainRelease', () => {
  it('holds until drainSeconds have passed, however quiet the replica is', () => {
    expect(verdict(149, series(140, [0, 0, 0]))).toEqual({ release: undefined, why: `it is deleted at ${after(150).toISOString()} at the earliest` });
  });

  it('releases on quiet connections once drainSeconds have passed: two datapoints at or below the floor', () => {
    expect(verdict(150, series(140, [7, 0, 0]))).toEqual({ release: 'ConnectionsQuiet' });
  });

  it('holds while a datapoint of the quiet period is above the floor, and says what it saw and until when', () => {
    const v = verdict(200, series(190, [0, 3]));
    expect(v.release).toBeUndefined();
    expect(v).toMatchObject({ why: expect.stringContaining(`connections: 3 at ${after(190).toISOString()}`) });
    expect(v).toMatchObject({ why: expect.stringContaining(`or at ${after(900).toISOString()} at the latest`) });
    expect(verdict(200, series(190, [3, 0])).release).toBeUndefined();
  });

  it('counts connections up to the floor as quiet, above it as busy', () => {
    expect(verdict(200, series(190, [2, 2]), { drainConnectionFloor: 2 })).toEqual({ release: 'ConnectionsQuiet' });
    expect(verdict(200, series(190, [2, 3]), { drainConnectionFloor: 2 }).release).toBeUndefined();
  });

  it('needs as many datapoints as the quiet period has minutes', () => {
    expect(verdict(400, series(390, [0, 0]), { drainQuietSeconds: 180 }).release).toBeUndefined();
    expect(verdict(400, series(390, [0, 0, 0]), { drainQuietSeconds: 180 })).toEqual({ release: 'ConnectionsQuiet' });
    expect(verdict(400, series(390, [0]))).toMatchObject({ release: undefined });
  });

  it('holds without any datapoint: no evidence is not quiet', () => {
    expect(verdict(300, [])).toMatchObject({ release: undefined, why: expect.stringContaining('no datapoint yet') });
  });

  it('does not take datapoints from long ago for the present', () => {
    // The newest two are quiet but end six minutes ago: CloudWatch has said nothing since.
    expect(verdict(600, series(240, [0, 0])).release).toBeUndefined();
    // Within the quiet period plus the publishing delay: current enough.
    expect(verdict(600, series(480, [0, 0]))).toEqual({ release: 'ConnectionsQuiet' });
  });

  it('holds when CloudWatch could not be read, until the maximum', () => {
    expect(verdict(300, undefined)).toMatchObject({ release: undefined, why: expect.stringContaining('could not be read') });
    expect(verdict(900, undefined)).toEqual({ release: 'MaxDrainSeconds' });
  });

  it('releases at the maximum however busy the replica still is', () => {
    expect(verdict(899, series(890, [40, 40])).release).toBeUndefined();
    expect(verdict(900, series(890, [40, 40]))).toEqual({ release: 'MaxDrainSeconds' });
    expect(verdict(200, series(190, [40, 40]), { maxDrainSeconds: 200 })).toEqual({ release: 'MaxDrainSeconds' });
  });

  it('takes the maximum from drainSeconds when that is longer than the default 900', () => {
    expect(verdict(1000, [], { drainSeconds: 1200 }).release).toBeUndefined();
    expect(verdict(1200, [], { drainSeconds: 1200 })).toEqual({ release: 'MaxDrainSeconds' });
  });

  it('never releases before drainSeconds, even with maxDrainSeconds equal to it', () => {
    expect(verdict(29, [], { drainSeconds: 30, maxDrainSeconds: 30 }).release).toBeUndefined();
    expect(verdict(30, [], { drainSeconds: 30, maxDrainSeconds: 30 })).toEqual({ release: 'MaxDrainSeconds' });
  });
});
