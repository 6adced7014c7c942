// The whole reconcile on the real SDK adapter, against a mocked RDS client, in the states the emulator never
// shows: what RDS reports while it creates, modifies, backs up or deletes decides what the reconciler sends
// (nothing, for an instance that is busy) and what it reports.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  InvalidDBInstanceStateFault,
  ListTagsForResourceCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  type DBInstance,
} from '@aws-sdk/client-rds';
import type { RdsInstance } from '../rds/port.js';
import { recordToTags } from '../rds/sdk-mapping.js';
import { SdkRdsPort } from '../rds/sdk-adapter.js';
import { createReplicaSetDBReconciler } from './reconciler.js';
import { FakeKubernetes } from './testing/fake-kubernetes.js';
import { BASE, aReplicaSetDB, aWorld, type ReplicaSetDBBuilder } from './testing/fixtures.js';
import { CapturingLogger, STEADY_MS, TRANSITIONING_MS } from './testing/harness.js';

const rds = mockClient(RDSClient);
const READ_ONLY = new Set(['DescribeDBInstancesCommand', 'DescribeDBParameterGroupsCommand', 'DescribeDBParametersCommand', 'ListTagsForResourceCommand']);

function toSdk(i: RdsInstance): DBInstance {
  return {
    DBInstanceIdentifier: i.identifier,
    DBInstanceArn: i.arn,
    DBInstanceStatus: i.status,
    Engine: i.engine,
    EngineVersion: i.engineVersion,
    DBInstanceClass: i.instanceClass,
    AllocatedStorage: i.allocatedStorageGiB,
    MaxAllocatedStorage: i.maxAllocatedStorageGiB,
    StorageType: i.storageType,
    MultiAZ: i.multiAZ,
    StorageEncrypted: i.storageEncrypted,
    DBName: i.databaseName,
    MasterUsername: i.masterUsername,
    BackupRetentionPeriod: i.backupRetentionDays,
    PreferredBackupWindow: i.backupWindow,
    PreferredMaintenanceWindow: i.maintenanceWindow,
    VpcSecurityGroups: i.securityGroupIds.map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
    PubliclyAccessible: i.publiclyAccessible,
    PerformanceInsightsEnabled: i.performanceInsights,
    MonitoringInterval: i.monitoringIntervalSeconds,
    EnabledCloudwatchLogsExports: i.logExports,
    DBParameterGroups: i.parameterGroups.map((g) => ({ DBParameterGroupName: g.name, ParameterApplyStatus: g.applyStatus })),
    DeletionProtection: i.deletionProtection,
    Endpoint: i.endpoint ? { Address: i.endpoint.host, Port: i.endpoint.port } : undefined,
    ReadReplicaSourceDBInstanceIdentifier: i.replicationSource,
    ReadReplicaDBInstanceIdentifiers: i.replicaIdentifiers,
    TagList: recordToTags(i.tags),
    PendingModifiedValues: { DBInstanceClass: i.pending.instanceClass },
  };
}

/** Serves `world` from the mocked client and returns a reconcile bound to it. */
function serve(db: ReplicaSetDBBuilder, world: ReturnType<typeof aWorld>) {
  const observed = world.build();
  const instances = observed.managedInstances().map(toSdk);
  const group = observed.parameterGroup()!;
  rds.on(DescribeDBInstancesCommand).callsFake((input: { Filters?: Array<{ Values?: string[] }> }) => ({
    DBInstances: instances.filter((i) => input.Filters?.[0]?.Values?.includes(i.DBInstanceIdentifier!)),
  }));
  rds
    .on(DescribeDBParameterGroupsCommand)
    .resolves({ DBParameterGroups: [{ DBParameterGroupName: group.name, DBParameterGroupFamily: group.family, DBParameterGroupArn: group.arn }] });
  rds.on(ListTagsForResourceCommand).resolves({ TagList: recordToTags(group.tags) });
  rds
    .on(DescribeDBParametersCommand)
    .resolves({ Parameters: Object.entries(group.parameters).map(([ParameterName, ParameterValue]) => ({ ParameterName, ParameterValue, Source: 'user' })) });

  const kube = new FakeKubernetes();
  kube.put(db.build());
  const record = kube.record({ namespace: 'prod', name: 'servio' })!;
  record.finalizers = ['db.servio.io/finalizer'];
  record.deletionTimestamp = db.deletionTimestamp;
  void kube.createSecret({ namespace: 'prod', name: 'servio-credentials' }, { username: 'servio', password: 'Existing-Password-123' }, {});
  const reconcile = createReplicaSetDBReconciler({
    kube,
    rds: new SdkRdsPort(new RDSClient({ region: 'us-east-1' })),
    resync: { steadyMs: STEADY_MS, transitioningMs: TRANSITIONING_MS },
  });
  const run = () => reconcile({ namespace: 'prod', name: 'servio' }, { log: new CapturingLogger() });
  return { kube, run, status: () => record.status };
}

