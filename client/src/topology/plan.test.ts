import { describe, expect, it } from 'vitest';
import { decideTopologyUpdate, endpointSpecs, planEndpoints, type EndpointState } from './plan.js';
import { parseTopology } from './parse.js';
import { aTopology, replicas, type ReplicaFixture } from '../../test/fixtures.js';

const topo = (revision: number, ...rs: ReplicaFixture[]) => parseTopology(aTopology({ revision, replicas: replicas(...rs) }));

describe('decideTopologyUpdate', () => {
  const current = topo(5, { id: 'r1', port: 2 });

  it.each([
    ['a newer revision', topo(6, { id: 'r1', port: 2 }, { id: 'r2', port: 3 }), { action: 'apply' }],
    ['a revision that skips ahead', topo(9), { action: 'apply' }],
    ['an older revision', topo(4, { id: 'r9', port: 9 }), { action: 'ignore', reason: 'older-revision' }],
    ['the same document again', topo(5, { id: 'r1', port: 2 }), { action: 'ignore', reason: 'unchanged' }],
  ])('%s', (_name, next, decision) => {
    expect(decideTopologyUpdate(current, next)).toEqual(decision);
  });

  it('rejects a reused revision with different content', () => {
    expect(decideTopologyUpdate(current, topo(5, { id: 'r2', port: 3 }))).toMatchObject({ action: 'reject', reason: /revision 5/ });
  });

  it('rejects the topology of another database', () => {
    const other = parseTopology(aTopology({ revision: 9, name: 'billing' }));
    expect(decideTopologyUpdate(current, other)).toMatchObject({ action: 'reject', reason: /prod\/billing/ });
  });
});

describe('planEndpoints', () => {
  const stateOf = (t: ReturnType<typeof topo>) => new Map<string, EndpointState>(endpointSpecs(t).map((s) => [s.key, s.state]));

  it('creates every endpoint of a first topology', () => {
    const plan = planEndpoints(new Map(), topo(1, { id: 'r1', port: 2 }));
    expect(plan.create.map((s) => [s.role, s.id])).toEqual([
      ['primary', 'prod-servio'],
      ['replica', 'r1'],
    ]);
    expect(plan.update).toEqual([]);
    expect(plan.retire).toEqual([]);
  });

  it('adds new replicas, drains, and retires removed ones without touching the rest', () => {
    const before = topo(1, { id: 'r1', port: 2 }, { id: 'r2', port: 3 }, { id: 'r3', port: 4 });
    const after = topo(2, { id: 'r1', port: 2 }, { id: 'r2', port: 3, state: 'draining' }, { id: 'r4', port: 5 });
    const plan = planEndpoints(stateOf(before), after);
    expect(plan.create.map((s) => s.id)).toEqual(['r4']);
    expect(plan.update).toEqual([{ key: 'replica:r2@127.0.0.1:3/servio', state: 'draining' }]);
    expect(plan.retire).toEqual(['replica:r3@127.0.0.1:4/servio']);
  });

  it('treats a changed address or a promoted replica as a new endpoint', () => {
    const before = topo(1, { id: 'r1', port: 2 });
    const moved = topo(2, { id: 'r1', port: 7 });
    expect(planEndpoints(stateOf(before), moved)).toMatchObject({
      create: [{ id: 'r1', port: 7 }],
      retire: ['replica:r1@127.0.0.1:2/servio'],
    });
    const promoted = parseTopology(aTopology({ revision: 3, primary: { id: 'r1', host: '127.0.0.1', port: 2 } }));
    const plan = planEndpoints(stateOf(before), promoted);
    expect(plan.create).toMatchObject([{ role: 'primary', id: 'r1' }]);
    expect(plan.retire.sort()).toEqual(['primary:prod-servio@127.0.0.1:5432/servio', 'replica:r1@127.0.0.1:2/servio']);
  });
});
