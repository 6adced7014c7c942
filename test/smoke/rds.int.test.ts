// Proves the RDS emulator answers the real AWS SDK: an instance and a read replica of it can be created and
// described, and each test file starts from an empty emulator.
import { describe, expect, it } from 'vitest';
import { CreateDBInstanceCommand, CreateDBInstanceReadReplicaCommand, DeleteDBInstanceCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { rdsClient } from '../env/helpers.js';

describe('moto RDS emulator', () => {
  const rds = rdsClient();

  it('starts every test file empty', async () => {
    const all = await rds.send(new DescribeDBInstancesCommand({}));
    expect(all.DBInstances ?? []).toEqual([]);
  });

  it('creates a PostgreSQL instance and a read replica of it', async () => {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'smoke-primary',
        Engine: 'postgres',
        EngineVersion: '15.4',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'smoke',
        MasterUserPassword: 'not-a-real-secret-1',
        DBName: 'smoke',
      }),
    );
    const replica = await rds.send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: 'smoke-replica-1',
        SourceDBInstanceIdentifier: 'smoke-primary',
        DBInstanceClass: 'db.t3.micro',
      }),
    );
    expect(replica.DBInstance?.ReadReplicaSourceDBInstanceIdentifier).toBe('smoke-primary');

    const described = await rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: ['smoke-primary', 'smoke-replica-1'] }] }));
    const byId = new Map(described.DBInstances?.map((i) => [i.DBInstanceIdentifier, i]));
    expect(byId.get('smoke-primary')?.DBInstanceStatus).toBe('available');
    expect(byId.get('smoke-primary')?.ReadReplicaDBInstanceIdentifiers).toEqual(['smoke-replica-1']);
    expect(byId.get('smoke-replica-1')?.Endpoint?.Port).toBe(5432);

    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'smoke-replica-1', SkipFinalSnapshot: true }));
    const after = await rds.send(new DescribeDBInstancesCommand({}));
    expect(after.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['smoke-primary']);
  });
});
