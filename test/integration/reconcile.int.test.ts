// The operator against the real kube-apiserver and the RDS emulator: a Servio-like ReplicaSetDB is applied and
// must end Ready with the instances in the emulator as the spec says; then scaled, resized, grown, given a new
// parameter, deleted with a final snapshot; a major version upgrade that ends with only the new family's parameter
// group; Retain, an identifier conflict, a replica promoted out of band, a restart in the middle of a create, and a
// steady state that makes no mutating AWS call.
import {
  CreateDBInstanceCommand,
  DescribeDBParametersCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBSnapshotsCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { createSubnetGroup } from '../../operator/src/rds/testing/emulator.js';
import { apiClients, operatorPerFile } from './support/operator-per-file.js';
import { promoteByHand } from './support/promote-by-hand.js';
import { createServio, deleteWithFinalSnapshot, expectServioReplicas, resizeReplicasBeforePrimary, type ServioLife } from './support/servio-life.js';
import { minimalReplicaSetDB, recordingClient, reconcileObjects, tagsOf, type AwsCall } from './support/reconcile-objects.js';
import { eventually, rdsClient, testEnv, uniqueName } from '../env/helpers.js';

const { custom, core } = apiClients();
const rds = rdsClient();
const READ_ONLY = /^(Describe|List)/;

const namespace = uniqueName('rsdb-reconcile');
const calls: AwsCall[] = [];
const operators = operatorPerFile({
  namespace,
  beforeStart: () => createSubnetGroup(rds, testEnv().aws, 'servio-subnet-group'),
  operator: () => ({ identity: 'reconcile-int-test', rdsClient: recordingClient(calls) }),
});
const objects = reconcileObjects(
  () => namespace,
  () => rds,
);
const { getObject, settled, patchSpec, instances, servioExample, createObject } = objects;
const minimal = (name: string, spec: Record<string, unknown> = {}) => minimalReplicaSetDB(name, spec, { namespace });

describe('a Servio ReplicaSetDB through its life', () => {
  const name = 'servio';
  let base = '';
  const life: ServioLife = { namespace, name, base: () => base, calls, objects, rds: () => rds, goneTimeoutMs: 60_000 };

  it('becomes Ready with a primary and two replicas as the spec says, tagged with their owner', async () => {
    base = rdsBaseIdentifier(namespace, name);
    const { obj, found } = await createServio(life);

    const primary = found.get(base)!;
    expect(primary).toMatchObject({
      DBInstanceStatus: 'available',
      Engine: 'postgres',
      EngineVersion: '15.4',
      DBInstanceClass: 'db.r6g.xlarge',
      AllocatedStorage: 100,
      MaxAllocatedStorage: 500,
      StorageType: 'gp3',
      MultiAZ: true,
      StorageEncrypted: true,
      DBName: 'servio',
      MasterUsername: 'servio',
      BackupRetentionPeriod: 30,
      PreferredBackupWindow: '02:00-03:00',
      PreferredMaintenanceWindow: 'mon:04:00-mon:05:00',
      DBSubnetGroup: expect.objectContaining({ DBSubnetGroupName: 'servio-subnet-group' }),
      VpcSecurityGroups: [expect.objectContaining({ VpcSecurityGroupId: 'sg-0123456789abcdef0' })],
      PubliclyAccessible: false,
      MonitoringInterval: 60,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/servio-rds-monitoring',
      EnabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
      DBParameterGroups: [expect.objectContaining({ DBParameterGroupName: `${base}-postgres15` })],
      DeletionProtection: true,
    });
    expect(tagsOf(primary)).toEqual({
      Environment: 'production',
      'db.servio.io/owner-namespace': namespace,
      'db.servio.io/owner-name': name,
      'db.servio.io/owner-uid': obj.metadata.uid,
      'app.kubernetes.io/managed-by': 'replicasetdb-operator',
      'db.servio.io/role': 'primary',
    });
    expectServioReplicas(found, base, obj.metadata.uid);

    const params = await rds.send(new DescribeDBParametersCommand({ DBParameterGroupName: `${base}-postgres15` }));
    expect(Object.fromEntries((params.Parameters ?? []).map((p) => [p.ParameterName, p.ParameterValue]))).toEqual((await servioExample(name)).spec.parameters);

    const secret = await core.readNamespacedSecret({ namespace, name: 'servio-db-credentials' });
    const password = Buffer.from(secret.data?.password ?? '', 'base64').toString();
    expect(Buffer.from(secret.data?.username ?? '', 'base64').toString()).toBe('servio');
    expect(password).toMatch(/^[A-Za-z0-9]{40}$/);

    expect(obj.metadata.finalizers).toEqual(['db.servio.io/finalizer']);
    expect(obj.status).toMatchObject({
      readyReplicas: 2,
      primary: { identifier: base, rdsStatus: 'available', endpoint: { port: 5432 } },
      endpoints: { secretName: 'servio-db-credentials' },
      parameterGroupName: `${base}-postgres15`,
    });
    expect(obj.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Available' });

    const events = await core.listNamespacedEvent({ namespace });
    const reasons = new Set(events.items.filter((e) => e.involvedObject.name === name).map((e) => e.reason));
    for (const reason of ['CreatedParameterGroup', 'CredentialsGenerated', 'CreatingPrimary', 'CreatingReplica']) expect(reasons).toContain(reason);
    const everything = JSON.stringify([events.items.map((e) => e.message), obj.status]);
    expect(everything).not.toContain(password);
  });

  it('makes no mutating AWS call in the steady state, over several reconciles', async () => {
    const ours = (c: AwsCall) => JSON.stringify(c.input).includes(base);
    const resourceVersion = (
      (await custom.getNamespacedCustomObject({ ...replicaSetDBResource, namespace, name })) as { metadata: { resourceVersion: string } }
    ).metadata.resourceVersion;
    const from = calls.length;
    await eventually('three steady reconciles', async () =>
      calls.slice(from).filter((c) => c.operation === 'DescribeDBInstances' && ours(c)).length >= 3 ? true : undefined,
    );
    const window = calls.slice(from).filter(ours);
    expect(window.filter((c) => !READ_ONLY.test(c.operation))).toEqual([]);
    // Nor a write to the object: an unchanged status is not written again.
    const after = ((await custom.getNamespacedCustomObject({ ...replicaSetDBResource, namespace, name })) as { metadata: { resourceVersion: string } }).metadata
      .resourceVersion;
    expect(after).toBe(resourceVersion);
  });

  it('scales 2 -> 4 -> 1', async () => {
    await patchSpec(name, { replicas: { count: 4 } });
    await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 4);
    expect([...(await instances(base)).keys()].sort()).toEqual([base, `${base}-r1`, `${base}-r2`, `${base}-r3`, `${base}-r4`]);

    const from = calls.length;
    await patchSpec(name, { replicas: { count: 1 } });
    const obj = await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 1 && s.replicas?.length === 1);
    expect([...(await instances(base)).keys()].sort()).toEqual([base, `${base}-r1`]);
    const deleted = calls
      .slice(from)
      .filter((c) => c.operation === 'DeleteDBInstance')
      .map((c) => c.input.DBInstanceIdentifier);
    expect(deleted).toEqual([`${base}-r4`, `${base}-r3`, `${base}-r2`]);
    expect(obj.status?.replicas?.map((r) => r.identifier)).toEqual([`${base}-r1`]);
  });

  it('resizes the class, replicas before the primary', () => resizeReplicasBeforePrimary(life));

  it('grows the storage of every instance', async () => {
    await patchSpec(name, { primary: { allocatedStorageGiB: 200 } });
    await settled(name);
    const found = await instances(base);
    expect(found.get(base)?.AllocatedStorage).toBe(200);
    expect(found.get(`${base}-r1`)?.AllocatedStorage).toBe(200);
  });

  it('changes a parameter in the group', async () => {
    await patchSpec(name, { parameters: { max_connections: '300' } });
    await settled(name);
    const params = await rds.send(new DescribeDBParametersCommand({ DBParameterGroupName: `${base}-postgres15` }));
    expect(params.Parameters?.find((p) => p.ParameterName === 'max_connections')?.ParameterValue).toBe('300');
  });

  it('refuses to delete while deletionProtection is on, then deletes with a final snapshot', () => deleteWithFinalSnapshot(life));
});

