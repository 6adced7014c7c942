// Every RDS instance setting the operator manages, one row each. Creation requests, describe parsing, the desired
// state, drift detection, the test fakes and the settings table of docs/operations.md all read these rows, so a
// setting is added here (plus its spec field) and nowhere else. The order is the order changes are listed in.
import type { DBInstance, PendingModifiedValues } from '@aws-sdk/client-rds';
import type { ReplicaSetDBSpec } from '../../api/index.js';
import type { InstanceRole } from '../../naming/index.js';
import {
  autoscaledStorage,
  caseInsensitive,
  engineVersionRule,
  exact,
  exactEvenIfAbsent,
  immutable,
  logExportsRule,
  monitoringIntervalRule,
  monitoringRoleRule,
  neverSmaller,
  sameStorageTypeOnly,
  setEquality,
  storageTypeRule,
} from './comparisons.js';
import { row, type Comparison } from './row.js';

const BOTH = ['primary', 'replica'] as const;
const PRIMARY = ['primary'] as const;

// RDS rejects an empty list where it expects none.
function nonEmpty<T>(items: readonly T[]): T[] | undefined {
  return items.length > 0 ? [...items] : undefined;
}

function fromDescribe<K extends keyof DBInstance>(key: K) {
  return { describeKey: key, fromDescribe: (db: DBInstance): DBInstance[K] => db[key] };
}

/** One SDK name in the create and modify requests and the describe response. */
function sdkKey<K extends keyof DBInstance & string>(key: K) {
  return { create: key, modify: key, ...fromDescribe(key) };
}

/** Applied at once, in place, without interrupting the database. */
const AT_ONCE = { group: 'settings', disruption: 'none', waitsForMaintenanceWindow: false } as const;
/** RDS cannot change it in place: a difference is reported, never sent. */
const REPLACEMENT = { group: 'settings', disruption: 'replacement', waitsForMaintenanceWindow: false } as const;

/** A setting of every instance, applied at once without interrupting it, under one SDK name everywhere. */
function plainSetting<const K extends string, V, S extends keyof DBInstance & string>(
  key: K,
  specPath: string,
  desired: (spec: ReplicaSetDBSpec, role: InstanceRole) => V,
  sdk: S,
  compare: NoInfer<Comparison<V>>,
) {
  return row({ key, specPath, desired, roles: BOTH, ...sdkKey(sdk), compare, ...AT_ONCE });
}

/** A storage setting of every instance, which RDS holds for the maintenance window under the same SDK name. */
function storageSetting<const K extends string, V, S extends keyof DBInstance & keyof PendingModifiedValues & string>(
  key: K,
  desired: (spec: ReplicaSetDBSpec) => V,
  sdk: S,
  compare: NoInfer<Comparison<V>>,
) {
  return row({
    key,
    specPath: `primary.${key}`,
    desired,
    roles: BOTH,
    ...sdkKey(sdk),
    pendingKey: sdk,
    compare,
    group: 'storage',
    disruption: 'none',
    waitsForMaintenanceWindow: true,
  });
}

/** What the primary is created as and RDS never changes: a difference is reported. */
function primaryIdentity<const K extends string, S extends keyof DBInstance & string>(key: K, desired: (spec: ReplicaSetDBSpec) => string, sdk: S) {
  return row({
    key,
    specPath: key,
    desired: (spec, role): string | undefined => (role === 'primary' ? desired(spec) : undefined),
    roles: PRIMARY,
    requiredAtCreate: PRIMARY,
    create: sdk,
    ...fromDescribe(sdk),
    compare: immutable(true),
    ...REPLACEMENT,
  });
}

