import { describe, expect, it } from 'vitest';
import { BASE, aReplicaSetDB, aWorld, type ReplicaSetDBBuilder } from '../testing/fixtures.js';
import { plan, stepOf, stepsOf } from '../testing/plan-helpers.js';

const deleting = (policy: 'Snapshot' | 'Delete' | 'Retain', protect = false): ReplicaSetDBBuilder =>
  aReplicaSetDB().withReplicas(2).withSpec({ deletionPolicy: policy, deletionProtection: protect }).beingDeleted();

describe('plan: deleting a ReplicaSetDB', () => {
  it.each(['Snapshot', 'Delete'] as const)('%s: deletes the replicas first, highest index first, without snapshots', (policy) => {
    const p = plan(aWorld(deleting(policy)).inSync().build());
    expect(stepsOf(p)).toEqual([`deleteInstance ${BASE}-r2`, `deleteInstance ${BASE}-r1`]);
    expect(stepOf(p, 'deleteInstance', `${BASE}-r1`).finalSnapshot).toBe('skip');
    expect(p.waits.map((w) => w.message)).toContain(`${BASE} is deleted after its replicas`);
  });

  it('Snapshot: deletes the primary with a final snapshot named after the object and its uid', () => {
    const p = plan(aWorld(deleting('Snapshot')).inSync().withReplica(1, undefined).withReplica(2, undefined).build());
    expect(stepsOf(p)).toEqual([`deleteInstance ${BASE}`]);
    expect(stepOf(p, 'deleteInstance').finalSnapshot).toEqual({ finalSnapshotIdentifier: `${BASE}-final-3f6c1e2a9b7d` });
  });

  it('names every identifier a replica of ours can have on the primary deletion, for the fresh check before it', () => {
    const p = plan(aWorld(deleting('Delete')).inSync().withReplica(1, undefined).withReplica(2, undefined).build());
    const candidates = stepOf(p, 'deleteInstance').replicaCandidates;
    expect(candidates).toHaveLength(15);
    expect(candidates?.[0]).toBe(`${BASE}-r1`);
    expect(candidates?.at(-1)).toBe(`${BASE}-r15`);
  });

  it('Delete: deletes the primary without a snapshot', () => {
    const p = plan(aWorld(deleting('Delete')).inSync().withReplica(1, undefined).withReplica(2, undefined).build());
    expect(stepOf(p, 'deleteInstance').finalSnapshot).toBe('skip');
  });

  it.each(['Snapshot', 'Delete'] as const)('%s: deletes the parameter group and removes the finalizer once the instances are gone', (policy) => {
    const world = aWorld(deleting(policy)).inSync().withReplica(1, undefined).withReplica(2, undefined).withPrimary(undefined);
    expect(stepsOf(plan(world.build()))).toEqual([`deleteParameterGroup ${BASE}-postgres15`, 'removeFinalizer finalizer']);
  });

  it('Retain: deletes nothing and only removes the finalizer', () => {
    expect(stepsOf(plan(aWorld(deleting('Retain')).inSync().build()))).toEqual(['removeFinalizer finalizer']);
  });

  it('Retain: completes even with deletion protection on', () => {
    expect(stepsOf(plan(aWorld(deleting('Retain', true)).inSync().build()))).toEqual(['removeFinalizer finalizer']);
  });

  it.each(['Snapshot', 'Delete'] as const)('%s with deletionProtection: deletes nothing and says what to change', (policy) => {
    const p = plan(aWorld(deleting(policy, true)).inSync().build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('DeletionProtected');
    expect(p.blocker?.message).toContain('set spec.deletionProtection to false');
    expect(p.blocker?.message).toContain('set spec.deletionPolicy to Retain');
  });

  it('lifts deletion protection RDS still has on before deleting (spec already says false)', () => {
    const p = plan(aWorld(deleting('Snapshot')).inSync().withReplica(1, { deletionProtection: true }).build());
    expect(stepsOf(p)).toEqual([`deleteInstance ${BASE}-r2`, `modifyInstance ${BASE}-r1`]);
    expect(stepOf(p, 'modifyInstance').changes).toEqual({ deletionProtection: false });
  });

  it.each([
    ['creating', [], `${BASE} is creating; it is deleted once that finishes`],
    ['modifying', [], `${BASE} is modifying; it is deleted once that finishes`],
    ['backing-up', [], `${BASE} is backing-up; it is deleted once that finishes`],
    ['deleting', [], `${BASE} is being deleted`],
    ['available', [`deleteInstance ${BASE}`], undefined],
    ['storage-full', [`deleteInstance ${BASE}`], undefined],
    ['failed', [`deleteInstance ${BASE}`], undefined],
  ])('waits for or deletes a primary that is %s', (status, steps, wait) => {
    const world = aWorld(deleting('Delete')).inSync().withReplica(1, undefined).withReplica(2, undefined).withPrimary({ status });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual(steps);
    if (wait !== undefined) expect(p.waits.map((w) => w.message)).toContain(wait);
  });

  it.each(['failed', 'incompatible-parameters', 'incompatible-network', 'incompatible-restore'])(
    'Snapshot: a primary that is %s cannot take a final snapshot; says to switch the policy instead of retrying',
    (status) => {
      const world = aWorld(deleting('Snapshot')).inSync().withReplica(1, undefined).withReplica(2, undefined).withPrimary({ status });
      const p = plan(world.build());
      expect(stepsOf(p)).toEqual([]);
      expect(p.blocker?.reason).toBe('FinalSnapshotImpossible');
      expect(p.blocker?.message).toContain(`${BASE} is ${status}`);
      expect(p.blocker?.message).toContain('set spec.deletionPolicy to Delete');
      expect(p.blocker?.message).toContain('or to Retain');
    },
  );

  it('Snapshot: a storage-full primary can still take its final snapshot', () => {
    const world = aWorld(deleting('Snapshot')).inSync().withReplica(1, undefined).withReplica(2, undefined).withPrimary({ status: 'storage-full' });
    expect(stepOf(plan(world.build()), 'deleteInstance').finalSnapshot).toEqual({ finalSnapshotIdentifier: `${BASE}-final-3f6c1e2a9b7d` });
  });

  it('removes the finalizer at once when nothing was ever created', () => {
    expect(stepsOf(plan(aWorld(deleting('Snapshot')).build()))).toEqual(['removeFinalizer finalizer']);
  });

  it('does nothing once the finalizer is gone', () => {
    const p = plan(aWorld(deleting('Snapshot').withoutFinalizer()).inSync().build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker).toBeUndefined();
  });

  it('never deletes an instance it does not own, and finishes without it', () => {
    const world = aWorld(deleting('Delete')).withForeignInstance(BASE, { team: 'someone-else' });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual(['removeFinalizer finalizer']);
  });

  it('deletes surplus replicas left from a scale-down along with the rest', () => {
    const world = aWorld(deleting('Delete')).inSync().withReplica(3, {});
    expect(stepsOf(plan(world.build()))).toEqual([`deleteInstance ${BASE}-r3`, `deleteInstance ${BASE}-r2`, `deleteInstance ${BASE}-r1`]);
  });

  it('deletes nothing when the spec does not parse, since the policy is unknown', () => {
    const db = aReplicaSetDB().withRawSpec({ engineVersion: 'fifteen' }).beingDeleted();
    const p = plan(aWorld(db).build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('InvalidSpec');
  });
});
