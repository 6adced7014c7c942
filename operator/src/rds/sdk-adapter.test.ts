// The adapter against a mocked RDS client: request shapes, batching, paging, and the states the emulator never
// shows (it makes every instance available at once).
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DBInstanceAlreadyExistsFault,
  DBParameterGroupNotFoundFault,
  DeleteDBInstanceCommand,
  DeleteDBParameterGroupCommand,
  DescribeDBInstancesCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  DescribeDBSnapshotsCommand,
  DBSnapshotNotFoundFault,
  ListTagsForResourceCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  RDSClient,
  ResetDBParameterGroupCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { RdsError } from './errors.js';
import { MAX_FILTER_VALUES, SdkRdsPort } from './sdk-adapter.js';
import { aPrimaryInput } from './testing/inputs.js';

const rds = mockClient(RDSClient);
const port = new SdkRdsPort(new RDSClient({ region: 'us-east-1' }));

function db(id: string, extra: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: id,
    DBInstanceArn: `arn:aws:rds:us-east-1:123456789012:db:${id}`,
    DBInstanceStatus: 'available',
    Engine: 'postgres',
    EngineVersion: '15.4',
    DBInstanceClass: 'db.r6g.large',
    AllocatedStorage: 100,
    Endpoint: { Address: `${id}.abc.us-east-1.rds.amazonaws.com`, Port: 5432 },
    ...extra,
  };
}

const primaryInput = aPrimaryInput();

beforeEach(() => {
  rds.reset();
});

describe('describeInstances', () => {
  it('asks for many ids with one filtered call, and splits at the filter limit', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `db-${i}`);
    rds.on(DescribeDBInstancesCommand).callsFake((input: { Filters: Array<{ Values: string[] }> }) => ({
      DBInstances: input.Filters[0]!.Values.filter((id) => id.endsWith('7')).map((id) => db(id)),
    }));
    const found = await port.describeInstances(ids);
    const calls = rds.commandCalls(DescribeDBInstancesCommand);
    expect(calls.map((c) => c.args[0].input.Filters?.[0]?.Values?.length)).toEqual([MAX_FILTER_VALUES, MAX_FILTER_VALUES, 50]);
    expect(calls.every((c) => c.args[0].input.Filters?.[0]?.Name === 'db-instance-id')).toBe(true);
    expect(found.size).toBe(25);
    expect(found.get('db-7')?.endpoint).toEqual({ host: 'db-7.abc.us-east-1.rds.amazonaws.com', port: 5432 });
  });

  it('follows the Marker across pages', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [db('a')], Marker: 'page-2' })
      .resolvesOnce({ DBInstances: [db('b')] });
    const found = await port.describeInstances(['a', 'b']);
    expect([...found.keys()]).toEqual(['a', 'b']);
    expect(rds.commandCalls(DescribeDBInstancesCommand)[1]!.args[0].input.Marker).toBe('page-2');
  });

  it('sends each id once, in the lower case RDS stores', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    await port.describeInstances(['Prod-Servio', 'prod-servio', 'prod-servio-r1']);
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0]!.args[0].input.Filters?.[0]?.Values).toEqual(['prod-servio', 'prod-servio-r1']);
  });

  it('reports a creating instance without an endpoint', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [db('a', { DBInstanceStatus: 'creating', Endpoint: undefined })] });
    const a = (await port.describeInstances(['a'])).get('a');
    expect(a).toMatchObject({ status: 'creating', endpoint: undefined });
  });

  it('reports what a modifying instance holds for the maintenance window', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [db('a', { DBInstanceStatus: 'modifying', PendingModifiedValues: { DBInstanceClass: 'db.r6g.2xlarge', AllocatedStorage: 200 } })],
    });
    const a = (await port.describeInstances(['a'])).get('a');
    expect(a).toMatchObject({ status: 'modifying', pending: { instanceClass: 'db.r6g.2xlarge', allocatedStorageGiB: 200 } });
  });

  it.each(['backing-up', 'storage-full', 'failed', 'deleting', 'incompatible-parameters'])('passes the %s status through', async (status) => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [db('a', { DBInstanceStatus: status })] });
    expect((await port.describeInstances(['a'])).get('a')?.status).toBe(status);
  });

  it('maps tags, replication links, parameter groups and security groups', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        db('a', {
          TagList: [{ Key: 'k', Value: 'v' }],
          ReadReplicaDBInstanceIdentifiers: ['a-r1'],
          DBParameterGroups: [{ DBParameterGroupName: 'pg', ParameterApplyStatus: 'pending-reboot' }],
          VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1', Status: 'active' }],
          MaxAllocatedStorage: 500,
        }),
      ],
    });
    expect((await port.describeInstances(['a'])).get('a')).toMatchObject({
      tags: { k: 'v' },
      replicaIdentifiers: ['a-r1'],
      parameterGroups: [{ name: 'pg', applyStatus: 'pending-reboot' }],
      securityGroupIds: ['sg-1'],
      maxAllocatedStorageGiB: 500,
    });
  });
});

