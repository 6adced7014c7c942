import { describe, expect, it } from 'vitest';
import { BASE, aReplicaSetDB, aWorld, OWNER, ownershipTags } from '../testing/fixtures.js';
import { plan, stepsOf } from '../testing/plan-helpers.js';

// After a 15 -> 16 upgrade: the spec says 16, the instances run 16 with the -postgres16 group.
const upgraded = () => aReplicaSetDB().withReplicas(1).withSpec({ engineVersion: '16.3' });
const OLD = `${BASE}-postgres15`;
const oldGroupAttached = { parameterGroups: [{ name: OLD, applyStatus: 'in-sync' }] };

describe('plan: the parameter group a major upgrade left behind', () => {
  it('is deleted once no instance uses it, after everything else', () => {
    const p = plan(aWorld(upgraded()).inSync().withRetiredParameterGroup('postgres15').build());
    expect(stepsOf(p)).toEqual([`deleteParameterGroup ${OLD}`]);
  });

  it('is kept while the primary or a replica still lists it (the upgrade is under way)', () => {
    expect(stepsOf(plan(aWorld(upgraded()).inSync().withRetiredParameterGroup('postgres15').withPrimary(oldGroupAttached).build()))).not.toContain(
      `deleteParameterGroup ${OLD}`,
    );
    expect(stepsOf(plan(aWorld(upgraded()).inSync().withRetiredParameterGroup('postgres15').withReplica(1, oldGroupAttached).build()))).not.toContain(
      `deleteParameterGroup ${OLD}`,
    );
  });

  it('is kept while an instance is not available or has an engine change pending', () => {
    const busy = aWorld(upgraded()).inSync().withRetiredParameterGroup('postgres15').withReplica(1, { status: 'upgrading' }).build();
    expect(stepsOf(plan(busy))).toEqual([]);
    const pending = aWorld(upgraded())
      .inSync()
      .withRetiredParameterGroup('postgres15')
      .withPrimary({ pending: { engineVersion: '16.3' } })
      .build();
    expect(stepsOf(plan(pending))).toEqual([]);
  });

  it('is never deleted when it carries another object uid, or no ownership tags', () => {
    const otherUid = ownershipTags({ ...OWNER, uid: 'someone-else' });
    expect(stepsOf(plan(aWorld(upgraded()).inSync().withRetiredParameterGroup('postgres15', otherUid).build()))).toEqual([]);
    expect(stepsOf(plan(aWorld(upgraded()).inSync().withRetiredParameterGroup('postgres15', {}).build()))).toEqual([]);
  });

  it('goes with the object too, after the instances and the current group', () => {
    const deleting = upgraded().withSpec({ deletionPolicy: 'Delete' }).beingDeleted();
    const p = plan(aWorld(deleting).inSync().withPrimary(undefined).withReplica(1, undefined).withRetiredParameterGroup('postgres15').build());
    expect(stepsOf(p)).toEqual([`deleteParameterGroup ${BASE}-postgres16`, `deleteParameterGroup ${OLD}`, 'removeFinalizer finalizer']);
  });
});
