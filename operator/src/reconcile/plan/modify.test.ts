import { describe, expect, it } from 'vitest';
import { BASE, aReplicaSetDB, aWorld } from '../testing/fixtures.js';
import { describeStep } from '../describe-step.js';
import { Observed } from '../observed.js';
import { plan, planWithPrimary, stepOf, stepsOf } from '../testing/plan-helpers.js';

const noReplicas = () => aReplicaSetDB().withReplicas(0);

describe('plan: drift that is not fought', () => {
  it.each([
    ['a zone changed by a Multi-AZ failover', { availabilityZone: 'us-east-1c' }],
    ['a newer minor version RDS installed', { engineVersion: '15.6' }],
    ['storage grown by autoscaling past the spec', { allocatedStorageGiB: 180 }],
    ['a backup window RDS picked', { backupWindow: '07:00-07:30' }],
    ['a maintenance window RDS picked', { maintenanceWindow: 'sun:05:00-sun:05:30' }],
    ['default security groups', { securityGroupIds: ['sg-0aaaaaaaaaaaaaaaa'] }],
    ['a subnet group the spec leaves to RDS', { subnetGroupName: 'default' }],
    ['fields the emulator does not report', { performanceInsights: undefined, monitoringIntervalSeconds: undefined, publiclyAccessible: undefined }],
    ['an extra tag someone added', { tags: { ...aWorld(noReplicas()).inSync().build().primary()!.tags, CostCenter: '42' } }],
  ])('%s', (_, overrides) => {
    const p = plan(aWorld(noReplicas()).inSync().withPrimary(overrides).build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.pendingChanges).toEqual([]);
  });

  it('reads the maintenance window without regard to case, as RDS reports it in lower case', () => {
    const db = noReplicas().withSpec({ maintenanceWindow: 'Mon:04:00-Mon:05:00' });
    expect(stepsOf(planWithPrimary(db, { maintenanceWindow: 'mon:04:00-mon:05:00' }))).toEqual([]);
  });
});

