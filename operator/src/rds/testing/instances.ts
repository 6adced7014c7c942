// Test fixture: an RDS instance as the port reports it, available and unremarkable unless told otherwise.
import type { CommonInstanceSettings, RdsInstance } from '../port.js';
import { settingRows } from '../settings/values.js';

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
 * window and picks one, and puts the VPC's default security group, when the request leaves them out. */
export function settingsAsReported(input: CommonInstanceSettings) {
  const given = input as Readonly<Record<string, unknown>>;
  const settings = Object.fromEntries(settingRows().flatMap((r) => (given[r.key] === undefined ? [] : [[r.key, structuredClone(given[r.key])]])));
  return {
    ...(settings as Partial<RdsInstance>),
    instanceClass: input.instanceClass,
    allocatedStorageGiB: input.allocatedStorageGiB,
    deletionProtection: input.deletionProtection,
    logExports: [...input.logExports],
    maintenanceWindow: input.maintenanceWindow?.toLowerCase() ?? 'wed:06:38-wed:07:08',
    securityGroupIds: input.securityGroupIds.length > 0 ? [...input.securityGroupIds] : ['sg-default0'],
    parameterGroups: [{ name: input.parameterGroupName, applyStatus: 'in-sync' }],
    tags: { ...input.tags },
  } satisfies Partial<RdsInstance>;
}
