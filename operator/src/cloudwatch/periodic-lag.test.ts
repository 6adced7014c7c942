import { describe, expect, it } from 'vitest';
import { PeriodicLagReader } from './periodic-lag.js';
import type { ReplicaLagPort } from './port.js';

function countingPort(values: Map<string, number | undefined>) {
  const calls: string[][] = [];
  const port: ReplicaLagPort = {
    async replicaLagSeconds(ids) {
      calls.push([...ids]);
      return new Map(ids.map((id) => [id, values.get(id)] as const));
    },
  };
  return { port, calls };
}

/** A reader over lags that start as `initial` (the test may change `values` later), on a clock the test moves. */
function reader(initial: Record<string, number | undefined>, interestTtlMs = 60_000) {
  const values = new Map(Object.entries(initial));
  const clock = { t: 0 };
  const { port, calls } = countingPort(values);
  const reported: string[][] = [];
  const lag = new PeriodicLagReader(port, { periodMs: 30_000, interestTtlMs, onRoutingChange: (keys) => reported.push(keys), now: () => clock.t });
  return { lag, calls, reported, clock, values };
}

const strict = (key: string) => ({ key, maxReplicaLagSeconds: 1 });

describe('PeriodicLagReader', () => {
  it('answers every object from one reading of all their replicas per period', async () => {
    const { lag, calls, clock } = reader({ 'a-r1': 0.2, 'b-r1': 3, 'c-r1': undefined });
    // First asks: each object is new to the reading, so each reads (with everything known so far).
    expect(await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') })).toEqual(new Map([['a-r1', 0.2]]));
    expect(await lag.replicaLagSeconds(['b-r1'], { subject: strict('ns/b') })).toEqual(new Map([['b-r1', 3]]));
    expect(await lag.replicaLagSeconds(['c-r1'], { subject: strict('ns/c') })).toEqual(new Map([['c-r1', undefined]]));
    expect(calls).toHaveLength(3);
    // From then on: one reading per period, whoever asks.
    clock.t += 30_000;
    await lag.readNow();
    for (const [id, key] of [
      ['a-r1', 'ns/a'],
      ['b-r1', 'ns/b'],
      ['c-r1', 'ns/c'],
    ] as const)
      await lag.replicaLagSeconds([id], { subject: strict(key) });
    expect(calls).toHaveLength(4);
    expect(calls[3]).toEqual(['a-r1', 'b-r1', 'c-r1']);
  });

  it('reports exactly the objects whose replica crossed their threshold, and not again once they reconciled', async () => {
    const { lag, reported, clock, values } = reader({ 'a-r1': 0.2, 'b-r1': 0.2, 'c-r1': 0.2 });
    await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') });
    await lag.replicaLagSeconds(['b-r1'], { subject: { key: 'ns/b', maxReplicaLagSeconds: 10 } });
    await lag.replicaLagSeconds(['c-r1'], { subject: strict('ns/c') });
    expect(reported).toEqual([]);

    values.set('a-r1', 5);
    values.set('b-r1', 5);
    values.set('c-r1', undefined);
    clock.t += 30_000;
    await lag.readNow();
    expect(reported).toEqual([['ns/a', 'ns/c']]);
    // Not reconciled yet: still reported.
    clock.t += 30_000;
    await lag.readNow();
    expect(reported.at(-1)).toEqual(['ns/a', 'ns/c']);
    // Reconciled with the new values: quiet until the next crossing, back down this time.
    await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') });
    await lag.replicaLagSeconds(['c-r1'], { subject: strict('ns/c') });
    clock.t += 30_000;
    await lag.readNow();
    expect(reported).toHaveLength(2);
    values.set('a-r1', 0.1);
    clock.t += 30_000;
    await lag.readNow();
    expect(reported.at(-1)).toEqual(['ns/a']);
  });

  it('reads a new replica at once rather than waiting for the period', async () => {
    const { lag, calls, clock } = reader({ 'a-r1': 0.1, 'a-r2': 7 });
    await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') });
    clock.t += 1_000;
    expect((await lag.replicaLagSeconds(['a-r1', 'a-r2'], { subject: strict('ns/a') })).get('a-r2')).toBe(7);
    expect(calls).toEqual([['a-r1'], ['a-r1', 'a-r2']]);
  });

  it('reads afresh when asked after more than a period without a reading', async () => {
    const { lag, calls, clock, values } = reader({ 'a-r1': 0.1 });
    await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') });
    values.set('a-r1', 12);
    clock.t += 30_000;
    expect((await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') })).get('a-r1')).toBe(0.1);
    clock.t += 15_000;
    expect((await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') })).get('a-r1')).toBe(12);
    expect(calls).toHaveLength(2);
  });

  it('stops reading for an object that has not asked within the interest TTL', async () => {
    const { lag, calls, clock } = reader({ 'old-r1': 1, 'new-r1': 2 }, 60_000);
    await lag.replicaLagSeconds(['old-r1'], { subject: strict('ns/old') });
    clock.t += 61_000;
    await lag.replicaLagSeconds(['new-r1'], { subject: strict('ns/new') });
    expect(calls.at(-1)).toEqual(['new-r1']);
  });

  it('keeps the previous reading when a periodic one fails, and lets an asking reconcile see the failure', async () => {
    const clock = { t: 0 };
    let fail = false;
    const port: ReplicaLagPort = {
      async replicaLagSeconds(ids) {
        if (fail) throw new Error('throttled');
        return new Map(ids.map((id) => [id, 0.5] as const));
      },
    };
    const reported: string[][] = [];
    const lag = new PeriodicLagReader(port, { periodMs: 30_000, interestTtlMs: 60_000, onRoutingChange: (k) => reported.push(k), now: () => clock.t });
    await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') });
    fail = true;
    await expect(lag.readNow()).rejects.toThrow('throttled');
    expect(reported).toEqual([]);
    expect((await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') })).get('a-r1')).toBe(0.5);
    clock.t += 60_000;
    await expect(lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') })).rejects.toThrow('throttled');
  });

  it('lets a caller whose signal aborts stop waiting for a reading it shares; the reading goes on for the others', async () => {
    let answer!: (lag: Map<string, number | undefined>) => void;
    const signals: (AbortSignal | undefined)[] = [];
    const port: ReplicaLagPort = {
      replicaLagSeconds: (_ids, options) => {
        signals.push(options?.signal);
        return new Promise((resolve) => (answer = resolve));
      },
    };
    const lag = new PeriodicLagReader(port, { periodMs: 30_000, interestTtlMs: 60_000, onRoutingChange: () => undefined, now: () => 0 });
    const leadership = new AbortController();
    const aborted = lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a'), signal: leadership.signal });
    const other = lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/b') });
    const reason = new Error('leadership lost');
    leadership.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(false);
    answer(new Map([['a-r1', 0.5]]));
    expect(await other).toEqual(new Map([['a-r1', 0.5]]));
  });

  it('cancels its reading in flight when stopped, and reports nothing from it', async () => {
    const clock = { t: 0 };
    let answer!: (lag: Map<string, number | undefined>) => void;
    const signals: (AbortSignal | undefined)[] = [];
    const port: ReplicaLagPort = {
      replicaLagSeconds: (ids, options) => {
        signals.push(options?.signal);
        if (signals.length === 1) return Promise.resolve(new Map(ids.map((id) => [id, 0.2] as const)));
        return new Promise((resolve) => (answer = resolve));
      },
    };
    const reported: string[][] = [];
    const lag = new PeriodicLagReader(port, { periodMs: 30_000, interestTtlMs: 60_000, onRoutingChange: (k) => reported.push(k), now: () => clock.t });
    await lag.replicaLagSeconds(['a-r1'], { subject: strict('ns/a') });
    clock.t += 30_000;
    const reading = lag.readNow();
    await Promise.resolve();
    await Promise.resolve();
    expect(signals).toHaveLength(2);
    lag.stop();
    expect(signals[1]?.aborted).toBe(true);
    // A port that ignores the signal and answers anyway: the answer is dropped, not reported.
    answer(new Map([['a-r1', 9]]));
    await expect(reading).rejects.toThrow('stopped');
    expect(reported).toEqual([]);
  });
});