describe('createPrimary', () => {
  it('sends every setting of the spec', async () => {
    rds.on(CreateDBInstanceCommand).resolves({ DBInstance: db('prod-servio', { DBInstanceStatus: 'creating' }) });
    const created = await port.createPrimary(primaryInput);
    expect(created.status).toBe('creating');
    expect(rds.commandCalls(CreateDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: 'prod-servio',
      Engine: 'postgres',
      EngineVersion: '15.4',
      DBInstanceClass: 'db.r6g.xlarge',
      DBName: 'servio',
      MasterUsername: 'servio',
      MasterUserPassword: 'pw-not-logged-1234',
      AllocatedStorage: 100,
      MaxAllocatedStorage: 500,
      StorageType: 'gp3',
      StorageEncrypted: true,
      KmsKeyId: 'alias/servio',
      BackupRetentionPeriod: 30,
      PreferredBackupWindow: '02:00-03:00',
      PreferredMaintenanceWindow: 'Mon:04:00-Mon:05:00',
      DBSubnetGroupName: 'servio-subnet-group',
      VpcSecurityGroupIds: ['sg-0123456789abcdef0'],
      PubliclyAccessible: false,
      MultiAZ: true,
      EnablePerformanceInsights: true,
      MonitoringInterval: 60,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/servio-rds-monitoring',
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      DBParameterGroupName: 'prod-servio-postgres15',
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
      CopyTagsToSnapshot: true,
      Tags: [{ Key: 'Environment', Value: 'production' }],
    });
  });

  it('leaves out what the spec leaves to RDS, and the role when monitoring is off', async () => {
    rds.on(CreateDBInstanceCommand).resolves({ DBInstance: db('prod-servio') });
    await port.createPrimary({
      ...primaryInput,
      kmsKeyId: undefined,
      backupWindow: undefined,
      maintenanceWindow: undefined,
      subnetGroupName: undefined,
      securityGroupIds: [],
      maxAllocatedStorageGiB: undefined,
      monitoringIntervalSeconds: 0,
      monitoringRoleArn: 'arn:aws:iam::123456789012:role/unused',
      logExports: [],
    });
    const input = rds.commandCalls(CreateDBInstanceCommand)[0]!.args[0].input;
    for (const key of [
      'KmsKeyId',
      'PreferredBackupWindow',
      'PreferredMaintenanceWindow',
      'DBSubnetGroupName',
      'VpcSecurityGroupIds',
      'MaxAllocatedStorage',
      'MonitoringRoleArn',
      'EnableCloudwatchLogsExports',
    ]) {
      expect(input, key).not.toHaveProperty(key);
    }
    expect(input.MonitoringInterval).toBe(0);
  });

  it('reports an existing identifier as already-exists, so a retried create is recognised', async () => {
    rds.on(CreateDBInstanceCommand).rejects(new DBInstanceAlreadyExistsFault({ message: 'DB instance already exists', $metadata: { httpStatusCode: 400 } }));
    await expect(port.createPrimary(primaryInput)).rejects.toMatchObject({ kind: 'already-exists', operation: 'CreateDBInstance' });
  });

  it('reports throttling as retryable', async () => {
    rds
      .on(CreateDBInstanceCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    const err = await port.createPrimary(primaryInput).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RdsError);
    expect(err).toMatchObject({ kind: 'retryable', code: 'Throttling' });
  });
});