describe('a major version upgrade, 15 -> 16', () => {
  it('moves the instances to the postgres16 group and deletes the postgres15 one, leaving only the 16 group', async () => {
    const base = rdsBaseIdentifier(namespace, 'upgraded');
    const groupNames = async () =>
      ((await rds.send(new DescribeDBParameterGroupsCommand({}))).DBParameterGroups ?? [])
        .map((g) => g.DBParameterGroupName ?? '')
        .filter((n) => n.startsWith(`${base}-`))
        .sort();
    await createObject(minimal('upgraded', { engineVersion: '15.4', deletionPolicy: 'Delete', applyImmediately: true, parameters: { work_mem: '8MB' } }));
    await settled('upgraded', (s) => s.phase === 'Ready' && s.readyReplicas === 1);
    expect(await groupNames()).toEqual([`${base}-postgres15`]);

    await patchSpec('upgraded', { engineVersion: '16.3' });
    // The emulator applies a major upgrade at once (no upgrading state) and, unlike RDS, leaves the replica's engine
    // version as it was; what matters here is which group each instance lists.
    await eventually('the primary on 16.3, both instances on the postgres16 group', async () => {
      const found = [...(await instances(base)).values()];
      const groupsOf = (i: DBInstance) => i.DBParameterGroups?.map((g) => g.DBParameterGroupName).join();
      const primaryUpgraded = found.find((i) => i.DBInstanceIdentifier === base)?.EngineVersion === '16.3';
      if (found.length === 2 && primaryUpgraded && found.every((i) => groupsOf(i) === `${base}-postgres16`)) return true;
      const status = (await getObject('upgraded'))?.status;
      throw new Error(
        `${JSON.stringify(found.map((i) => [i.DBInstanceIdentifier, i.EngineVersion, groupsOf(i), i.DBInstanceStatus]))}; ${JSON.stringify(status?.conditions)}`,
      );
    });
    await eventually('only the postgres16 group left', async () => {
      const groups = await groupNames();
      if (groups.join() === `${base}-postgres16`) return true;
      throw new Error(`groups: ${groups.join(', ')}`);
    });
    const params = await rds.send(new DescribeDBParametersCommand({ DBParameterGroupName: `${base}-postgres16` }));
    expect(params.Parameters?.find((p) => p.ParameterName === 'work_mem')?.ParameterValue).toBe('8MB');
    const deletions = calls.filter((c) => c.operation === 'DeleteDBParameterGroup' && JSON.stringify(c.input).includes(base));
    expect(deletions.map((c) => c.input.DBParameterGroupName)).toEqual([`${base}-postgres15`]);
    const events = await core.listNamespacedEvent({ namespace });
    expect(events.items.filter((e) => e.involvedObject.name === 'upgraded').map((e) => e.reason)).toContain('DeletedParameterGroup');

    await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name: 'upgraded' });
    await eventually('upgraded to be gone', async () => ((await getObject('upgraded')) === undefined ? true : undefined));
    expect(await groupNames()).toEqual([]);
  });
});

