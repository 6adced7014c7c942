// Adoption in a shared account: off unless the operator allows it for the namespace, never of an instance that
// names another object, and an adopted instance is deleted only once it carries this object's tags, and then only
// after a final snapshot.
import { describe, expect, it } from 'vitest';
import { ADOPT_ANNOTATION, TAG_ADOPTED, TAG_OWNER_NAME, TAG_OWNER_NAMESPACE, TAG_OWNER_UID, ownershipTags } from '../../naming/index.js';
import { BASE, OWNER, aReplicaSetDB, aWorld } from '../testing/fixtures.js';
import { plan, stepOf, stepsOf } from '../testing/plan-helpers.js';

const annotated = () => aReplicaSetDB().withReplicas(0).withAnnotation(ADOPT_ANNOTATION, 'true');

describe('plan: adoption is allowed per namespace by the operator', () => {
  it('refuses an annotated adoption in a namespace the operator does not allow, naming the setting to change', () => {
    const world = aWorld(annotated())
      .inSync()
      .withPrimary({ tags: { Name: 'hand-made' } });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('AdoptionNotAllowed');
    expect(p.blocker?.message).toContain(`RDS instance ${BASE} exists without this ReplicaSetDB's ownership tags`);
    expect(p.blocker?.message).toContain('--adopt-namespaces');
    expect(p.blocker?.message).toContain('adoption.namespaces');
    expect(p.blocker?.message).toContain('prod');
  });

  it('adopts in an allowed namespace, marking the instance as adopted', () => {
    const world = aWorld(annotated())
      .withAdoptionAllowed()
      .inSync()
      .withPrimary({ tags: { Name: 'hand-made' } });
    const p = plan(world.build());
    expect(p.blocker).toBeUndefined();
    expect(stepOf(p, 'tagResource')).toMatchObject({ why: 'adopt', tags: { [TAG_OWNER_UID]: OWNER.uid, [TAG_ADOPTED]: 'true' } });
  });

  it('does not adopt in an allowed namespace without the annotation', () => {
    const world = aWorld(aReplicaSetDB().withReplicas(0)).withAdoptionAllowed().inSync().withPrimary({ tags: {} });
    expect(plan(world.build()).blocker?.reason).toBe('IdentifierConflict');
  });

  it('never adopts an instance whose ownership tags name another object, even without its uid', () => {
    const tags = { [TAG_OWNER_NAMESPACE]: 'other', [TAG_OWNER_NAME]: 'db' };
    const world = aWorld(annotated()).withAdoptionAllowed().inSync().withPrimary({ tags });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('IdentifierConflict');
    expect(p.blocker?.message).toContain('belongs to ReplicaSetDB other/db');
  });
});

describe('plan: deleting adopted instances', () => {
  it('does not delete an instance about to be adopted before it carries this object tags', () => {
    const db = annotated().beingDeleted().withSpec({ deletionPolicy: 'Delete' });
    const world = aWorld(db)
      .withAdoptionAllowed()
      .inSync()
      .withPrimary({ tags: { Name: 'hand-made' } });
    expect(stepsOf(plan(world.build()))).not.toContain(`deleteInstance ${BASE}`);
  });

  it('does not retire an untagged replica in the pass that adopts it', () => {
    const db = aReplicaSetDB().withReplicas(1).withAnnotation(ADOPT_ANNOTATION, 'true');
    const world = aWorld(db).withAdoptionAllowed().inSync().withReplica(2, { tags: {} });
    const steps = stepsOf(plan(world.build()));
    expect(steps).toContain(`tagResource ${BASE}-r2`);
    expect(steps).not.toContain(`deleteInstance ${BASE}-r2`);
  });

  it('takes a final snapshot of an adopted primary even with deletionPolicy Delete', () => {
    const db = aReplicaSetDB().withReplicas(0).beingDeleted().withSpec({ deletionPolicy: 'Delete' });
    const world = aWorld(db)
      .inSync()
      .withPrimary({ tags: { ...ownershipTags(OWNER), [TAG_ADOPTED]: 'true' } });
    const p = plan(world.build());
    expect(stepOf(p, 'deleteInstance', BASE).finalSnapshot).toEqual({ finalSnapshotIdentifier: `${BASE}-final-3f6c1e2a9b7d` });
  });

  it.each(['Snapshot', 'Delete'] as const)('%s: an adopted primary RDS cannot snapshot waits for a person, with the one way that works', (deletionPolicy) => {
    const db = aReplicaSetDB().withReplicas(0).beingDeleted().withSpec({ deletionPolicy });
    const world = aWorld(db)
      .inSync()
      .withPrimary({ status: 'failed', tags: { ...ownershipTags(OWNER), [TAG_ADOPTED]: 'true' } });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('FinalSnapshotImpossible');
    expect(p.blocker?.message).toContain('set spec.deletionPolicy to Retain');
    expect(p.blocker?.message).not.toContain('set spec.deletionPolicy to Delete');
  });

  it('still deletes a primary it created itself without a snapshot under deletionPolicy Delete', () => {
    const db = aReplicaSetDB().withReplicas(0).beingDeleted().withSpec({ deletionPolicy: 'Delete' });
    const p = plan(aWorld(db).inSync().build());
    expect(stepOf(p, 'deleteInstance', BASE).finalSnapshot).toBe('skip');
  });
});