describe('createReplica', () => {
  it('creates a single-AZ replica of the source with the shared settings', async () => {
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({ DBInstance: db('prod-servio-r1', { DBInstanceStatus: 'creating' }) });
    const {
      masterPassword: _p,
      masterUsername: _u,
      databaseName: _d,
      engine: _e,
      engineVersion: _v,
      multiAZ: _m,
      storageEncrypted: _s,
      kmsKeyId: _k,
      backupRetentionDays: _b,
      backupWindow: _w,
      ...common
    } = primaryInput;
    await port.createReplica({ ...common, identifier: 'prod-servio-r1', sourceIdentifier: 'prod-servio', instanceClass: 'db.r6g.large' });
    const input = rds.commandCalls(CreateDBInstanceReadReplicaCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      DBInstanceIdentifier: 'prod-servio-r1',
      SourceDBInstanceIdentifier: 'prod-servio',
      DBInstanceClass: 'db.r6g.large',
      MultiAZ: false,
      AllocatedStorage: 100,
      DBParameterGroupName: 'prod-servio-postgres15',
      EnableIAMDatabaseAuthentication: true,
      Tags: [{ Key: 'Environment', Value: 'production' }],
    });
    expect(input).not.toHaveProperty('MasterUserPassword');
  });
});

describe('modifyInstance', () => {
  it('sends only the changed fields and ApplyImmediately', async () => {
    rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: db('prod-servio', { DBInstanceStatus: 'modifying' }) });
    await port.modifyInstance('prod-servio', { instanceClass: 'db.r6g.2xlarge', logExports: { enable: ['upgrade'], disable: [] } }, true);
    expect(rds.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: 'prod-servio',
      ApplyImmediately: true,
      DBInstanceClass: 'db.r6g.2xlarge',
      CloudwatchLogsExportConfiguration: { EnableLogTypes: ['upgrade'] },
    });
  });

  it('turns IAM database authentication on and off', async () => {
    rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: db('prod-servio') });
    await port.modifyInstance('prod-servio', { iamDatabaseAuthentication: true }, false);
    await port.modifyInstance('prod-servio', { iamDatabaseAuthentication: false }, false);
    expect(rds.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input.EnableIAMDatabaseAuthentication)).toEqual([true, false]);
  });

  it('turns enhanced monitoring off without a role', async () => {
    rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: db('prod-servio') });
    await port.modifyInstance('prod-servio', { monitoringIntervalSeconds: 0 }, false);
    expect(rds.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: 'prod-servio',
      ApplyImmediately: false,
      MonitoringInterval: 0,
    });
  });
});

describe('deleteInstance', () => {
  it('takes a named final snapshot', async () => {
    rds.on(DeleteDBInstanceCommand).resolves({ DBInstance: db('prod-servio', { DBInstanceStatus: 'deleting' }) });
    const deleted = await port.deleteInstance('prod-servio', { finalSnapshotIdentifier: 'prod-servio-final-abc' });
    expect(deleted?.status).toBe('deleting');
    expect(rds.commandCalls(DeleteDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: 'prod-servio',
      SkipFinalSnapshot: false,
      FinalDBSnapshotIdentifier: 'prod-servio-final-abc',
    });
  });

  it('skips the snapshot when told to', async () => {
    rds.on(DeleteDBInstanceCommand).resolves({});
    await port.deleteInstance('prod-servio-r2', 'skip');
    expect(rds.commandCalls(DeleteDBInstanceCommand)[0]!.args[0].input).toEqual({ DBInstanceIdentifier: 'prod-servio-r2', SkipFinalSnapshot: true });
  });
});

