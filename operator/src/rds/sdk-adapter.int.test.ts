// The adapter against the RDS emulator (moto): the requests it builds are accepted, and what it reads back is
// what was asked for.
import { beforeAll, describe, expect, it } from 'vitest';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { awsClientConfig, rdsClient, testEnv } from '../../../test/env/helpers.js';
import { createRdsClient } from './client.js';
import type { CreateReplicaInput } from './port.js';
import { SdkRdsPort } from './sdk-adapter.js';
import { createSubnetGroup } from './testing/emulator.js';
import { aPrimaryInput } from './testing/inputs.js';

const config = awsClientConfig();
const port = new SdkRdsPort(createRdsClient({ region: config.region, endpoint: config.endpoint, credentials: config.credentials, maxAttempts: 2 }));

const primary = aPrimaryInput({
  identifier: 'adapter-primary',
  masterPassword: 'Adapter-Test-Password-1',
  kmsKeyId: undefined,
  subnetGroupName: 'adapter-subnets',
  parameterGroupName: 'adapter-postgres15',
  tags: { Environment: 'production', 'db.servio.io/owner-uid': 'uid-1' },
});

describe('SdkRdsPort against the RDS emulator', () => {
  beforeAll(async () => {
    await createSubnetGroup(rdsClient(), testEnv().aws, 'adapter-subnets');
  });

  it('creates a parameter group, sets parameters and reads them back with the tags', async () => {
    expect(await port.describeParameterGroup('adapter-postgres15')).toBeUndefined();
    await port.createParameterGroup({ name: 'adapter-postgres15', family: 'postgres15', description: 'test', tags: { owner: 'uid-1' } });
    await expect(port.createParameterGroup({ name: 'adapter-postgres15', family: 'postgres15', description: 'test', tags: {} })).rejects.toMatchObject({
      kind: 'already-exists',
    });
    await port.setParameters('adapter-postgres15', { max_connections: '200', work_mem: '2621kB' });
    expect(await port.describeParameterGroup('adapter-postgres15')).toMatchObject({
      family: 'postgres15',
      tags: { owner: 'uid-1' },
      parameters: { max_connections: '200', work_mem: '2621kB' },
    });
  });

  it('lists every parameter group with its family and ARN, over more than one page', async () => {
    // 101 groups: RDS and the emulator return at most 100 per page.
    const names = Array.from({ length: 100 }, (_, i) => `adapter-list-${i}-postgres16`);
    for (const name of names) await port.createParameterGroup({ name, family: 'postgres16', description: 'test', tags: {} });
    const listed = await port.listParameterGroups();
    expect(listed.find((g) => g.name === 'adapter-postgres15')).toMatchObject({ family: 'postgres15', arn: expect.stringContaining(':pg:adapter-postgres15') });
    expect(
      listed
        .filter((g) => g.name.startsWith('adapter-'))
        .map((g) => g.name)
        .sort(),
    ).toEqual(['adapter-postgres15', ...names].sort());
    for (const name of names) await port.deleteParameterGroup(name);
  });

  it('creates a primary with every setting and describes it back', async () => {
    const created = await port.createPrimary(primary);
    expect(created.identifier).toBe('adapter-primary');
    const found = await port.describeInstances(['adapter-primary', 'adapter-missing']);
    expect([...found.keys()]).toEqual(['adapter-primary']);
    expect(found.get('adapter-primary')).toMatchObject({
      status: 'available',
      engine: 'postgres',
      engineVersion: '15.4',
      instanceClass: 'db.r6g.xlarge',
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      storageType: 'gp3',
      multiAZ: true,
      storageEncrypted: true,
      databaseName: 'servio',
      masterUsername: 'servio',
      backupRetentionDays: 30,
      backupWindow: '02:00-03:00',
      maintenanceWindow: 'mon:04:00-mon:05:00',
      subnetGroupName: 'adapter-subnets',
      securityGroupIds: ['sg-0123456789abcdef0'],
      publiclyAccessible: false,
      monitoringIntervalSeconds: 60,
      monitoringRoleArn: 'arn:aws:iam::123456789012:role/servio-rds-monitoring',
      logExports: ['postgresql', 'upgrade'],
      parameterGroups: [{ name: 'adapter-postgres15' }],
      deletionProtection: true,
      iamDatabaseAuthentication: true,
      tags: { Environment: 'production', 'db.servio.io/owner-uid': 'uid-1' },
      endpoint: { port: 5432 },
    });
  });

  it('reports a second create of the same identifier as already-exists', async () => {
    await expect(port.createPrimary(primary)).rejects.toMatchObject({ kind: 'already-exists', operation: 'CreateDBInstance' });
  });

  it('creates a read replica linked to its source', async () => {
    const replica: CreateReplicaInput = {
      ...primary,
      identifier: 'adapter-primary-r1',
      sourceIdentifier: 'adapter-primary',
      instanceClass: 'db.r6g.large',
      multiAZ: undefined,
      deletionProtection: false,
      iamDatabaseAuthentication: false,
      tags: { 'db.servio.io/role': 'replica' },
    };
    await port.createReplica(replica);
    const found = await port.describeInstances(['adapter-primary', 'adapter-primary-r1']);
    expect(found.get('adapter-primary')?.replicaIdentifiers).toEqual(['adapter-primary-r1']);
    expect(found.get('adapter-primary-r1')).toMatchObject({
      replicationSource: 'adapter-primary',
      instanceClass: 'db.r6g.large',
      multiAZ: false,
      deletionProtection: false,
      iamDatabaseAuthentication: false,
      tags: { 'db.servio.io/role': 'replica' },
    });
  });

  it('describes many identifiers with a single call', async () => {
    const before = await rdsClient().send(new DescribeDBInstancesCommand({}));
    expect(before.DBInstances).toHaveLength(2);
    const ids = ['adapter-primary', 'adapter-primary-r1', ...Array.from({ length: 60 }, (_, i) => `adapter-none-${i}`)];
    const found = await port.describeInstances(ids);
    expect([...found.keys()].sort()).toEqual(['adapter-primary', 'adapter-primary-r1']);
  });

  it('modifies only what it is given', async () => {
    const modified = await port.modifyInstance('adapter-primary', { instanceClass: 'db.r6g.2xlarge', allocatedStorageGiB: 200 }, true);
    expect(modified).toMatchObject({ instanceClass: 'db.r6g.2xlarge', allocatedStorageGiB: 200, multiAZ: true, backupRetentionDays: 30 });
    expect(await port.modifyInstance('adapter-primary-r1', { iamDatabaseAuthentication: true }, true)).toMatchObject({ iamDatabaseAuthentication: true });
    expect((await port.describeInstances(['adapter-primary-r1'])).get('adapter-primary-r1')?.iamDatabaseAuthentication).toBe(true);
    await expect(port.modifyInstance('adapter-nothing', { instanceClass: 'db.r6g.large' }, true)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('refuses to delete a protected instance with a terminal error, then deletes with a final snapshot', async () => {
    await port.deleteInstance('adapter-primary-r1', 'skip');
    await expect(port.deleteInstance('adapter-primary', { finalSnapshotIdentifier: 'adapter-primary-final-1' })).rejects.toMatchObject({
      kind: 'terminal',
      code: 'InvalidParameterCombination',
    });
    await port.modifyInstance('adapter-primary', { deletionProtection: false }, true);
    await port.deleteInstance('adapter-primary', { finalSnapshotIdentifier: 'adapter-primary-final-1' });
    expect(await port.describeInstances(['adapter-primary', 'adapter-primary-r1'])).toEqual(new Map());
    expect(await port.describeSnapshot('adapter-primary-final-1')).toMatchObject({
      instanceIdentifier: 'adapter-primary',
      type: 'manual',
      tags: { 'db.servio.io/owner-uid': 'uid-1' },
    });
    expect(await port.describeSnapshot('adapter-primary-final-2')).toBeUndefined();
  });

  it('deletes the parameter group once, and again without an error', async () => {
    await port.deleteParameterGroup('adapter-postgres15');
    await port.deleteParameterGroup('adapter-postgres15');
    expect(await port.describeParameterGroup('adapter-postgres15')).toBeUndefined();
  });
});
