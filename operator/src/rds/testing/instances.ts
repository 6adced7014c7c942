// Test fixture: an RDS instance as the port reports it, available and unremarkable unless told otherwise.
import type { CommonInstanceSettings, RdsInstance } from '../port.js';

export function anRdsInstance(overrides: Partial<RdsInstance> = {}): RdsInstance {
  const identifier = overrides.identifier ?? 'prod-servio';
  return {
    identifier,
    arn: `arn:aws:rds:us-east-1:123456789012:db:${identifier}`,
    status: 'available',
    engine: 'postgres',
    engineVersion: '15.4',
    instanceClass: 'db.r6g.large',
    allocatedStorageGiB: 20,
    storageType: 'gp3',
    multiAZ: false,
    storageEncrypted: true,
    backupRetentionDays: 7,
    securityGroupIds: [],
    publiclyAccessible: false,
    performanceInsights: false,
    monitoringIntervalSeconds: 0,
    logExports: [],
    parameterGroups: [],
    deletionProtection: false,
    endpoint: { host: `${identifier}.abc.us-east-1.rds.amazonaws.com`, port: 5432 },
    availabilityZone: 'us-east-1a',
    replicaIdentifiers: [],
    tags: {},
    pending: {},
    ...overrides,
  };
}

/** The settings of a create request as RDS reports them on the instance afterwards: it lower-cases the maintenance
 * window and picks one, and puts the VPC's default security group, when the request leaves them out. The subnet
 * group is left to the caller: a replica's is inherited from its source. */
export function settingsAsReported(input: CommonInstanceSettings & { maintenanceWindow?: string }) {
  return {
    instanceClass: input.instanceClass,
    allocatedStorageGiB: input.allocatedStorageGiB,
    maxAllocatedStorageGiB: input.maxAllocatedStorageGiB,
    storageType: input.storageType,
    iops: input.iops,
    maintenanceWindow: input.maintenanceWindow?.toLowerCase() ?? 'wed:06:38-wed:07:08',
    securityGroupIds: input.securityGroupIds.length > 0 ? [...input.securityGroupIds] : ['sg-default0'],
    publiclyAccessible: input.publiclyAccessible,
    performanceInsights: input.performanceInsights,
    monitoringIntervalSeconds: input.monitoringIntervalSeconds,
    monitoringRoleArn: input.monitoringRoleArn,
    logExports: [...input.logExports],
    parameterGroups: [{ name: input.parameterGroupName, applyStatus: 'in-sync' }],
    deletionProtection: input.deletionProtection,
    iamDatabaseAuthentication: input.iamDatabaseAuthentication,
    tags: { ...input.tags },
  } satisfies Partial<RdsInstance>;
}
