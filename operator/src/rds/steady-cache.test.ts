import { beforeEach, describe, expect, it } from 'vitest';
import { withSteadyStateCache } from './steady-cache.js';
import { FakeRds } from './testing/fake-rds.js';
import { anRdsInstance } from './testing/instances.js';
import type { ParameterGroup, RdsPort } from './port.js';

const MAX_AGE = 60_000;

describe('withSteadyStateCache', () => {
  let fake: FakeRds;
  let clock: number;
  let port: RdsPort;

  const describes = () => fake.calls.filter((c) => c.operation === 'DescribeDBInstances');
  const groupReads = () => fake.calls.filter((c) => c.operation.startsWith('DescribeDBParameter'));

  function addInstances(count: number, status = 'available'): string[] {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `db-${i}`;
      fake.instances.set(id, anRdsInstance({ identifier: id, status }));
      ids.push(id);
    }
    return ids;
  }

  beforeEach(() => {
    fake = new FakeRds();
    clock = 1_000_000;
    port = withSteadyStateCache(fake, { maxAgeMs: MAX_AGE, now: () => clock });
  });

  it('answers steady reconciles of many objects from one inventory per interval', async () => {
    const ids = addInstances(30);
    // Ten objects of three instances each, as their spread-out steady resyncs would ask.
    for (let round = 0; round < 3; round++) {
      for (let o = 0; o < 10; o++) {
        const mine = ids.slice(o * 3, o * 3 + 3);
        const found = await port.describeInstances(mine);
        expect([...found.keys()]).toEqual(mine);
        clock += MAX_AGE / 10;
      }
    }
    // Round one: the first object has no inventory yet, and objects 2..10 are new to it, so each reads fresh
    // once; after that every interval costs one inventory refresh of all thirty identifiers.
    const inventoryRefreshes = describes().filter((c) => c.subject.split(',').length === 30);
    expect(inventoryRefreshes.length).toBeGreaterThanOrEqual(1);
    expect(inventoryRefreshes.length).toBeLessThanOrEqual(3);
    const roundsTwoAndThree = describes().slice(-inventoryRefreshes.length);
    expect(describes().length).toBeLessThan(30);
    expect(roundsTwoAndThree.length).toBeGreaterThan(0);
  });

  it('answers a describe asked to be fresh from AWS, never from the inventory, and keeps the answer for others', async () => {
    const [id] = addInstances(1);
    await port.describeInstances([id!]);
    await port.describeInstances([id!]);
    expect(describes()).toHaveLength(1);
    fake.instances.set(id!, anRdsInstance({ identifier: id!, status: 'available', replicaIdentifiers: ['made-outside'] }));
    const fresh = await port.describeInstances([id!], { fresh: true });
    expect(describes()).toHaveLength(2);
    expect(fresh.get(id!)?.replicaIdentifiers).toEqual(['made-outside']);
    expect((await port.describeInstances([id!])).get(id!)?.replicaIdentifiers).toEqual(['made-outside']);
  });

  it('reads an instance fresh when it is not available', async () => {
    const [id] = addInstances(1, 'modifying');
    await port.describeInstances([id!]); // the first inventory, taken for this call
    await port.describeInstances([id!]);
    await port.describeInstances([id!]);
    expect(describes()).toHaveLength(3);
  });

  it('never answers for an instance that is missing from the inventory', async () => {
    addInstances(1);
    await port.describeInstances(['db-0']);
    const found = await port.describeInstances(['db-0', 'not-yet-created']);
    expect([...found.keys()]).toEqual(['db-0']);
    expect(describes()).toHaveLength(2);
  });

  it('reads an instance fresh after the operator wrote to it, until an inventory taken after the write', async () => {
    const [id] = addInstances(1);
    await port.describeInstances([id!]);
    expect(describes()).toHaveLength(1);

    await port.modifyInstance(id!, { instanceClass: 'db.r6g.2xlarge' }, true);
    const afterWrite = await port.describeInstances([id!]);
    expect(describes()).toHaveLength(2);
    expect(afterWrite.get(id!)?.status).not.toBe(undefined);

    fake.instances.get(id!)!.status = 'available';
    clock += MAX_AGE;
    await port.describeInstances([id!]); // inventory refresh, taken after the write
    await port.describeInstances([id!]); // served from it
    expect(describes()).toHaveLength(3);
  });

  it('keeps a write that was in flight while the inventory was taken marked', async () => {
    const [id] = addInstances(1);
    let hold: Promise<void> | undefined;
    const held: RdsPort = new Proxy(fake, {
      get: (target, prop, receiver) =>
        prop === 'describeInstances'
          ? async (ids: readonly string[]) => {
              const answer = await fake.describeInstances(ids); // AWS answers before the write lands ...
              await hold; // ... and the answer reaches the operator after it
              return answer;
            }
          : Reflect.get(target, prop, receiver),
    });
    const cached = withSteadyStateCache(held, { maxAgeMs: MAX_AGE, now: () => clock });
    await cached.describeInstances([id!]);
    clock += MAX_AGE;

    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const refreshing = cached.describeInstances([id!]);
    await cached.modifyInstance(id!, { allocatedStorageGiB: 200 }, true);
    release();
    hold = undefined;
    await refreshing;
    const before = describes().length;
    const after = await cached.describeInstances([id!]);
    expect(describes().length).toBe(before + 1);
    expect(after.get(id!)?.allocatedStorageGiB === 200 || after.get(id!)?.pending.allocatedStorageGiB === 200).toBe(true);
  });

  it('sees a change made outside the operator within one interval', async () => {
    const [id] = addInstances(1);
    await port.describeInstances([id!]);
    fake.instances.get(id!)!.instanceClass = 'db.m5.large';
    const stale = await port.describeInstances([id!]);
    expect(stale.get(id!)?.instanceClass).not.toBe('db.m5.large');
    clock += MAX_AGE;
    const fresh = await port.describeInstances([id!]);
    expect(fresh.get(id!)?.instanceClass).toBe('db.m5.large');
  });

  it('caches a parameter group per interval and drops it on every write to it', async () => {
    const group: ParameterGroup = {
      name: 'pg-a',
      arn: 'arn:aws:rds:us-east-1:123456789012:pg:pg-a',
      family: 'postgres15',
      tags: {},
      parameters: { work_mem: '4MB' },
    };
    fake.parameterGroups.set('pg-a', group);
    await port.describeParameterGroup('pg-a');
    const readsAfterFirst = groupReads().length;
    await port.describeParameterGroup('pg-a');
    expect(groupReads().length).toBe(readsAfterFirst);

    await port.setParameters('pg-a', { work_mem: '8MB' });
    const updated = await port.describeParameterGroup('pg-a');
    expect(updated?.parameters.work_mem).toBe('8MB');
    expect(groupReads().length).toBeGreaterThan(readsAfterFirst);

    await port.addTags(group.arn, { team: 'db' });
    const beforeTagRead = groupReads().length;
    await port.describeParameterGroup('pg-a');
    expect(groupReads().length).toBeGreaterThan(beforeTagRead);
  });

  it('does not cache a parameter group that does not exist yet', async () => {
    expect(await port.describeParameterGroup('pg-new')).toBeUndefined();
    fake.parameterGroups.set('pg-new', { name: 'pg-new', arn: 'arn:aws:rds:us-east-1:123456789012:pg:pg-new', family: 'postgres15', tags: {}, parameters: {} });
    expect(await port.describeParameterGroup('pg-new')).toBeDefined();
  });

  it('keeps parameter groups for their own, longer age when asked to', async () => {
    fake.parameterGroups.set('pg-b', { name: 'pg-b', arn: 'arn:aws:rds:us-east-1:123456789012:pg:pg-b', family: 'postgres15', tags: {}, parameters: {} });
    const slow = withSteadyStateCache(fake, { maxAgeMs: MAX_AGE, parameterGroupMaxAgeMs: 3 * MAX_AGE, now: () => clock });
    await slow.describeParameterGroup('pg-b');
    const reads = groupReads().length;
    clock += 2 * MAX_AGE;
    await slow.describeParameterGroup('pg-b');
    expect(groupReads().length).toBe(reads);
    clock += MAX_AGE;
    await slow.describeParameterGroup('pg-b');
    expect(groupReads().length).toBeGreaterThan(reads);
  });

  it('shares one list of every parameter group between objects, and drops it on a group write', async () => {
    await fake.createParameterGroup({ name: 'a-postgres15', family: 'postgres15', description: '', tags: {} });
    await fake.createParameterGroup({ name: 'b-postgres16', family: 'postgres16', description: '', tags: {} });
    const lists = () => fake.calls.filter((c) => c.operation === 'DescribeDBParameterGroups' && c.subject === '*');
    for (let o = 0; o < 10; o++) expect((await port.listParameterGroups()).map((g) => g.name)).toEqual(['a-postgres15', 'b-postgres16']);
    expect(lists()).toHaveLength(1);

    await port.deleteParameterGroup('a-postgres15');
    expect((await port.listParameterGroups()).map((g) => g.name)).toEqual(['b-postgres16']);
    expect(lists()).toHaveLength(2);

    clock += MAX_AGE;
    await port.listParameterGroups();
    expect(lists()).toHaveLength(3);
  });

  it('sends a fresh describe with its caller options (signal and fresh), and the caller signal with every other call', async () => {
    const [id] = addInstances(1);
    await port.describeInstances([id!]);
    fake.received.length = 0;
    const signal = new AbortController().signal;
    await port.describeInstances([id!], { fresh: true, signal });
    await port.setMasterPassword(id!, 'n3w-secret-value', { signal });
    await port.listParameterGroups({ signal });
    expect(fake.received).toEqual([
      { operation: 'DescribeDBInstances', options: { fresh: true, signal } },
      { operation: 'ModifyDBInstance', options: { signal } },
      { operation: 'DescribeDBParameterGroups', options: { signal } },
    ]);
  });

  it('lets a caller whose signal aborts stop waiting for the shared inventory; the refresh goes on for the others', async () => {
    const [id] = addInstances(1);
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const slow = new Proxy(fake, {
      get: (target, prop, receiver) =>
        prop === 'describeInstances'
          ? async (ids: readonly string[]) => {
              await hold;
              return fake.describeInstances(ids);
            }
          : Reflect.get(target, prop, receiver),
    });
    const cached = withSteadyStateCache(slow, { maxAgeMs: MAX_AGE, now: () => clock });
    const leadership = new AbortController();
    const aborted = cached.describeInstances([id!], { signal: leadership.signal });
    const other = cached.describeInstances([id!]);
    const reason = new Error('leadership lost');
    leadership.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    release();
    expect([...(await other).keys()]).toEqual([id]);
  });
});
