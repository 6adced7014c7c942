import { describe, expect, it } from 'vitest';
import { parseTopology } from '@servio/replicasetdb-contract';
import { decideTopologyUpdate } from './decision.js';
import { aTopology, replicas, type ReplicaFixture } from '../../test/fixtures.js';

const topo = (revision: number, ...rs: ReplicaFixture[]) => parseTopology(aTopology({ revision, replicas: replicas(...rs) }));

describe('decideTopologyUpdate', () => {
  const current = topo(5, { id: 'r1', port: 2 });

  it.each([
    ['a newer revision', topo(6, { id: 'r1', port: 2 }, { id: 'r2', port: 3 }), { action: 'apply', reason: 'newer-revision' }],
    ['a revision that skips ahead', topo(9), { action: 'apply', reason: 'newer-revision' }],
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

describe('decideTopologyUpdate across epochs', () => {
  const OLD = '6f1c9a52-0000-4000-8000-000000000001';
  const NEW = '6f1c9a52-0000-4000-8000-000000000002';
  const doc = (revision: number, epoch: string | undefined, ...rs: ReplicaFixture[]) =>
    parseTopology(aTopology({ revision, replicas: replicas(...rs), ...(epoch !== undefined ? { epoch } : {}) }));
  const newer = { action: 'apply', reason: 'newer-revision' };
  const newEpoch = { action: 'apply', reason: 'new-epoch' };
  const older = { action: 'ignore', reason: 'older-revision' };
  const unchanged = { action: 'ignore', reason: 'unchanged' };
  const leftBehind = { action: 'ignore', reason: 'earlier-epoch' };

  // current epoch, next epoch, next revision against current revision 5, same content?, decision
  it.each([
    ['same epoch', OLD, OLD, 6, false, newer],
    ['same epoch', OLD, OLD, 4, false, older],
    ['same epoch', OLD, OLD, 5, true, unchanged],
    ['a new epoch', OLD, NEW, 1, false, newEpoch],
    ['a new epoch', OLD, NEW, 5, false, newEpoch],
    ['a new epoch', OLD, NEW, 5, true, newEpoch],
    ['a new epoch', OLD, NEW, 9, false, newEpoch],
    ['a first epoch after none (an operator upgrade)', undefined, OLD, 6, false, newer],
    ['a first epoch after none (an operator upgrade)', undefined, OLD, 4, false, older],
    ['no epoch after one (an operator downgrade)', OLD, undefined, 6, false, newer],
    ['no epoch after one (an operator downgrade)', OLD, undefined, 4, false, older],
    ['no epoch on either side', undefined, undefined, 6, false, newer],
    ['no epoch on either side', undefined, undefined, 1, false, older],
  ] as const)('%s (%s -> %s), revision %i after 5, same replicas: %s', (_name, currentEpoch, nextEpoch, revision, same, decision) => {
    const current = doc(5, currentEpoch, { id: 'r1', port: 2 });
    const next = doc(revision, nextEpoch, same ? { id: 'r1', port: 2 } : { id: 'r2', port: 3 });
    expect(decideTopologyUpdate(current, next)).toEqual(decision);
  });

  it('rejects a reused revision with different content within an epoch', () => {
    expect(decideTopologyUpdate(doc(5, OLD, { id: 'r1', port: 2 }), doc(5, OLD, { id: 'r2', port: 3 }))).toMatchObject({ action: 'reject' });
  });

  it.each([1, 5, 9])('never goes back to an epoch it has left, whatever its revision (%i)', (revision) => {
    const current = doc(1, NEW);
    expect(decideTopologyUpdate(current, doc(revision, OLD), new Set([OLD]))).toEqual(leftBehind);
  });

  it('still rejects another database that carries a new epoch', () => {
    const other = parseTopology(aTopology({ revision: 1, name: 'billing', epoch: NEW }));
    expect(decideTopologyUpdate(doc(5, OLD), other)).toMatchObject({ action: 'reject', reason: /prod\/billing/ });
  });
});