describe('plan: drift that is enforced', () => {
  it.each([
    ['backup retention', { backupRetentionDays: 1 }, { backupRetentionDays: 7 }],
    ['deletion protection', { deletionProtection: true }, { deletionProtection: false }],
    [
      'enhanced monitoring turned on by hand',
      { monitoringIntervalSeconds: 60, monitoringRoleArn: 'arn:aws:iam::123456789012:role/x' },
      { monitoringIntervalSeconds: 0 },
    ],
    ['log exports', { logExports: ['upgrade'] }, { logExports: { enable: [], disable: ['upgrade'] } }],
    ['performance insights', { performanceInsights: true }, { performanceInsights: false }],
    ['IAM database authentication turned on by hand', { iamDatabaseAuthentication: true }, { iamDatabaseAuthentication: false }],
    ['public access', { publiclyAccessible: true }, { publiclyAccessible: false }],
    ['a parameter group swapped by hand', { parameterGroups: [{ name: 'default.postgres15' }] }, { parameterGroupName: `${BASE}-postgres15` }],
    ['an older minor version', { engineVersion: '15.2' }, { engineVersion: '15.4' }],
    ['storage turned back to gp2', { storageType: 'gp2' }, { storageType: 'gp3', iops: undefined }],
  ])('%s', (_, observed, changes) => {
    const p = plan(aWorld(noReplicas()).inSync().withPrimary(observed).build());
    expect(stepsOf(p)).toEqual([`modifyInstance ${BASE}`]);
    expect(stepOf(p, 'modifyInstance').changes).toEqual(changes);
  });

  it('turns IAM database authentication on for every instance when the spec asks', () => {
    const db = aReplicaSetDB().withReplicas(1).withSpec({ iamDatabaseAuthentication: true });
    const p = plan(aWorld(db).inSync().withPrimary({ iamDatabaseAuthentication: false }).withReplica(1, { iamDatabaseAuthentication: false }).build());
    expect(stepOf(p, 'modifyInstance').changes).toEqual({ iamDatabaseAuthentication: true });
  });

  it('does not act on an instance that does not report IAM database authentication', () => {
    const db = noReplicas().withSpec({ iamDatabaseAuthentication: true });
    expect(stepsOf(planWithPrimary(db, { iamDatabaseAuthentication: undefined }))).toEqual([]);
  });

  it('grows a storage-full primary at once, whatever applyImmediately says: a full primary refuses writes', () => {
    const db = noReplicas().withSpec({ primary: { allocatedStorageGiB: 200 } });
    const step = stepOf(planWithPrimary(db, { status: 'storage-full', allocatedStorageGiB: 100 }), 'modifyInstance');
    expect(step.changes).toEqual({ allocatedStorageGiB: 200 });
    expect(step.applyImmediately).toBe(true);
  });

  it('grows a storage-full primary first when the spec also changes settings it cannot take until it is available', () => {
    // RDS holds the instance as the previous spec made it; the new spec raises the storage and changes settings.
    const full = aWorld(noReplicas()).inSync().withPrimary({ status: 'storage-full' }).build();
    const edited = aWorld(noReplicas().withSpec({ primary: { allocatedStorageGiB: 200 }, backup: { retentionDays: 14 } })).build();
    const p = plan(new Observed({ ...full.world, object: edited.world.object, names: edited.world.names }));
    expect(stepsOf(p)).toEqual([`modifyInstance ${BASE}`]);
    expect(stepOf(p, 'modifyInstance')).toMatchObject({ changes: { allocatedStorageGiB: 200 }, applyImmediately: true });
    expect(p.waits).toEqual([]);
    expect(p.pendingChanges.some((c) => c.includes('14') && c.endsWith('(after the storage change)'))).toBe(true);
  });

  it('says which changes held for the maintenance window the growth of a full primary releases with it', () => {
    // RDS applies every pending change with ApplyImmediately; it has no way to apply one alone.
    const db = noReplicas().withSpec({ engineVersion: '16.3', primary: { allocatedStorageGiB: 200, instanceClass: 'db.r6g.2xlarge' } });
    const observed = aWorld(db)
      .inSync()
      .withPrimary({
        status: 'storage-full',
        engineVersion: '15.4',
        instanceClass: 'db.r6g.xlarge',
        allocatedStorageGiB: 100,
        pending: { engineVersion: '16.3', instanceClass: 'db.r6g.2xlarge' },
      })
      .build();
    const step = stepOf(plan(observed), 'modifyInstance');
    expect(step).toMatchObject({
      changes: { allocatedStorageGiB: 200 },
      applyImmediately: true,
      releasesPending: ['engineVersion 16.3', 'instanceClass db.r6g.2xlarge'],
    });
    expect(describeStep(step)).toContain(
      `${BASE} is full and cannot wait for the maintenance window, so RDS also applies now what it held for the window: engineVersion 16.3, instanceClass db.r6g.2xlarge`,
    );
  });

  it('releases nothing the spec did not hold back: applyImmediately true, nothing pending, or not full', () => {
    const pending = { engineVersion: '16.3' };
    const grow = { allocatedStorageGiB: 200 };
    const immediate = noReplicas().withSpec({ applyImmediately: true, primary: grow });
    expect(stepOf(planWithPrimary(immediate, { status: 'storage-full', allocatedStorageGiB: 100, pending }), 'modifyInstance').releasesPending).toBeUndefined();
    const held = noReplicas().withSpec({ primary: grow });
    expect(stepOf(planWithPrimary(held, { status: 'storage-full', allocatedStorageGiB: 100 }), 'modifyInstance').releasesPending).toBeUndefined();
    expect(stepOf(planWithPrimary(held, { allocatedStorageGiB: 100, pending }), 'modifyInstance')).toMatchObject({ applyImmediately: false });
    expect(stepOf(planWithPrimary(held, { allocatedStorageGiB: 100, pending }), 'modifyInstance').releasesPending).toBeUndefined();
  });

  it('grows a storage-full replica at once, whatever applyImmediately says', () => {
    const db = aReplicaSetDB()
      .withReplicas(1)
      .withSpec({ primary: { allocatedStorageGiB: 200 } });
    const p = plan(aWorld(db).inSync().withPrimary({ allocatedStorageGiB: 100 }).withReplica(1, { status: 'storage-full', allocatedStorageGiB: 100 }).build());
    const step = stepOf(p, 'modifyInstance', `${BASE}-r1`);
    expect(step.changes).toEqual({ allocatedStorageGiB: 200 });
    expect(step.applyImmediately).toBe(true);
  });

  it('sends applyImmediately from the spec', () => {
    const db = noReplicas().withSpec({ applyImmediately: true, primary: { instanceClass: 'db.r6g.2xlarge' } });
    expect(stepOf(planWithPrimary(db, { instanceClass: 'db.r6g.xlarge' }), 'modifyInstance').applyImmediately).toBe(true);
    expect(stepOf(planWithPrimary(noReplicas(), { instanceClass: 'db.r6g.large' }), 'modifyInstance').applyImmediately).toBe(false);
  });

  it('turns storage autoscaling off by setting the maximum to the allocated storage', () => {
    const p = planWithPrimary(noReplicas(), { maxAllocatedStorageGiB: 500 });
    expect(stepOf(p, 'modifyInstance').changes).toEqual({ maxAllocatedStorageGiB: 100 });
  });

  it('does not see autoscaling as on when RDS reports a maximum equal to the storage', () => {
    expect(stepsOf(planWithPrimary(noReplicas(), { maxAllocatedStorageGiB: 100 }))).toEqual([]);
  });

  it('never shrinks storage', () => {
    const db = noReplicas().withSpec({ primary: { allocatedStorageGiB: 50 } });
    expect(stepsOf(planWithPrimary(db, { allocatedStorageGiB: 100 }))).toEqual([]);
  });

  it('upgrades the major version with the new family group, created first', () => {
    const db = noReplicas().withSpec({ engineVersion: '16.3' });
    const world = aWorld(noReplicas()).inSync().build();
    const upgraded = aWorld(db)
      .inSync()
      .withParameterGroup(undefined)
      .withPrimary({ ...world.primary()!, engineVersion: '15.4' });
    const p = plan(upgraded.build());
    expect(stepsOf(p)).toEqual([`createParameterGroup ${BASE}-postgres16`, `setParameters ${BASE}-postgres16`, `modifyInstance ${BASE}`]);
    expect(stepOf(p, 'createParameterGroup').input.family).toBe('postgres16');
    expect(stepOf(p, 'modifyInstance').changes).toEqual({ engineVersion: '16.3', allowMajorVersionUpgrade: true, parameterGroupName: `${BASE}-postgres16` });
  });
});