export const SETTINGS = [
  row({
    key: 'allocatedStorageGiB',
    specPath: 'primary.allocatedStorageGiB',
    // Replicas get the primary's storage: a replica smaller than its source fills up first.
    desired: (spec) => spec.primary.allocatedStorageGiB,
    roles: BOTH,
    create: 'AllocatedStorage',
    modify: 'AllocatedStorage',
    describeKey: 'AllocatedStorage',
    fromDescribe: (db) => db.AllocatedStorage ?? 0,
    pendingKey: 'AllocatedStorage',
    compare: neverSmaller,
    group: 'storage',
    disruption: 'none',
    waitsForMaintenanceWindow: true,
  }),
  row({
    key: 'maxAllocatedStorageGiB',
    specPath: 'primary.maxAllocatedStorageGiB',
    desired: (spec) => spec.primary.maxAllocatedStorageGiB,
    roles: BOTH,
    ...sdkKey('MaxAllocatedStorage'),
    compare: autoscaledStorage,
    group: 'storage',
    disruption: 'none',
    waitsForMaintenanceWindow: false,
  }),
  storageSetting('storageType', (spec): string => spec.primary.storageType, 'StorageType', storageTypeRule(['iops', 'storageThroughput'])),
  storageSetting('iops', (spec) => spec.primary.iops, 'Iops', sameStorageTypeOnly('iops', true)),
  storageSetting('storageThroughput', (spec) => spec.primary.storageThroughput, 'StorageThroughput', sameStorageTypeOnly('storageThroughput', false)),
  row({
    key: 'instanceClass',
    specPath: 'primary.instanceClass, replicas.instanceClass',
    desired: (spec, role) => (role === 'primary' ? spec.primary.instanceClass : (spec.replicas.instanceClass ?? spec.primary.instanceClass)),
    roles: BOTH,
    create: 'DBInstanceClass',
    modify: 'DBInstanceClass',
    describeKey: 'DBInstanceClass',
    fromDescribe: (db) => db.DBInstanceClass ?? '',
    pendingKey: 'DBInstanceClass',
    compare: exactEvenIfAbsent('instanceClass'),
    group: 'class',
    // A Multi-AZ primary fails over to its resized standby instead; the class is the worst case.
    disruption: 'reboot',
    waitsForMaintenanceWindow: true,
  }),
  row({
    key: 'engineVersion',
    specPath: 'engineVersion',
    desired: (spec, role): string | undefined => (role === 'primary' ? spec.engineVersion : undefined),
    // RDS upgrades in-Region replicas of a PostgreSQL source together with it.
    roles: PRIMARY,
    requiredAtCreate: PRIMARY,
    create: 'EngineVersion',
    modify: 'EngineVersion',
    describeKey: 'EngineVersion',
    fromDescribe: (db) => db.EngineVersion ?? '',
    pendingKey: 'EngineVersion',
    compare: engineVersionRule,
    group: 'engine',
    disruption: 'reboot',
    waitsForMaintenanceWindow: true,
  }),
  row({
    key: 'multiAZ',
    specPath: 'primary.multiAZ, replicas.multiAZ',
    desired: (spec, role): boolean | undefined => (role === 'primary' ? spec.primary.multiAZ : spec.replicas.multiAZ),
    roles: BOTH,
    requiredAtCreate: PRIMARY,
    create: 'MultiAZ',
    // A replica is a single-AZ copy unless asked: its availability comes from the other replicas and the primary.
    createDefault: false,
    modify: 'MultiAZ',
    describeKey: 'MultiAZ',
    fromDescribe: (db) => db.MultiAZ ?? false,
    pendingKey: 'MultiAZ',
    compare: exactEvenIfAbsent('multiAZ'),
    group: 'multiAZ',
    disruption: 'brief-io-pause',
    waitsForMaintenanceWindow: true,
  }),
  row({
    key: 'backupRetentionDays',
    specPath: 'backup.retentionDays',
    desired: (spec, role): number | undefined => (role === 'primary' ? spec.backup.retentionDays : undefined),
    roles: PRIMARY,
    requiredAtCreate: PRIMARY,
    create: 'BackupRetentionPeriod',
    modify: 'BackupRetentionPeriod',
    describeKey: 'BackupRetentionPeriod',
    fromDescribe: (db) => db.BackupRetentionPeriod ?? 0,
    pendingKey: 'BackupRetentionPeriod',
    compare: exactEvenIfAbsent('backupRetentionDays'),
    group: 'settings',
    // Turning backups on or off interrupts the database; changing the number of days does not.
    disruption: 'brief-io-pause',
    waitsForMaintenanceWindow: 'when-interrupting',
  }),
  row({
    key: 'backupWindow',
    specPath: 'backup.window',
    desired: (spec, role) => (role === 'primary' ? spec.backup.window : undefined),
    roles: PRIMARY,
    ...sdkKey('PreferredBackupWindow'),
    compare: exactEvenIfAbsent('backupWindow'),
    ...AT_ONCE,
  }),
  plainSetting('maintenanceWindow', 'maintenanceWindow', (spec) => spec.maintenanceWindow, 'PreferredMaintenanceWindow', caseInsensitive('maintenanceWindow')),
  row({
    key: 'subnetGroupName',
    specPath: 'network.subnetGroupName',
    desired: (spec) => spec.network.subnetGroupName,
    roles: BOTH,
    // A replica lives in its source's subnet group; only the primary's is managed.
    enforcedOn: PRIMARY,
    create: 'DBSubnetGroupName',
    modify: 'DBSubnetGroupName',
    describeKey: 'DBSubnetGroup',
    fromDescribe: (db) => db.DBSubnetGroup?.DBSubnetGroupName,
    pendingKey: 'DBSubnetGroupName',
    compare: exactEvenIfAbsent('subnetGroupName'),
    group: 'settings',
    disruption: 'reboot',
    waitsForMaintenanceWindow: 'when-interrupting',
  }),
  row({
    key: 'securityGroupIds',
    specPath: 'network.securityGroupIds',
    desired: (spec): string[] => spec.network.securityGroupIds,
    // An empty list is the spec leaving the groups to RDS: never compared, and not sent.
    compare: setEquality('securityGroupIds', true),
    roles: BOTH,
    describeKey: 'VpcSecurityGroups',
    fromDescribe: (db) => (db.VpcSecurityGroups ?? []).flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [])),
    create: 'VpcSecurityGroupIds',
    modify: 'VpcSecurityGroupIds',
    toRequest: (ids) => ({ VpcSecurityGroupIds: nonEmpty(ids) }),
    ...AT_ONCE,
  }),
  plainSetting(
    'publiclyAccessible',
    'network.publiclyAccessible',
    (spec) => spec.network.publiclyAccessible,
    'PubliclyAccessible',
    exact('publiclyAccessible'),
  ),
  row({
    key: 'performanceInsights',
    specPath: 'monitoring.performanceInsights',
    desired: (spec) => spec.monitoring.performanceInsights,
    roles: BOTH,
    create: 'EnablePerformanceInsights',
    modify: 'EnablePerformanceInsights',
    ...fromDescribe('PerformanceInsightsEnabled'),
    compare: exact('performanceInsights'),
    ...AT_ONCE,
  }),
  // RDS rejects a retention period while Performance Insights is off.
  plainSetting(
    'performanceInsightsRetentionDays',
    'monitoring.performanceInsightsRetentionDays',
    (spec): number | undefined => (spec.monitoring.performanceInsights ? spec.monitoring.performanceInsightsRetentionDays : undefined),
    'PerformanceInsightsRetentionPeriod',
    exact('performanceInsightsRetentionDays'),
  ),
  row({
    key: 'performanceInsightsKmsKeyId',
    specPath: 'monitoring.performanceInsightsKmsKeyId',
    desired: (spec) => (spec.monitoring.performanceInsights ? spec.monitoring.performanceInsightsKmsKeyId : undefined),
    roles: BOTH,
    create: 'PerformanceInsightsKMSKeyId',
    // RDS cannot change the key once Performance Insights is on, and reports the key's ARN whatever form the spec
    // names it in, so it is not compared.
    ...fromDescribe('PerformanceInsightsKMSKeyId'),
    compare: immutable(false),
    ...REPLACEMENT,
  }),
  plainSetting(
    'monitoringIntervalSeconds',
    'monitoring.enhancedMonitoringIntervalSeconds',
    (spec): number => spec.monitoring.enhancedMonitoringIntervalSeconds,
    'MonitoringInterval',
    monitoringIntervalRule,
  ),
  row({
    key: 'monitoringRoleArn',
    specPath: 'monitoring.monitoringRoleArn',
    desired: (spec) => (spec.monitoring.enhancedMonitoringIntervalSeconds > 0 ? spec.monitoring.monitoringRoleArn : undefined),
    roles: BOTH,
    create: 'MonitoringRoleArn',
    modify: 'MonitoringRoleArn',
    // RDS rejects a role with an interval of 0.
    toRequest: (arn, all) => (all.monitoringIntervalSeconds === 0 ? {} : { MonitoringRoleArn: arn }),
    ...fromDescribe('MonitoringRoleArn'),
    compare: monitoringRoleRule,
    ...AT_ONCE,
  }),
  row({
    key: 'logExports',
    specPath: 'monitoring.logExports',
    desired: (spec): string[] => spec.monitoring.logExports,
    roles: BOTH,
    create: 'EnableCloudwatchLogsExports',
    modify: 'CloudwatchLogsExportConfiguration',
    toRequest: (logs) => ({ EnableCloudwatchLogsExports: nonEmpty(logs) }),
    toModifyRequest: (value) => {
      const { enable, disable } = value as { enable: string[]; disable: string[] };
      const logTypes = { EnableLogTypes: nonEmpty(enable), DisableLogTypes: nonEmpty(disable) };
      return { CloudwatchLogsExportConfiguration: Object.fromEntries(Object.entries(logTypes).filter(([, v]) => v !== undefined)) };
    },
    modification: undefined as { enable: string[]; disable: string[] } | undefined,
    describeKey: 'EnabledCloudwatchLogsExports',
    fromDescribe: (db) => db.EnabledCloudwatchLogsExports ?? [],
    compare: logExportsRule,
    ...AT_ONCE,
  }),
  row({
    key: 'iamDatabaseAuthentication',
    specPath: 'iamDatabaseAuthentication',
    desired: (spec) => spec.iamDatabaseAuthentication,
    roles: BOTH,
    create: 'EnableIAMDatabaseAuthentication',
    modify: 'EnableIAMDatabaseAuthentication',
    ...fromDescribe('IAMDatabaseAuthenticationEnabled'),
    compare: exact('iamDatabaseAuthentication'),
    ...AT_ONCE,
  }),
  row({
    key: 'port',
    specPath: 'port',
    desired: (spec) => spec.port,
    roles: BOTH,
    create: 'Port',
    modify: 'DBPortNumber',
    describeKey: 'Endpoint',
    fromDescribe: (db) => db.Endpoint?.Port,
    compare: exact('port'),
    group: 'settings',
    // RDS restarts the instance at once for a new port, whatever ApplyImmediately says.
    disruption: 'reboot',
    waitsForMaintenanceWindow: false,
  }),
  plainSetting(
    'autoMinorVersionUpgrade',
    'autoMinorVersionUpgrade',
    (spec) => spec.autoMinorVersionUpgrade,
    'AutoMinorVersionUpgrade',
    exact('autoMinorVersionUpgrade'),
  ),
  row({
    key: 'caCertificateIdentifier',
    specPath: 'caCertificateIdentifier',
    desired: (spec) => spec.caCertificateIdentifier,
    roles: BOTH,
    ...sdkKey('CACertificateIdentifier'),
    pendingKey: 'CACertificateIdentifier',
    compare: exact('caCertificateIdentifier'),
    group: 'settings',
    // The instance restarts to load the new server certificate unless its engine version rotates it live.
    disruption: 'reboot',
    waitsForMaintenanceWindow: true,
  }),
  row({
    key: 'deletionProtection',
    specPath: 'deletionProtection',
    desired: (spec) => spec.deletionProtection,
    roles: BOTH,
    create: 'DeletionProtection',
    modify: 'DeletionProtection',
    describeKey: 'DeletionProtection',
    fromDescribe: (db) => db.DeletionProtection ?? false,
    compare: exactEvenIfAbsent('deletionProtection'),
    ...AT_ONCE,
    group: 'protection',
  }),
  row({
    key: 'storageEncrypted',
    specPath: 'storageEncrypted',
    desired: (spec, role): boolean | undefined => (role === 'primary' ? spec.storageEncrypted : undefined),
    // A replica is encrypted as its source is.
    roles: PRIMARY,
    requiredAtCreate: PRIMARY,
    create: 'StorageEncrypted',
    describeKey: 'StorageEncrypted',
    fromDescribe: (db) => db.StorageEncrypted ?? false,
    compare: immutable(true),
    ...REPLACEMENT,
  }),
  row({
    key: 'kmsKeyId',
    specPath: 'kmsKeyId',
    desired: (spec, role) => (role === 'primary' && spec.kmsKeyId !== '' ? spec.kmsKeyId : undefined),
    roles: PRIMARY,
    create: 'KmsKeyId',
    // RDS reports the key's ARN whatever form the spec names it in, so it is not compared.
    ...fromDescribe('KmsKeyId'),
    compare: immutable(false),
    ...REPLACEMENT,
  }),
  primaryIdentity('databaseName', (spec) => spec.databaseName, 'DBName'),
  primaryIdentity('masterUsername', (spec) => spec.masterUsername, 'MasterUsername'),
] as const;
