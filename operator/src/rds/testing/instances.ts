// Test fixture: an RDS instance as the port reports it, available and unremarkable unless told otherwise.
import type { RdsInstance } from '../port.js';

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