describe('plan: one change to the primary at a time', () => {
  const db = noReplicas().withSpec({ primary: { instanceClass: 'db.r6g.2xlarge', multiAZ: true }, backup: { retentionDays: 14 } });

  it('sends the settings first and lists the rest as pending', () => {
    const p = planWithPrimary(db, { instanceClass: 'db.r6g.xlarge', multiAZ: false, backupRetentionDays: 7 });
    expect(stepsOf(p)).toEqual([`modifyInstance ${BASE}`]);
    expect(stepOf(p, 'modifyInstance').changes).toEqual({ backupRetentionDays: 14 });
    expect(p.pendingChanges).toEqual([
      `${BASE}: instanceClass db.r6g.xlarge -> db.r6g.2xlarge (after the settings change)`,
      `${BASE}: multiAZ false -> true (after the settings change)`,
    ]);
  });

  it('then the class, then Multi-AZ', () => {
    const afterSettings = planWithPrimary(db, { instanceClass: 'db.r6g.xlarge', multiAZ: false });
    expect(stepOf(afterSettings, 'modifyInstance').changes).toEqual({ instanceClass: 'db.r6g.2xlarge' });
    const afterClass = planWithPrimary(db, { multiAZ: false });
    expect(stepOf(afterClass, 'modifyInstance').changes).toEqual({ multiAZ: true });
  });

  it('does not repeat a change RDS holds for the maintenance window, and reports it pending', () => {
    const p = planWithPrimary(db, { instanceClass: 'db.r6g.xlarge', pending: { instanceClass: 'db.r6g.2xlarge' } });
    expect(stepsOf(p)).toEqual([]);
    expect(p.pendingChanges).toEqual([`${BASE}: instanceClass db.r6g.xlarge -> db.r6g.2xlarge at the next maintenance window`]);
  });

  it('reports static parameters waiting for a reboot', () => {
    const p = planWithPrimary(noReplicas(), { parameterGroups: [{ name: `${BASE}-postgres15`, applyStatus: 'pending-reboot' }] });
    expect(stepsOf(p)).toEqual([]);
    expect(p.pendingChanges).toEqual([`${BASE}: static parameters of ${BASE}-postgres15 take effect at the next reboot`]);
  });
});

