import { describe, expect, it } from 'vitest';
import { isEligible, pickRoundRobin, type ReplicaView } from './eligibility.js';

const fresh: ReplicaView = { state: 'active', healthy: true, lagSeconds: 0.1, replayLsn: 1000n };

describe('isEligible', () => {
  it.each<[string, Partial<ReplicaView>, { maxLagSeconds: number; minLsn?: bigint }, boolean]>([
    ['an active, healthy, fresh replica', {}, { maxLagSeconds: 1 }, true],
    ['lag exactly at the bound', { lagSeconds: 1 }, { maxLagSeconds: 1 }, true],
    ['lag over the bound', { lagSeconds: 1.01 }, { maxLagSeconds: 1 }, false],
    ['a caught-up replica with a zero bound', { lagSeconds: 0 }, { maxLagSeconds: 0 }, true],
    ['unknown lag', { lagSeconds: Infinity }, { maxLagSeconds: 1e9 }, false],
    ['NaN lag', { lagSeconds: NaN }, { maxLagSeconds: 1 }, false],
    ['a per-call bound looser than the default', { lagSeconds: 5 }, { maxLagSeconds: 10 }, true],
    ['draining', { state: 'draining' }, { maxLagSeconds: 1 }, false],
    ['removed', { state: 'removed' }, { maxLagSeconds: 1 }, false],
    ['unhealthy', { healthy: false }, { maxLagSeconds: 1 }, false],
    ['replayed past the session', {}, { maxLagSeconds: 1, minLsn: 999n }, true],
    ['replayed exactly the session', {}, { maxLagSeconds: 1, minLsn: 1000n }, true],
    ['behind the session', {}, { maxLagSeconds: 1, minLsn: 1001n }, false],
    ['replay position unknown with a session', { replayLsn: undefined }, { maxLagSeconds: 1, minLsn: 1n }, false],
    ['replay position unknown without a session', { replayLsn: undefined }, { maxLagSeconds: 1 }, true],
  ])('%s', (_name, patch, need, expected) => {
    expect(isEligible({ ...fresh, ...patch }, need)).toBe(expected);
  });
});

describe('pickRoundRobin', () => {
  const all = () => true;

  it('rotates over every item', () => {
    const items = ['a', 'b', 'c'];
    const seen: string[] = [];
    let cursor = 0;
    for (let i = 0; i < 6; i++) {
      const picked = pickRoundRobin(items, cursor, all);
      if (!picked) throw new Error('nothing picked');
      seen.push(picked.item);
      cursor = picked.next;
    }
    expect(seen).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('skips items that do not pass and keeps the rotation fair among the rest', () => {
    const items = ['a', 'b', 'c', 'd'];
    const seen: string[] = [];
    let cursor = 0;
    for (let i = 0; i < 4; i++) {
      const picked = pickRoundRobin(items, cursor, (x) => x !== 'b');
      seen.push(picked?.item ?? '-');
      cursor = picked?.next ?? cursor;
    }
    expect(seen).toEqual(['a', 'c', 'd', 'a']);
  });

  it('returns undefined when nothing passes or there is nothing', () => {
    expect(pickRoundRobin(['a'], 0, () => false)).toBeUndefined();
    expect(pickRoundRobin([], 3, all)).toBeUndefined();
  });

  it('copes with a cursor beyond a list that shrank', () => {
    expect(pickRoundRobin(['a', 'b'], 7, all)).toEqual({ item: 'b', next: 0 });
  });
});