describe('parameter groups', () => {
  const arn = 'arn:aws:rds:us-east-1:123456789012:pg:prod-servio-postgres15';

  it('is absent when RDS says not found, and when it answers an empty list', async () => {
    rds
      .on(DescribeDBParameterGroupsCommand)
      .rejectsOnce(new DBParameterGroupNotFoundFault({ message: 'not found', $metadata: { httpStatusCode: 404 } }))
      .resolvesOnce({ DBParameterGroups: [] });
    expect(await port.describeParameterGroup('prod-servio-postgres15')).toBeUndefined();
    expect(await port.describeParameterGroup('prod-servio-postgres15')).toBeUndefined();
  });

  it('reads the family, the tags and the user-set parameters', async () => {
    rds.on(DescribeDBParameterGroupsCommand).resolves({
      DBParameterGroups: [{ DBParameterGroupName: 'prod-servio-postgres15', DBParameterGroupFamily: 'postgres15', DBParameterGroupArn: arn }],
    });
    rds.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: 'owner', Value: 'me' }] });
    rds.on(DescribeDBParametersCommand).resolves({ Parameters: [{ ParameterName: 'max_connections', ParameterValue: '200', Source: 'user' }] });
    expect(await port.describeParameterGroup('prod-servio-postgres15')).toEqual({
      name: 'prod-servio-postgres15',
      arn,
      family: 'postgres15',
      tags: { owner: 'me' },
      parameters: { max_connections: '200' },
    });
    expect(rds.commandCalls(DescribeDBParametersCommand)[0]!.args[0].input.Source).toBe('user');
  });

  it('applies dynamic parameters immediately and static ones at the next reboot, 20 per request', async () => {
    rds.on(DescribeDBParametersCommand).resolves({
      Parameters: [
        { ParameterName: 'work_mem', ApplyType: 'dynamic' },
        { ParameterName: 'shared_buffers', ApplyType: 'static' },
      ],
    });
    rds.on(ModifyDBParameterGroupCommand).resolves({});
    const values: Record<string, string> = { work_mem: '4MB', shared_buffers: '256MB' };
    for (let i = 0; i < 20; i++) values[`custom_${i}`] = String(i);
    await port.setParameters('pg', values);
    const calls = rds.commandCalls(ModifyDBParameterGroupCommand);
    expect(calls.map((c) => c.args[0].input.Parameters?.length)).toEqual([20, 2]);
    const sent = calls.flatMap((c) => c.args[0].input.Parameters ?? []);
    expect(sent.find((p) => p.ParameterName === 'work_mem')).toEqual({ ParameterName: 'work_mem', ParameterValue: '4MB', ApplyMethod: 'immediate' });
    expect(sent.find((p) => p.ParameterName === 'shared_buffers')?.ApplyMethod).toBe('pending-reboot');
    expect(sent.find((p) => p.ParameterName === 'custom_3')?.ApplyMethod).toBe('pending-reboot');
  });

  it('resets parameters by name', async () => {
    rds.on(DescribeDBParametersCommand).resolves({ Parameters: [{ ParameterName: 'work_mem', ApplyType: 'dynamic' }] });
    rds.on(ResetDBParameterGroupCommand).resolves({});
    await port.resetParameters('pg', ['work_mem']);
    expect(rds.commandCalls(ResetDBParameterGroupCommand)[0]!.args[0].input).toEqual({
      DBParameterGroupName: 'pg',
      ResetAllParameters: false,
      Parameters: [{ ParameterName: 'work_mem', ApplyMethod: 'immediate' }],
    });
  });

  it('makes no call when there is nothing to set or reset', async () => {
    await port.setParameters('pg', {});
    await port.resetParameters('pg', []);
    expect(rds.calls()).toHaveLength(0);
  });

  it('treats deleting a group that is gone as done', async () => {
    rds.on(DeleteDBParameterGroupCommand).rejects(new DBParameterGroupNotFoundFault({ message: 'not found', $metadata: { httpStatusCode: 404 } }));
    await expect(port.deleteParameterGroup('pg')).resolves.toBeUndefined();
  });
});

describe('tags and snapshots', () => {
  it('adds tags and skips an empty set', async () => {
    rds.on(AddTagsToResourceCommand).resolves({});
    await port.addTags('arn:x', {});
    await port.addTags('arn:x', { a: '1' });
    expect(rds.commandCalls(AddTagsToResourceCommand).map((c) => c.args[0].input)).toEqual([{ ResourceName: 'arn:x', Tags: [{ Key: 'a', Value: '1' }] }]);
  });

  it('describes a snapshot, or nothing when it does not exist', async () => {
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [{ DBSnapshotIdentifier: 's1', DBInstanceIdentifier: 'prod-servio', Status: 'available', SnapshotType: 'manual' }] })
      .rejectsOnce(new DBSnapshotNotFoundFault({ message: 'no', $metadata: { httpStatusCode: 404 } }));
    expect(await port.describeSnapshot('s1')).toEqual({ identifier: 's1', instanceIdentifier: 'prod-servio', status: 'available', type: 'manual', tags: {} });
    expect(await port.describeSnapshot('s2')).toBeUndefined();
  });
});

