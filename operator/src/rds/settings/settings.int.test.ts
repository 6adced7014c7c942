// The settings added through the table against the RDS emulator (moto): each reaches RDS at creation, and a change
// made behind the operator's back is found and corrected by the drift rules. The emulator's gaps are stated where
// a test meets them.
import { describe, expect, it } from 'vitest';
import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { awsClientConfig, rdsClient } from '../../../../test/env/helpers.js';
import { instanceDrift, mergeChanges } from '../../reconcile/plan/drift.js';
import { createRdsClient } from '../client.js';
import type { CreatePrimaryInput, CreateReplicaInput, RdsInstance } from '../port.js';
import { SdkRdsPort } from '../sdk-adapter.js';
import { aPrimaryInput } from '../testing/inputs.js';

const config = awsClientConfig();
const port = new SdkRdsPort(createRdsClient({ region: config.region, endpoint: config.endpoint, credentials: config.credentials, maxAttempts: 2 }));

const primary = aPrimaryInput({
  identifier: 'settings-primary',
  masterPassword: 'Settings-Test-Password-1',
  instanceClass: 'db.r6g.large',
  allocatedStorageGiB: 400,
  iops: 12000,
  storageThroughput: 1000,
  kmsKeyId: undefined,
  multiAZ: false,
  backupRetentionDays: 1,
  backupWindow: undefined,
  maintenanceWindow: undefined,
  subnetGroupName: undefined,
  securityGroupIds: [],
  monitoringIntervalSeconds: 0,
  monitoringRoleArn: undefined,
  logExports: [],
  performanceInsightsRetentionDays: 31,
  port: 5433,
  autoMinorVersionUpgrade: false,
  caCertificateIdentifier: 'rds-ca-rsa2048-g1',
  parameterGroupName: 'default.postgres15',
  deletionProtection: false,
  tags: {},
});

async function described(id: string): Promise<RdsInstance> {
  const found = (await port.describeInstances([id])).get(id);
  if (found === undefined) throw new Error(`${id} not found`);
  return found;
}

/** What the operator's drift rules send for the instance, and the instance after RDS took it. */
async function correctDrift(
  desired: CreatePrimaryInput | CreateReplicaInput,
  role: 'primary' | 'replica',
): Promise<{ sent: Record<string, unknown>; after: RdsInstance }> {
  const id = desired.identifier;
  const { changes } = mergeChanges(instanceDrift(desired, await described(id), role).changes);
  if (Object.keys(changes).length > 0) await port.modifyInstance(id, changes, true);
  return { sent: changes, after: await described(id) };
}

describe('settings from the table against the RDS emulator', () => {
  it('creates the primary with each setting, as RDS then reports it', async () => {
    await port.createPrimary(primary);
    expect(await described('settings-primary')).toMatchObject({
      storageType: 'gp3',
      iops: 12000,
      storageThroughput: 1000,
      port: 5433,
      endpoint: { port: 5433 },
      autoMinorVersionUpgrade: false,
      caCertificateIdentifier: 'rds-ca-rsa2048-g1',
      iamDatabaseAuthentication: true,
    });
    expect(instanceDrift(primary, await described('settings-primary'), 'primary').changes).toEqual([]);
  });

  it.each([
    ['gp3 storage throughput', { StorageThroughput: 750 }, { storageThroughput: 1000 }],
    ['auto minor version upgrade', { AutoMinorVersionUpgrade: true }, { autoMinorVersionUpgrade: false }],
    ['IAM database authentication', { EnableIAMDatabaseAuthentication: false }, { iamDatabaseAuthentication: true }],
    ['the CA certificate', { CACertificateIdentifier: 'rds-ca-ecc384-g1' }, { caCertificateIdentifier: 'rds-ca-rsa2048-g1' }],
    // The emulator ignores the retention period at creation (and never reports PerformanceInsightsEnabled), but
    // keeps and reports one set by ModifyDBInstance.
    ['Performance Insights retention', { PerformanceInsightsRetentionPeriod: 62 }, { performanceInsightsRetentionDays: 31 }],
  ])('finds %s changed behind its back and sets it back', async (_, outOfBand, corrected) => {
    await rdsClient().send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'settings-primary', ApplyImmediately: true, ...outOfBand }));
    const { sent, after } = await correctDrift(primary, 'primary');
    expect(sent).toEqual(corrected);
    expect(after).toMatchObject(corrected);
    expect(instanceDrift(primary, after, 'primary').changes).toEqual([]);
  });

  it('creates a Multi-AZ replica when asked, and makes it Multi-AZ again after someone turned that off', async () => {
    const replica: CreateReplicaInput = { ...primary, identifier: 'settings-primary-r1', sourceIdentifier: 'settings-primary', multiAZ: true };
    await port.createReplica(replica);
    expect(await described('settings-primary-r1')).toMatchObject({ multiAZ: true, replicationSource: 'settings-primary' });
    await rdsClient().send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'settings-primary-r1', ApplyImmediately: true, MultiAZ: false }));
    const { sent, after } = await correctDrift(replica, 'replica');
    expect(sent).toEqual({ multiAZ: true });
    expect(after.multiAZ).toBe(true);
  });

  it('sends a new port as DBPortNumber, which the emulator accepts but does not apply to the endpoint', async () => {
    await port.modifyInstance('settings-primary', { port: 5434 }, true);
    // Real RDS moves the endpoint to the new port after a restart; moto 5.2.5 keeps reporting the old one.
    expect((await described('settings-primary')).endpoint?.port).toBe(5433);
  });
});
