// Test fixture: a primary's create input with every setting the adapter maps, for the adapter's tests against a
// mocked client and against the emulator. Tests override what they are about.
import type { CreatePrimaryInput } from '../port.js';

const identity = { identifier: 'prod-servio', engine: 'postgres', engineVersion: '15.4', databaseName: 'servio', masterUsername: 'servio' } as const;
const storage = {
  instanceClass: 'db.r6g.xlarge',
  allocatedStorageGiB: 100,
  maxAllocatedStorageGiB: 500,
  storageType: 'gp3',
  storageEncrypted: true,
  kmsKeyId: 'alias/servio',
};
// The windows do not touch: moto counts windows that touch (03:00 and Mon:03:00) as overlapping.
const availability = {
  multiAZ: true,
  backupRetentionDays: 30,
  backupWindow: '02:00-03:00',
  maintenanceWindow: 'Mon:04:00-Mon:05:00',
  deletionProtection: true,
};
const network = {
  subnetGroupName: 'servio-subnet-group',
  securityGroupIds: ['sg-0123456789abcdef0'],
  publiclyAccessible: false,
  iamDatabaseAuthentication: true,
};
const monitoring = {
  performanceInsights: true,
  monitoringIntervalSeconds: 60,
  monitoringRoleArn: 'arn:aws:iam::123456789012:role/servio-rds-monitoring',
  logExports: ['postgresql', 'upgrade'],
};

export function aPrimaryInput(overrides: Partial<CreatePrimaryInput> = {}): CreatePrimaryInput {
  return {
    ...identity,
    masterPassword: 'pw-not-logged-1234',
    ...storage,
    ...availability,
    ...network,
    ...monitoring,
    parameterGroupName: 'prod-servio-postgres15',
    tags: { Environment: 'production' },
    ...overrides,
  };
}