describe('abort signal', () => {
  // Fencing: a reconcile that loses leadership cuts its in-flight AWS calls short instead of letting them land.
  it('passes the caller signal to every request it sends', async () => {
    const signal = new AbortController().signal;
    const arn = 'arn:aws:rds:us-east-1:123456789012:pg:prod-servio-postgres15';
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [db('prod-servio')] });
    rds.on(CreateDBInstanceCommand).resolves({ DBInstance: db('prod-servio') });
    rds.on(CreateDBInstanceReadReplicaCommand).resolves({ DBInstance: db('prod-servio-r1') });
    rds.on(ModifyDBInstanceCommand).resolves({ DBInstance: db('prod-servio') });
    rds.on(DeleteDBInstanceCommand).resolves({ DBInstance: db('prod-servio') });
    rds.on(DescribeDBParameterGroupsCommand).resolves({
      DBParameterGroups: [{ DBParameterGroupName: 'prod-servio-postgres15', DBParameterGroupArn: arn, DBParameterGroupFamily: 'postgres15' }],
    });
    rds.on(DescribeDBParametersCommand).resolves({ Parameters: [{ ParameterName: 'max_connections', ApplyType: 'static' }] });
    rds.on(ListTagsForResourceCommand).resolves({ TagList: [] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });

    await port.describeInstances(['prod-servio'], { signal });
    await port.describeInstances(['prod-servio'], { signal, fresh: true });
    await port.createPrimary(primaryInput, { signal });
    await port.createReplica({ ...primaryInput, sourceIdentifier: 'prod-servio', identifier: 'prod-servio-r1' }, { signal });
    await port.modifyInstance('prod-servio', { instanceClass: 'db.r6g.2xlarge' }, true, { signal });
    await port.setMasterPassword('prod-servio', 'n3w-secret-value', { signal });
    await port.deleteInstance('prod-servio', 'skip', { signal });
    await port.addTags(arn, { a: 'b' }, { signal });
    await port.listTags(arn, { signal });
    await port.describeParameterGroup('prod-servio-postgres15', { signal });
    await port.listParameterGroups({ signal });
    await port.createParameterGroup({ name: 'prod-servio-postgres15', family: 'postgres15', description: 'd', tags: {} }, { signal });
    await port.setParameters('prod-servio-postgres15', { max_connections: '200' }, { signal });
    await port.resetParameters('prod-servio-postgres15', ['max_connections'], { signal });
    await port.deleteParameterGroup('prod-servio-postgres15', { signal });
    await port.describeSnapshot('s1', { signal });

    const calls = rds.calls();
    expect(calls.map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name)).toEqual([
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
      'CreateDBInstanceCommand',
      'CreateDBInstanceReadReplicaCommand',
      'ModifyDBInstanceCommand',
      'ModifyDBInstanceCommand',
      'DeleteDBInstanceCommand',
      'AddTagsToResourceCommand',
      'ListTagsForResourceCommand',
      'DescribeDBParameterGroupsCommand',
      'ListTagsForResourceCommand',
      'DescribeDBParametersCommand',
      'DescribeDBParameterGroupsCommand',
      'CreateDBParameterGroupCommand',
      'DescribeDBParametersCommand',
      'ModifyDBParameterGroupCommand',
      'DescribeDBParametersCommand',
      'ResetDBParameterGroupCommand',
      'DeleteDBParameterGroupCommand',
      'DescribeDBSnapshotsCommand',
    ]);
    expect(rds.commandCalls(ModifyDBInstanceCommand)[1]?.args[0].input).toMatchObject({
      DBInstanceIdentifier: 'prod-servio',
      MasterUserPassword: 'n3w-secret-value',
    });
    expect(rds.commandCalls(DescribeDBParameterGroupsCommand)[1]?.args[0].input).not.toHaveProperty('DBParameterGroupName');
    for (const call of calls) expect((call.args as unknown[])[1]).toEqual({ abortSignal: signal });
  });

  it('reports a request aborted by the signal as retryable, never as a rejection', async () => {
    const leadership = new AbortController();
    rds.on(ModifyDBInstanceCommand).callsFake(() => {
      leadership.abort(new Error('leadership lost'));
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    await expect(port.modifyInstance('prod-servio', { instanceClass: 'db.r6g.2xlarge' }, true, { signal: leadership.signal })).rejects.toMatchObject({
      kind: 'retryable',
    });
  });
});