describe('deletionPolicy Retain', () => {
  it('leaves the instances running and lets the object go', async () => {
    await createObject(minimal('kept', { deletionPolicy: 'Retain' }));
    await settled('kept', (s) => s.phase === 'Ready' && s.readyReplicas === 1);
    const base = rdsBaseIdentifier(namespace, 'kept');
    await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name: 'kept' });
    await eventually('kept to be gone', async () => ((await getObject('kept')) === undefined ? true : undefined));
    expect([...(await instances(base)).keys()].sort()).toEqual([base, `${base}-r1`]);
  });
});

describe('an identifier taken by an instance the object does not own', () => {
  it('reports IdentifierConflict and never touches the instance, also when the object is deleted', async () => {
    const base = rdsBaseIdentifier(namespace, 'taken');
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: base,
        Engine: 'postgres',
        EngineVersion: '16.1',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'someone',
        MasterUserPassword: 'not-ours-12345',
        Tags: [{ Key: 'team', Value: 'elsewhere' }],
      }),
    );
    const from = calls.length;
    await createObject(minimal('taken'));
    const obj = await settled('taken', (s) => s.phase === 'Failed');
    expect(obj.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'IdentifierConflict' });
    expect(obj.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(
      `RDS instance ${base} exists without this ReplicaSetDB's ownership tags`,
    );

    await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name: 'taken' });
    await eventually('taken to be gone', async () => ((await getObject('taken')) === undefined ? true : undefined));
    const mutating = calls.slice(from).filter((c) => !READ_ONLY.test(c.operation) && JSON.stringify(c.input).includes(base));
    expect(mutating).toEqual([]);
    const instance = (await instances(base)).get(base);
    expect(instance).toMatchObject({ DBInstanceClass: 'db.t3.micro', DBInstanceStatus: 'available' });
    expect(tagsOf(instance)).toEqual({ team: 'elsewhere' });
  });
});

