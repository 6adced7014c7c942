import { describe, expect, it } from 'vitest';
import { sharedReading } from './shared-reading.js';

/** A read that answers from `values` (starting as `initial`, the test may change them) and records each call. */
function countingRead(initial: Record<string, number>) {
  const values = new Map(Object.entries(initial));
  const calls: string[][] = [];
  const read = async (ids: readonly string[]) => {
    calls.push([...ids]);
    return new Map(ids.map((id) => [id, values.get(id) ?? -1] as const));
  };
  return { read, calls, values };
}

describe('sharedReading', () => {
  it('answers many objects within one interval from one reading of all their instances', async () => {
    const { read, calls } = countingRead({ 'a-r2': 3, 'b-r2': 0 });
    let clock = 0;
    const shared = sharedReading(read, { maxAgeMs: 30_000, now: () => clock });
    expect(await shared(['a-r2'])).toEqual(new Map([['a-r2', 3]]));
    expect(await shared(['b-r2'])).toEqual(new Map([['b-r2', 0]]));
    expect(calls).toHaveLength(2);
    clock += 30_000;
    await shared(['a-r2']);
    clock += 10_000;
    await shared(['b-r2']);
    await shared(['a-r2']);
    expect(calls).toHaveLength(3);
    expect(calls[2]).toEqual(['a-r2', 'b-r2']);
  });

  it('reports a new value once the reading is older than the bound', async () => {
    const { read, values } = countingRead({ 'a-r2': 5 });
    let clock = 0;
    const shared = sharedReading(read, { maxAgeMs: 30_000, now: () => clock });
    await shared(['a-r2']);
    values.set('a-r2', 0);
    expect((await shared(['a-r2'])).get('a-r2')).toBe(5);
    clock += 30_000;
    expect((await shared(['a-r2'])).get('a-r2')).toBe(0);
  });

  it('stops asking about instances nobody asks about any more', async () => {
    const { read, calls } = countingRead({ old: 1, new: 2 });
    let clock = 0;
    const shared = sharedReading(read, { maxAgeMs: 1_000, now: () => clock });
    await shared(['old']);
    clock += 5_000;
    await shared(['new']);
    expect(calls.at(-1)).toEqual(['new']);
  });

  it('lets a caller whose signal aborts stop waiting for a reading it shares; the reading goes on for the others', async () => {
    let answer!: (values: Map<string, number>) => void;
    const calls: string[][] = [];
    const read = (ids: readonly string[]) => {
      calls.push([...ids]);
      return new Promise<Map<string, number>>((resolve) => (answer = resolve));
    };
    const shared = sharedReading(read, { maxAgeMs: 30_000, now: () => 0 });
    const leadership = new AbortController();
    const aborted = shared(['a-r2'], { signal: leadership.signal });
    const other = shared(['a-r2']);
    const reason = new Error('leadership lost');
    leadership.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    answer(new Map([['a-r2', 4]]));
    expect(await other).toEqual(new Map([['a-r2', 4]]));
    expect(calls).toEqual([['a-r2']]);
  });
});
