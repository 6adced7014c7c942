import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesceDescribes, withCoalescedDescribes } from './coalescing-describer.js';
import type { RdsInstance, RdsPort } from './port.js';
import { anRdsInstance } from './testing/instances.js';

function backend(existing: string[]) {
  const calls: string[][] = [];
  const describe = (ids: readonly string[]) => {
    calls.push([...ids]);
    return Promise.resolve(new Map<string, RdsInstance>(ids.filter((id) => existing.includes(id)).map((id) => [id, anRdsInstance({ identifier: id })])));
  };
  return { calls, describe };
}

describe('coalesceDescribes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('merges requests made within the window into one call and answers each with its own instances', async () => {
    const { calls, describe } = backend(['a', 'b', 'c']);
    const coalesced = coalesceDescribes(describe, { windowMs: 20, maxIds: 100 });
    const first = coalesced(['a', 'x']);
    const second = coalesced(['b', 'c', 'a']);
    await vi.advanceTimersByTimeAsync(20);
    expect(calls).toEqual([['a', 'x', 'b', 'c']]);
    expect([...(await first).keys()]).toEqual(['a']);
    expect([...(await second).keys()].sort()).toEqual(['a', 'b', 'c']);
  });

  it('sends a full batch at once without waiting for the window', async () => {
    const { calls, describe } = backend([]);
    const coalesced = coalesceDescribes(describe, { windowMs: 10_000, maxIds: 3 });
    const pending = coalesced(['a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    await pending;
  });

  it('never answers a request with a call issued before it arrived', async () => {
    const { calls, describe } = backend(['a']);
    const coalesced = coalesceDescribes(describe, { windowMs: 20, maxIds: 100 });
    const first = coalesced(['a']);
    await vi.advanceTimersByTimeAsync(20);
    await first;
    const second = coalesced(['a']);
    await vi.advanceTimersByTimeAsync(20);
    await second;
    expect(calls).toEqual([['a'], ['a']]);
  });

  it('rejects every request of a failed batch', async () => {
    const coalesced = coalesceDescribes(() => Promise.reject(new Error('throttled')), { windowMs: 5, maxIds: 100 });
    const first = coalesced(['a']);
    const second = coalesced(['b']);
    const settled = Promise.allSettled([first, second]);
    await vi.advanceTimersByTimeAsync(5);
    expect((await settled).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('answers an empty request without a call', async () => {
    const { calls, describe } = backend([]);
    const coalesced = coalesceDescribes(describe, { windowMs: 5, maxIds: 100 });
    expect((await coalesced([])).size).toBe(0);
    expect(calls).toEqual([]);
  });

  it('lets a caller whose signal aborts stop waiting, while the merged call still answers the others', async () => {
    let answer!: (found: Map<string, RdsInstance>) => void;
    const calls: string[][] = [];
    const slow: RdsPort = {
      describeInstances: (ids) => {
        calls.push([...ids]);
        return new Promise((resolve) => (answer = resolve));
      },
    } as RdsPort;
    const port = withCoalescedDescribes(slow, { windowMs: 20, maxIds: 100 });
    const leadership = new AbortController();
    const aborted = port.describeInstances(['a'], { signal: leadership.signal });
    const other = port.describeInstances(['b']);
    await vi.advanceTimersByTimeAsync(20);
    const reason = new Error('leadership lost');
    leadership.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    answer(new Map([['b', anRdsInstance({ identifier: 'b' })]]));
    expect([...(await other).keys()]).toEqual(['b']);
    expect(calls).toEqual([['a', 'b']]);
  });

  it('sends a fresh describe on its own, with its caller options, never merged into a batch', async () => {
    const sent: { ids: string[]; options: unknown }[] = [];
    const inner = {
      describeInstances: (ids: readonly string[], options?: unknown) => {
        sent.push({ ids: [...ids], options });
        return Promise.resolve(new Map<string, RdsInstance>());
      },
    } as RdsPort;
    const port = withCoalescedDescribes(inner, { windowMs: 20, maxIds: 100 });
    const merged = port.describeInstances(['a']);
    const signal = new AbortController().signal;
    await port.describeInstances(['b'], { fresh: true, signal });
    expect(sent).toEqual([{ ids: ['b'], options: { fresh: true, signal } }]);
    await vi.advanceTimersByTimeAsync(20);
    await merged;
    expect(sent.map((s) => s.ids)).toEqual([['b'], ['a']]);
  });

  it('passes every other call straight through with its caller options', async () => {
    const received = new Map<string, unknown[]>();
    const inner = new Proxy({} as RdsPort, {
      get:
        (_target, method: string) =>
        (...args: unknown[]) => {
          received.set(method, args);
          return Promise.resolve(undefined);
        },
    });
    const port = withCoalescedDescribes(inner, { windowMs: 20, maxIds: 100 });
    const call = { signal: new AbortController().signal };
    await port.setMasterPassword('a', 'secret', call);
    await port.listParameterGroups(call);
    await port.modifyInstance('a', { instanceClass: 'db.m5.large' }, true, call);
    await port.deleteInstance('a', 'skip', call);
    await port.deleteParameterGroup('pg', call);
    expect(received.get('setMasterPassword')).toEqual(['a', 'secret', call]);
    expect(received.get('listParameterGroups')).toEqual([call]);
    expect(received.get('modifyInstance')).toEqual(['a', { instanceClass: 'db.m5.large' }, true, call]);
    expect(received.get('deleteInstance')).toEqual(['a', 'skip', call]);
    expect(received.get('deleteParameterGroup')).toEqual(['pg', call]);
  });
});
