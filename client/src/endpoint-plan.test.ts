import { describe, expect, it } from 'vitest';
import { parseTopology } from '@servio/replicasetdb-contract';
import { endpointSpecs, planEndpoints, type EndpointState } from './endpoint-plan.js';
import { aTopology, replicas, type ReplicaFixture } from '../test/fixtures.js';

const topo = (revision: number, ...rs: ReplicaFixture[]) => parseTopology(aTopology({ revision, replicas: replicas(...rs) }));

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

  it('keeps endpoints apart whose id and host only concatenate alike', () => {
    const t = topo(1, { id: 'a@b', host: 'c', port: 2 }, { id: 'a', host: 'b@c', port: 2 });
    const keys = endpointSpecs(t).map((s) => s.key);
    expect(new Set(keys).size).toBe(3);
    expect(planEndpoints(new Map(), t).create.map((s) => s.id)).toEqual(['prod-servio', 'a@b', 'a']);
  });

  it('adds new replicas, drains, and retires removed ones without touching the rest', () => {
    const before = topo(1, { id: 'r1', port: 2 }, { id: 'r2', port: 3 }, { id: 'r3', port: 4 });
    const after = topo(2, { id: 'r1', port: 2 }, { id: 'r2', port: 3, state: 'draining' }, { id: 'r4', port: 5 });
    const plan = planEndpoints(stateOf(before), after);
    expect(plan.create.map((s) => s.id)).toEqual(['r4']);
    expect(plan.update).toEqual([{ key: 'replica:r2@127.0.0.1:3/servio?sslmode=disable', state: 'draining' }]);
    expect(plan.retire).toEqual(['replica:r3@127.0.0.1:4/servio?sslmode=disable']);
  });

  it('treats a changed address or a promoted replica as a new endpoint', () => {
    const before = topo(1, { id: 'r1', port: 2 });
    const moved = topo(2, { id: 'r1', port: 7 });
    expect(planEndpoints(stateOf(before), moved)).toMatchObject({
      create: [{ id: 'r1', port: 7 }],
      retire: ['replica:r1@127.0.0.1:2/servio?sslmode=disable'],
    });
    const promoted = parseTopology(aTopology({ revision: 3, primary: { id: 'r1', host: '127.0.0.1', port: 2 } }));
    const plan = planEndpoints(stateOf(before), promoted);
    expect(plan.create).toMatchObject([{ role: 'primary', id: 'r1' }]);
    expect(plan.retire.sort()).toEqual(['primary:prod-servio@127.0.0.1:5432/servio?sslmode=disable', 'replica:r1@127.0.0.1:2/servio?sslmode=disable']);
  });

  it('reconnects every endpoint when the TLS mode changes, and reads a document without tls as verify-full', () => {
    const plain = topo(1, { id: 'r1', port: 2 });
    const verified = parseTopology({
      ...aTopology({ revision: 2, replicas: [{ id: 'r1', host: '127.0.0.1', port: 2, state: 'active' }] }),
      tls: { mode: 'verify-full' },
    });
    const plan = planEndpoints(stateOf(plain), verified);
    expect(plan.create.map((s) => [s.id, s.tls])).toEqual([
      ['prod-servio', 'verify-full'],
      ['r1', 'verify-full'],
    ]);
    expect(plan.retire).toHaveLength(2);
    const { tls: _none, ...older } = aTopology();
    expect(endpointSpecs(parseTopology(older)).map((s) => s.tls)).toEqual(['verify-full']);
  });
});
