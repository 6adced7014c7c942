import { describe, expect, it } from 'vitest';
import { FINALIZER } from '../../naming/index.js';
import { BASE, aReplicaSetDB, aWorld, usableCredentials } from '../testing/fixtures.js';
import { plan, stepOf, stepsOf } from '../testing/plan-helpers.js';

describe('plan: creating a ReplicaSetDB', () => {
  it('adds the finalizer, creates the parameter group, the password and the primary, in that order', () => {
    const p = plan(aWorld(aReplicaSetDB().withoutFinalizer()).build());
    expect(stepsOf(p)).toEqual([
      'addFinalizer finalizer',
      `createParameterGroup ${BASE}-postgres15`,
      `setParameters ${BASE}-postgres15`,
      'createCredentials servio-credentials',
      `createPrimary ${BASE}`,
    ]);
    expect(p.waits.map((w) => w.message)).toEqual([`${BASE} is being created`, `1 replica(s) are created once ${BASE} is available`]);
  });

  it('creates the primary with every setting of the spec, the ownership tags, and no password', () => {
    const db = aReplicaSetDB().withSpec({
      primary: { instanceClass: 'db.r6g.xlarge', allocatedStorageGiB: 100, maxAllocatedStorageGiB: 500, storageType: 'io1', iops: 3000, multiAZ: true },
      kmsKeyId: 'alias/servio',
      backup: { retentionDays: 30, window: '02:00-03:00' },
      maintenanceWindow: 'Mon:04:00-Mon:05:00',
      network: { subnetGroupName: 'servio-subnet-group', securityGroupIds: ['sg-0123456789abcdef0'], publiclyAccessible: false },
      monitoring: {
        performanceInsights: true,
        enhancedMonitoringIntervalSeconds: 60,
        monitoringRoleArn: 'arn:aws:iam::123456789012:role/m',
        logExports: ['postgresql', 'upgrade'],
      },
      deletionProtection: true,
      iamDatabaseAuthentication: true,
    });
    const step = stepOf(plan(aWorld(db).build()), 'createPrimary');
    expect(step.blueprint).toEqual({
      identifier: BASE,
      engine: 'postgres',
      engineVersion: '15.4',
      databaseName: 'servio',
      masterUsername: 'servio',
      instanceClass: 'db.r6g.xlarge',
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      storageType: 'io1',
      iops: 3000,
      multiAZ: true,
      storageEncrypted: true,
      kmsKeyId: 'alias/servio',
      backupRetentionDays: 30,
      backupWindow: '02:00-03:00',
      maintenanceWindow: 'Mon:04:00-Mon:05:00',
      subnetGroupName: 'servio-subnet-group',
      securityGroupIds: ['sg-0123456789abcdef0'],
      publiclyAccessible: false,
      performanceInsights: true,
      monitoringIntervalSeconds: 60,
      monitoringRoleArn: 'arn:aws:iam::123456789012:role/m',
      logExports: ['postgresql', 'upgrade'],
      parameterGroupName: `${BASE}-postgres15`,
      deletionProtection: true,
      iamDatabaseAuthentication: true,
      tags: {
        Environment: 'production',
        'db.servio.io/owner-namespace': 'prod',
        'db.servio.io/owner-name': 'servio',
        'db.servio.io/owner-uid': '3f6c1e2a-9b7d-4c1e-8f00-0123456789ab',
        'app.kubernetes.io/managed-by': 'replicasetdb-operator',
        'db.servio.io/role': 'primary',
      },
    });
    expect(JSON.stringify(step)).not.toMatch(/password/i);
  });

  it('uses an existing usable Secret instead of generating a password', () => {
    const p = plan(aWorld().withCredentials(usableCredentials()).build());
    expect(stepsOf(p)).not.toContain('createCredentials servio-credentials');
    expect(stepsOf(p)).toContain(`createPrimary ${BASE}`);
  });

  it('uses the Secret named in the spec', () => {
    const p = plan(aWorld(aReplicaSetDB().withSpec({ credentials: { secretName: 'servio-db-credentials' } })).build());
    expect(stepOf(p, 'createCredentials').secret).toEqual({ namespace: 'prod', name: 'servio-db-credentials' });
    expect(stepOf(p, 'createPrimary').secret.name).toBe('servio-db-credentials');
  });

  it('creates nothing when the Secret exists but cannot supply a password', () => {
    const p = plan(aWorld().withCredentials({ state: 'unusable', reason: 'it has no password key' }).build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker).toEqual({
      reason: 'CredentialsInvalid',
      message: expect.stringContaining('Secret servio-credentials cannot supply the master password: it has no password key'),
    });
  });

  it('creates no parameter values when the spec has none, but still a group to add them to later', () => {
    const p = plan(aWorld(aReplicaSetDB().withParameters({})).build());
    expect(stepsOf(p)).toContain(`createParameterGroup ${BASE}-postgres15`);
    expect(stepsOf(p)).not.toContain(`setParameters ${BASE}-postgres15`);
  });

  it('creates the replicas once the primary is available, each with its class, storage and tags', () => {
    const world = aWorld(aReplicaSetDB().withReplicas(2)).inSync().withReplica(1, undefined).withReplica(2, undefined);
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([`createReplica ${BASE}-r1`, `createReplica ${BASE}-r2`]);
    expect(stepOf(p, 'createReplica', `${BASE}-r2`).input).toMatchObject({
      identifier: `${BASE}-r2`,
      sourceIdentifier: BASE,
      instanceClass: 'db.r6g.large',
      allocatedStorageGiB: 100,
      parameterGroupName: `${BASE}-postgres15`,
      tags: { 'db.servio.io/role': 'replica', 'db.servio.io/owner-uid': '3f6c1e2a-9b7d-4c1e-8f00-0123456789ab' },
    });
  });

  it('creates a replica with the storage the primary has grown to, never smaller than its source', () => {
    const world = aWorld(aReplicaSetDB().withReplicas(1)).inSync().withPrimary({ allocatedStorageGiB: 500 }).withReplica(1, undefined);
    expect(stepOf(plan(world.build()), 'createReplica').input.allocatedStorageGiB).toBe(500);
  });

  it("gives replicas the primary's class when the spec names none", () => {
    const db = aReplicaSetDB().withRawSpec({
      engineVersion: '15.4',
      databaseName: 'servio',
      primary: { instanceClass: 'db.r6g.xlarge' },
      replicas: { count: 1 },
    });
    const p = plan(aWorld(db).inSync().withReplica(1, undefined).build());
    expect(stepOf(p, 'createReplica').input.instanceClass).toBe('db.r6g.xlarge');
  });

  it('is converged (no step, no wait) for a world in sync with the spec', () => {
    for (const count of [0, 1, 3]) {
      const p = plan(aWorld(aReplicaSetDB().withReplicas(count)).inSync().build());
      expect(stepsOf(p), `count ${count}`).toEqual([]);
      expect(p.waits).toEqual([]);
      expect(p.pendingChanges).toEqual([]);
    }
  });

  it('adds a missing finalizer even when the world is in sync', () => {
    expect(stepsOf(plan(aWorld(aReplicaSetDB().withoutFinalizer()).inSync().build()))).toEqual(['addFinalizer finalizer']);
    expect(FINALIZER).toBe('db.servio.io/finalizer');
  });
});