describe('a replica promoted to a standalone database', () => {
  it('is neither scaled down nor replaced (ReplicaPromoted), and is deleted with a final snapshot of its own', async () => {
    await createObject(minimal('promoted', { replicas: { count: 1 } }));
    const before = await settled('promoted', (s) => s.phase === 'Ready' && s.readyReplicas === 1);
    const base = rdsBaseIdentifier(namespace, 'promoted');
    const replicaId = `${base}-r1`;
    // With the operator stopped, so that it reads the promoted instance fresh when it starts.
    await operators.stopAll();
    await promoteByHand(rds, replicaId, () => instances(base));
    const from = calls.length;
    operators.start();
    await patchSpec('promoted', { replicas: { count: 0 } });
    const blocked = await settled('promoted', (s) => s.conditions?.some((c) => c.type === 'Ready' && c.reason === 'ReplicaPromoted') === true);
    expect(blocked.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(`${replicaId} no longer replicates from ${base}`);
    const deletesOfIt = () => calls.slice(from).filter((c) => c.operation === 'DeleteDBInstance' && c.input.DBInstanceIdentifier === replicaId);
    expect(deletesOfIt()).toEqual([]);
    expect((await instances(base)).get(replicaId)?.DBInstanceStatus).toBe('available');

    await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name: 'promoted' });
    await eventually('promoted to be gone', async () => ((await getObject('promoted')) === undefined ? true : undefined), 60_000);
    const snapshotId = `${replicaId}-final-${before.metadata.uid.replace(/-/g, '').slice(0, 12)}`;
    expect(deletesOfIt().map((c) => c.input)).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: replicaId, SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: snapshotId }),
    ]);
    const snapshots = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
    expect(snapshots.DBSnapshots?.[0]?.DBInstanceIdentifier).toBe(replicaId);
  });
});

describe('an operator killed in the middle of a create', () => {
  it('does not create a second instance after a restart, and converges', async () => {
    await operators.stopAll();
    const first: AwsCall[] = [];
    // CreateDBInstance reaches the emulator, then this operator never hears back, as if it died there.
    const dying = operators.start({ rdsClient: recordingClient(first, { stallAfter: 'CreateDBInstance' }) });
    await createObject(minimal('restarted', { replicas: { count: 1 } }));
    await eventually('the create to be sent', async () => (first.some((c) => c.operation === 'CreateDBInstance') ? true : undefined));
    await dying.stop();

    const second: AwsCall[] = [];
    operators.start({ rdsClient: recordingClient(second) });
    await settled('restarted', (s) => s.phase === 'Ready' && s.readyReplicas === 1);
    const base = rdsBaseIdentifier(namespace, 'restarted');
    expect([...(await instances(base)).keys()].sort()).toEqual([base, `${base}-r1`]);
    const creates = [...first, ...second].filter((c) => c.operation === 'CreateDBInstance' && c.input.DBInstanceIdentifier === base);
    expect(creates).toHaveLength(1);
  });
});
