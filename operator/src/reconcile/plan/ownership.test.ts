import { describe, expect, it } from 'vitest';
import { ADOPT_ANNOTATION, ownershipTags, TAG_OWNER_UID } from '../../naming/index.js';
import { BASE, aReplicaSetDB, aWorld, OWNER } from '../testing/fixtures.js';
import { plan, stepOf, stepsOf } from '../testing/plan-helpers.js';

describe('plan: identifiers owned by something else', () => {
  it('never touches an instance with our identifier but without our tags: IdentifierConflict', () => {
    const p = plan(aWorld().withForeignInstance(BASE, { Name: 'servio-primary' }).build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('IdentifierConflict');
    expect(p.blocker?.message).toContain(`RDS instance ${BASE} exists without this ReplicaSetDB`);
    expect(p.blocker?.message).toContain(`annotate the ReplicaSetDB with ${ADOPT_ANNOTATION}=true`);
  });

  it('names the other object when the instance belongs to another ReplicaSetDB, and never adopts it', () => {
    const other = ownershipTags({ namespace: 'prod', name: 'servio-other', uid: 'uid-9' });
    for (const db of [aReplicaSetDB(), aReplicaSetDB().withAnnotation(ADOPT_ANNOTATION, 'true')]) {
      const p = plan(aWorld(db).withAdoptionAllowed().withForeignInstance(BASE, other).build());
      expect(stepsOf(p)).toEqual([]);
      expect(p.blocker?.message).toContain('belongs to ReplicaSetDB prod/servio-other');
    }
  });

  it('warns that an instance of an earlier object of this name may be a live one in another cluster sharing the account', () => {
    const p = plan(
      aWorld()
        .withForeignInstance(BASE, ownershipTags({ ...OWNER, uid: 'uid-in-another-cluster' }))
        .build(),
    );
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('IdentifierConflict');
    expect(p.blocker?.message).toContain('an earlier one deleted with deletionPolicy Retain, or a live one in another cluster that shares this AWS account');
  });

  it('blocks on a foreign replica identifier too', () => {
    const world = aWorld().inSync().withReplica(1, undefined).withForeignInstance(`${BASE}-r1`, {}, { replicationSource: BASE });
    expect(plan(world.build()).blocker?.reason).toBe('IdentifierConflict');
  });

  it('blocks on a foreign parameter group', () => {
    const world = aWorld().inSync().withParameterGroup({ tags: {} });
    const p = plan(world.build());
    expect(p.blocker?.reason).toBe('IdentifierConflict');
    expect(p.blocker?.message).toContain(`RDS parameter group ${BASE}-postgres15`);
  });

  it('adopts an unowned primary when annotated: tags it first, then manages it', () => {
    const db = aReplicaSetDB().withReplicas(0).withAnnotation(ADOPT_ANNOTATION, 'true');
    const world = aWorld(db)
      .withAdoptionAllowed()
      .inSync()
      .withPrimary({ tags: { Name: 'hand-made' }, instanceClass: 'db.t3.micro' });
    const p = plan(world.build());
    expect(p.blocker).toBeUndefined();
    expect(stepsOf(p)).toEqual([`tagResource ${BASE}`, `modifyInstance ${BASE}`]);
    expect(stepOf(p, 'tagResource')).toMatchObject({ why: 'adopt', tags: { [TAG_OWNER_UID]: OWNER.uid } });
  });

  it('adopts an instance retained by an earlier object of the same name when annotated', () => {
    const db = aReplicaSetDB().withReplicas(0).withAnnotation(ADOPT_ANNOTATION, 'true');
    const world = aWorld(db)
      .withAdoptionAllowed()
      .inSync()
      .withPrimary({ tags: ownershipTags({ ...OWNER, uid: 'uid-of-the-earlier-one' }) });
    expect(stepsOf(plan(world.build()))).toEqual([`tagResource ${BASE}`]);
  });

  it('refuses to adopt a "primary" that is itself a replica, even when annotated', () => {
    const db = aReplicaSetDB().withReplicas(0).withAnnotation(ADOPT_ANNOTATION, 'true');
    const world = aWorld(db).withAdoptionAllowed().withForeignInstance(BASE, {}, { replicationSource: 'elsewhere' });
    const p = plan(world.build());
    expect(p.blocker?.reason).toBe('IdentifierConflict');
    expect(p.blocker?.message).toContain('cannot be adopted');
  });

  it('requires the annotation value to be exactly "true"', () => {
    const db = aReplicaSetDB().withAnnotation(ADOPT_ANNOTATION, 'yes');
    expect(plan(aWorld(db).withAdoptionAllowed().withForeignInstance(BASE, {}).build()).blocker?.reason).toBe('IdentifierConflict');
  });
});

describe('plan: specs the operator cannot act on', () => {
  it('makes no AWS call for a spec that does not parse: InvalidSpec with the reason', () => {
    const db = aReplicaSetDB().withRawSpec({ engineVersion: '15.4', databaseName: 'servio', primary: { instanceClass: 'm5.large' } });
    const p = plan(aWorld(db).build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('InvalidSpec');
    expect(p.blocker?.message).toContain('spec.primary.instanceClass');
  });

  it('refuses an engine downgrade', () => {
    const world = aWorld(aReplicaSetDB().withSpec({ engineVersion: '14.9' }))
      .inSync()
      .withPrimary({ engineVersion: '15.4' });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker).toMatchObject({ reason: 'EngineDowngradeNotSupported', message: expect.stringContaining('Set spec.engineVersion to 15.4 or newer') });
  });

  it('does not create an empty primary in place of one that was there and is gone', () => {
    const status = { primary: { identifier: BASE, role: 'primary' as const, rdsStatus: 'available' } };
    const world = aWorld(aReplicaSetDB().withStatus(status)).inSync().withReplica(1, undefined).withPrimary(undefined);
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('PrimaryLost');
  });

  it('does create the primary when the status only saw it being created', () => {
    const status = { primary: { identifier: BASE, role: 'primary' as const, rdsStatus: 'creating' } };
    const world = aWorld(aReplicaSetDB().withStatus(status)).inSync().withReplica(1, undefined).withPrimary(undefined);
    expect(stepsOf(plan(world.build()))).toEqual([`createPrimary ${BASE}`]);
  });
});
