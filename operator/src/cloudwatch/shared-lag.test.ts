import { describe, expect, it } from 'vitest';
import { withSharedLagReads } from './shared-lag.js';
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

describe('withSharedLagReads', () => {
  it('answers many objects within one interval from one reading of all their replicas', async () => {
    const values = new Map<string, number | undefined>([['a-r1', 0.2], ['b-r1', 3], ['c-r1', undefined]]);
    const { port, calls } = countingPort(values);
    let clock = 0;
    const shared = withSharedLagReads(port, { maxAgeMs: 30_000, now: () => clock });

    // First pass: each object is new to the reading, so each reads (with everything known so far).
    expect(await shared.replicaLagSeconds(['a-r1'])).toEqual(new Map([['a-r1', 0.2]]));
    expect(await shared.replicaLagSeconds(['b-r1'])).toEqual(new Map([['b-r1', 3]]));
    expect(await shared.replicaLagSeconds(['c-r1'])).toEqual(new Map([['c-r1', undefined]]));
    expect(calls).toHaveLength(3);

    // Once all are known, one reading per interval serves every object.
    clock += 30_000;
    for (const id of ['a-r1', 'b-r1', 'c-r1']) await shared.replicaLagSeconds([id]);
    clock += 10_000;
    for (const id of ['a-r1', 'b-r1', 'c-r1']) await shared.replicaLagSeconds([id]);
    expect(calls).toHaveLength(4);
    expect(calls[3]).toEqual(['a-r1', 'b-r1', 'c-r1']);
  });

  it('reports a new value once the reading is older than the bound', async () => {
    const values = new Map<string, number | undefined>([['a-r1', 0.1]]);
    const { port } = countingPort(values);
    let clock = 0;
    const shared = withSharedLagReads(port, { maxAgeMs: 30_000, now: () => clock });
    await shared.replicaLagSeconds(['a-r1']);
    values.set('a-r1', 12);
    expect((await shared.replicaLagSeconds(['a-r1'])).get('a-r1')).toBe(0.1);
    clock += 30_000;
    expect((await shared.replicaLagSeconds(['a-r1'])).get('a-r1')).toBe(12);
  });

  it('stops asking about replicas nobody asks about any more', async () => {
    const { port, calls } = countingPort(new Map([['old', 1], ['new', 2]]));
    let clock = 0;
    const shared = withSharedLagReads(port, { maxAgeMs: 1_000, now: () => clock });
    await shared.replicaLagSeconds(['old']);
    clock += 5_000;
    await shared.replicaLagSeconds(['new']);
    expect(calls.at(-1)).toEqual(['new']);
  });

  it('lets a caller whose signal aborts stop waiting for a reading it shares', async () => {
    let answer!: (lag: Map<string, number | undefined>) => void;
    const port: ReplicaLagPort = { replicaLagSeconds: () => new Promise((resolve) => (answer = resolve)) };
    const shared = withSharedLagReads(port, { maxAgeMs: 30_000, now: () => 0 });
    const leadership = new AbortController();
    const aborted = shared.replicaLagSeconds(['a-r1'], { signal: leadership.signal });
    const other = shared.replicaLagSeconds(['a-r1']);
    const reason = new Error('leadership lost');
    leadership.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    answer(new Map([['a-r1', 0.5]]));
    expect(await other).toEqual(new Map([['a-r1', 0.5]]));
  });
});