function mutatingCommands(): string[] {
  return rds
    .calls()
    .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name)
    .filter((name) => !READ_ONLY.has(name));
}

beforeEach(() => {
  rds.reset();
});

describe('reconcile over the SDK adapter in transitional RDS states', () => {
  it.each([
    ['creating', 0, 'Provisioning'],
    ['modifying', 2, 'Modifying'],
    ['rebooting', 2, 'Modifying'],
    ['upgrading', 2, 'Modifying'],
    ['modifying', 1, 'Provisioning'],
  ])('sends nothing while the primary is %s (%i of 2 replicas exist), reports %s and polls often', async (state, existing, phase) => {
    const db = aReplicaSetDB()
      .withReplicas(2)
      .withSpec({ primary: { instanceClass: 'db.r6g.2xlarge' } });
    const world = aWorld(db).inSync().withPrimary({ status: state, instanceClass: 'db.r6g.xlarge' });
    for (let index = existing + 1; index <= 2; index++) world.withReplica(index, undefined);
    const { run, status } = serve(db, world);
    expect(await run()).toEqual({ requeueAfterMs: TRANSITIONING_MS });
    expect(mutatingCommands()).toEqual([]);
    expect(status()?.phase).toBe(phase);
    expect(status()?.primary?.rdsStatus).toBe(state);
  });

  it('is Ready during a backup with nothing to change, and polls rarely', async () => {
    const db = aReplicaSetDB().withReplicas(1);
    const { run, status } = serve(db, aWorld(db).inSync().withPrimary({ status: 'backing-up' }));
    expect(await run()).toEqual({ requeueAfterMs: STEADY_MS });
    expect(mutatingCommands()).toEqual([]);
    expect(status()?.phase).toBe('Ready');
  });

  it('creates the missing replica once the primary is available, with one DescribeDBInstances for all identifiers', async () => {
    // The status records the identifiers, as it does for every object past its first reconcile.
    const db = aReplicaSetDB().withReplicas(2).withStatus({ baseIdentifier: BASE });
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({ DBInstance: { DBInstanceIdentifier: `${BASE}-r2`, DBInstanceStatus: 'creating' } });
    const { run, status } = serve(db, aWorld(db).inSync().withReplica(2, undefined));
    expect(await run()).toEqual({ requeueAfterMs: TRANSITIONING_MS });
    expect(mutatingCommands()).toEqual(['CreateDBInstanceReadReplicaCommand']);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(1);
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0]!.args[0].input.Filters?.[0]?.Values).toEqual([BASE, `${BASE}-r1`, `${BASE}-r2`]);
    expect(status()?.replicas?.map((r) => [r.identifier, r.rdsStatus])).toEqual([
      [`${BASE}-r1`, 'available'],
      [`${BASE}-r2`, 'creating'],
    ]);
  });

  it('waits when RDS answers InvalidDBInstanceState to a modification', async () => {
    const db = aReplicaSetDB()
      .withReplicas(0)
      .withSpec({ primary: { instanceClass: 'db.r6g.2xlarge' } });
    rds
      .on(ModifyDBInstanceCommand)
      .rejects(new InvalidDBInstanceStateFault({ message: 'Database instance is not in available state.', $metadata: { httpStatusCode: 400 } }));
    const { run, status, kube } = serve(db, aWorld(db).inSync().withPrimary({ instanceClass: 'db.r6g.xlarge' }));
    expect(await run()).toEqual({ requeueAfterMs: TRANSITIONING_MS });
    expect(status()?.phase).toBe('Modifying');
    expect(status()?.conditions?.find((c) => c.type === 'Progressing')?.message).toContain('ModifyDBInstance failed (invalid-state)');
    expect(kube.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'AwsRequestFailed' });
  });

  it('reports a class change RDS holds for the maintenance window without repeating it', async () => {
    const db = aReplicaSetDB()
      .withReplicas(0)
      .withSpec({ primary: { instanceClass: 'db.r6g.2xlarge' } });
    const { run, status } = serve(
      db,
      aWorld(db)
        .inSync()
        .withPrimary({ instanceClass: 'db.r6g.xlarge', pending: { instanceClass: 'db.r6g.2xlarge' } }),
    );
    expect(await run()).toEqual({ requeueAfterMs: STEADY_MS });
    expect(mutatingCommands()).toEqual([]);
    expect(status()?.pendingChanges).toEqual([`${BASE}: instanceClass db.r6g.xlarge -> db.r6g.2xlarge at the next maintenance window`]);
  });

  it('waits for a replica RDS is deleting before the primary of a deleted object', async () => {
    const db = aReplicaSetDB().withReplicas(1).withSpec({ deletionPolicy: 'Delete' }).beingDeleted();
    const { run, status } = serve(db, aWorld(db).inSync().withReplica(1, { status: 'deleting' }));
    expect(await run()).toEqual({ requeueAfterMs: TRANSITIONING_MS });
    expect(mutatingCommands()).toEqual([]);
    expect(status()?.phase).toBe('Deleting');
  });
});
