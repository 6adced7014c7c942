// The whole loop on in-memory ports: which groups observe picks up as left behind by an earlier engine family, and
// that a reconcile deletes only this object's. The same flow against the RDS emulator is in
// test/integration/reconcile.int.test.ts.
import { describe, expect, it } from 'vitest';
import { observeReplicaSetDB } from './observe.js';
import { BASE, aReplicaSetDB, OWNER, ownershipTags } from './testing/fixtures.js';
import { aHarness } from './testing/harness.js';

const ours = ownershipTags(OWNER);
const anotherObject = ownershipTags({ namespace: 'prod', name: 'servio-postgres15', uid: 'another-uid' });

describe('parameter groups of an earlier engine family', () => {
  it('are observed by exact name, with their tags, and only ours are deleted', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0).withSpec({ engineVersion: '16.3' }));
    await h.converge();
    const create = (name: string, family: string, tags: Record<string, string>) => h.rds.createParameterGroup({ name, family, description: '', tags });
    await create(`${BASE}-postgres15`, 'postgres15', ours);
    await create(`${BASE}-postgres14`, 'postgres14', {});
    // Another object (servio-postgres15) whose group shares our prefix, and an unrelated group.
    await create(`${BASE}-postgres15-postgres15`, 'postgres15', anotherObject);
    await create('prod-other-postgres15', 'postgres15', {});

    const observed = await observeReplicaSetDB(h.ref, { kube: h.kube, rds: h.rds });
    expect(observed?.retiredParameterGroups().map((g) => [g.name, g.tags])).toEqual([
      [`${BASE}-postgres15`, ours],
      [`${BASE}-postgres14`, {}],
    ]);

    await h.converge();
    expect([...h.rds.parameterGroups.keys()].sort()).toEqual([
      'prod-other-postgres15',
      `${BASE}-postgres14`,
      `${BASE}-postgres15-postgres15`,
      `${BASE}-postgres16`,
    ]);
  });
});