describe('plan: replicas roll, and are resized before the primary', () => {
  const resized = () =>
    aReplicaSetDB()
      .withReplicas(3)
      .withSpec({ replicas: { instanceClass: 'db.r6g.xlarge' } });

  it('modifies one replica per pass', () => {
    const p = plan(
      aWorld(resized())
        .inSync()
        .withReplica(1, { instanceClass: 'db.r6g.large' })
        .withReplica(2, { instanceClass: 'db.r6g.large' })
        .withReplica(3, { instanceClass: 'db.r6g.large' })
        .build(),
    );
    expect(stepsOf(p)).toEqual([`modifyInstance ${BASE}-r1`]);
    expect(p.waits.map((w) => w.message)).toEqual([
      `${BASE}-r2 is modified after ${BASE}-r1 (one replica at a time)`,
      `${BASE}-r3 is modified after ${BASE}-r1 (one replica at a time)`,
    ]);
  });

  it('waits while another replica is still modifying', () => {
    const p = plan(aWorld(resized()).inSync().withReplica(1, { status: 'modifying' }).withReplica(2, { instanceClass: 'db.r6g.large' }).build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.waits.map((w) => w.message)).toEqual([`${BASE}-r2 is modified after ${BASE}-r1 (one replica at a time)`]);
  });

  it('changes the primary class only after every replica has it', () => {
    const grown = () =>
      aReplicaSetDB()
        .withReplicas(2)
        .withoutReplicaClass()
        .withSpec({ primary: { instanceClass: 'db.r6g.2xlarge' } });
    const first = plan(
      aWorld(grown())
        .inSync()
        .withPrimary({ instanceClass: 'db.r6g.xlarge' })
        .withReplica(1, { instanceClass: 'db.r6g.xlarge' })
        .withReplica(2, { instanceClass: 'db.r6g.xlarge' })
        .build(),
    );
    expect(stepsOf(first)).toEqual([`modifyInstance ${BASE}-r1`]);
    expect(first.pendingChanges).toContain(`${BASE}: instanceClass db.r6g.xlarge -> db.r6g.2xlarge (after the replicas)`);
    const last = planWithPrimary(grown(), { instanceClass: 'db.r6g.xlarge' });
    expect(stepsOf(last)).toEqual([`modifyInstance ${BASE}`]);
  });

  it('grows replica storage with the primary, replicas first', () => {
    const db = aReplicaSetDB()
      .withReplicas(1)
      .withSpec({ primary: { allocatedStorageGiB: 200 } });
    const p = plan(aWorld(db).inSync().withPrimary({ allocatedStorageGiB: 100 }).withReplica(1, { allocatedStorageGiB: 100 }).build());
    expect(stepsOf(p)).toEqual([`modifyInstance ${BASE}-r1`]);
    expect(stepOf(p, 'modifyInstance').changes).toEqual({ allocatedStorageGiB: 200 });
  });

  it('lifts a surplus replica deletion protection before deleting it', () => {
    const db = aReplicaSetDB().withReplicas(1).withSpec({ deletionProtection: true });
    const p = plan(aWorld(db).inSync().withReplica(2, { deletionProtection: true }).build());
    expect(stepsOf(p)).toEqual([`modifyInstance ${BASE}-r2`]);
    expect(stepOf(p, 'modifyInstance').changes).toEqual({ deletionProtection: false });
  });
});

describe('plan: parameters and tags', () => {
  it('sets only the parameters that differ and resets the ones removed from the spec', () => {
    const db = aReplicaSetDB().withParameters({ max_connections: '300', work_mem: '4MB' });
    const p = plan(
      aWorld(db)
        .inSync()
        .withParameterGroup({ parameters: { max_connections: '200', work_mem: '4MB', shared_buffers: '256MB' } })
        .build(),
    );
    expect(stepsOf(p)).toEqual([`setParameters ${BASE}-postgres15`, `resetParameters ${BASE}-postgres15`]);
    expect(stepOf(p, 'setParameters').values).toEqual({ max_connections: '300' });
    expect(stepOf(p, 'resetParameters').names).toEqual(['shared_buffers']);
  });

  it('adds the spec tags an instance lacks, and nothing else', () => {
    const db = aReplicaSetDB()
      .withReplicas(0)
      .withSpec({ tags: { Environment: 'production', Team: 'db' } });
    const world = aWorld(aReplicaSetDB().withReplicas(0)).inSync().build();
    const p = plan(aWorld(db).inSync().withPrimary({ tags: world.primary()!.tags }).withParameterGroup({ tags: world.parameterGroup()!.tags }).build());
    expect(stepsOf(p)).toEqual([`tagResource ${BASE}-postgres15`, `tagResource ${BASE}`]);
    expect(stepOf(p, 'tagResource', BASE)).toMatchObject({ why: 'drift', tags: { Team: 'db' } });
    expect(Object.keys(stepOf(p, 'tagResource', BASE).tags)).toEqual(['Team']);
  });
});
