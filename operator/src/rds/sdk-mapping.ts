// Translation between the SDK's shapes and the port's. Pure, so it is tested without a client.
import type {
  CreateDBInstanceCommandInput,
  CreateDBInstanceReadReplicaCommandInput,
  DBInstance,
  ModifyDBInstanceCommandInput,
  Tag,
} from '@aws-sdk/client-rds';
import type { CreatePrimaryInput, CreateReplicaInput, InstanceModification, RdsInstance } from './port.js';

export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

export function recordToTags(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function instanceFromSdk(db: DBInstance): RdsInstance {
  const pending = db.PendingModifiedValues ?? {};
  const host = db.Endpoint?.Address;
  const port = db.Endpoint?.Port;
  return {
    identifier: db.DBInstanceIdentifier ?? '',
    arn: db.DBInstanceArn ?? '',
    status: db.DBInstanceStatus ?? 'unknown',
    engine: db.Engine ?? '',
    engineVersion: db.EngineVersion ?? '',
    instanceClass: db.DBInstanceClass ?? '',
    allocatedStorageGiB: db.AllocatedStorage ?? 0,
    maxAllocatedStorageGiB: db.MaxAllocatedStorage,
    storageType: db.StorageType,
    iops: db.Iops,
    multiAZ: db.MultiAZ ?? false,
    storageEncrypted: db.StorageEncrypted ?? false,
    kmsKeyId: db.KmsKeyId,
    databaseName: db.DBName,
    masterUsername: db.MasterUsername,
    backupRetentionDays: db.BackupRetentionPeriod ?? 0,
    backupWindow: db.PreferredBackupWindow,
    maintenanceWindow: db.PreferredMaintenanceWindow,
    subnetGroupName: db.DBSubnetGroup?.DBSubnetGroupName,
    securityGroupIds: (db.VpcSecurityGroups ?? []).flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [])),
    publiclyAccessible: db.PubliclyAccessible,
    performanceInsights: db.PerformanceInsightsEnabled,
    monitoringIntervalSeconds: db.MonitoringInterval,
    monitoringRoleArn: db.MonitoringRoleArn,
    logExports: db.EnabledCloudwatchLogsExports ?? [],
    parameterGroups: (db.DBParameterGroups ?? []).flatMap((g) =>
      g.DBParameterGroupName ? [{ name: g.DBParameterGroupName, applyStatus: g.ParameterApplyStatus }] : [],
    ),
    deletionProtection: db.DeletionProtection ?? false,
    iamDatabaseAuthentication: db.IAMDatabaseAuthenticationEnabled,
    endpoint: host !== undefined && port !== undefined ? { host, port } : undefined,
    availabilityZone: db.AvailabilityZone,
    replicationSource: db.ReadReplicaSourceDBInstanceIdentifier,
    replicaIdentifiers: db.ReadReplicaDBInstanceIdentifiers ?? [],
    tags: tagsToRecord(db.TagList),
    pending: dropUndefined({
      instanceClass: pending.DBInstanceClass,
      allocatedStorageGiB: pending.AllocatedStorage,
      storageType: pending.StorageType,
      iops: pending.Iops,
      engineVersion: pending.EngineVersion,
      multiAZ: pending.MultiAZ,
      backupRetentionDays: pending.BackupRetentionPeriod,
      subnetGroupName: pending.DBSubnetGroupName,
    }),
  };
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

// RDS rejects MonitoringRoleArn with an interval of 0, and an empty list where it expects none.
function monitoring(interval: number, roleArn: string | undefined) {
  return interval > 0 ? { MonitoringInterval: interval, MonitoringRoleArn: roleArn } : { MonitoringInterval: 0 };
}

function nonEmpty<T>(items: readonly T[]): T[] | undefined {
  return items.length > 0 ? [...items] : undefined;
}

export function createPrimaryRequest(input: CreatePrimaryInput): CreateDBInstanceCommandInput {
  return dropUndefined({
    DBInstanceIdentifier: input.identifier,
    Engine: input.engine,
    EngineVersion: input.engineVersion,
    DBInstanceClass: input.instanceClass,
    DBName: input.databaseName,
    MasterUsername: input.masterUsername,
    MasterUserPassword: input.masterPassword,
    AllocatedStorage: input.allocatedStorageGiB,
    MaxAllocatedStorage: input.maxAllocatedStorageGiB,
    StorageType: input.storageType,
    Iops: input.iops,
    StorageEncrypted: input.storageEncrypted,
    KmsKeyId: input.kmsKeyId,
    BackupRetentionPeriod: input.backupRetentionDays,
    PreferredBackupWindow: input.backupWindow,
    PreferredMaintenanceWindow: input.maintenanceWindow,
    DBSubnetGroupName: input.subnetGroupName,
    VpcSecurityGroupIds: nonEmpty(input.securityGroupIds),
    PubliclyAccessible: input.publiclyAccessible,
    MultiAZ: input.multiAZ,
    EnablePerformanceInsights: input.performanceInsights,
    ...monitoring(input.monitoringIntervalSeconds, input.monitoringRoleArn),
    EnableCloudwatchLogsExports: nonEmpty(input.logExports),
    DBParameterGroupName: input.parameterGroupName,
    DeletionProtection: input.deletionProtection,
    EnableIAMDatabaseAuthentication: input.iamDatabaseAuthentication,
    // The final snapshot then carries the ownership tags, so it can be traced back to its object.
    CopyTagsToSnapshot: true,
    Tags: recordToTags(input.tags),
  });
}

export function createReplicaRequest(input: CreateReplicaInput): CreateDBInstanceReadReplicaCommandInput {
  return dropUndefined({
    DBInstanceIdentifier: input.identifier,
    SourceDBInstanceIdentifier: input.sourceIdentifier,
    DBInstanceClass: input.instanceClass,
    AllocatedStorage: input.allocatedStorageGiB,
    MaxAllocatedStorage: input.maxAllocatedStorageGiB,
    StorageType: input.storageType,
    Iops: input.iops,
    DBSubnetGroupName: input.subnetGroupName,
    VpcSecurityGroupIds: nonEmpty(input.securityGroupIds),
    PubliclyAccessible: input.publiclyAccessible,
    // A replica is a single-AZ copy: its availability comes from the other replicas and the primary.
    MultiAZ: false,
    EnablePerformanceInsights: input.performanceInsights,
    ...monitoring(input.monitoringIntervalSeconds, input.monitoringRoleArn),
    EnableCloudwatchLogsExports: nonEmpty(input.logExports),
    DBParameterGroupName: input.parameterGroupName,
    DeletionProtection: input.deletionProtection,
    EnableIAMDatabaseAuthentication: input.iamDatabaseAuthentication,
    CopyTagsToSnapshot: true,
    Tags: recordToTags(input.tags),
  });
}

/** RDS applies a new master password as soon as it can whatever ApplyImmediately says; true would also apply every
 * change held for the maintenance window, so it is false. */
export function masterPasswordRequest(identifier: string, password: string): ModifyDBInstanceCommandInput {
  return { DBInstanceIdentifier: identifier, MasterUserPassword: password, ApplyImmediately: false };
}

export function modifyRequest(identifier: string, changes: InstanceModification, applyImmediately: boolean): ModifyDBInstanceCommandInput {
  const monitoringFields =
    changes.monitoringIntervalSeconds !== undefined
      ? monitoring(changes.monitoringIntervalSeconds, changes.monitoringRoleArn)
      : changes.monitoringRoleArn !== undefined
        ? { MonitoringRoleArn: changes.monitoringRoleArn }
        : {};
  return dropUndefined({
    DBInstanceIdentifier: identifier,
    ApplyImmediately: applyImmediately,
    DBInstanceClass: changes.instanceClass,
    AllocatedStorage: changes.allocatedStorageGiB,
    MaxAllocatedStorage: changes.maxAllocatedStorageGiB,
    StorageType: changes.storageType,
    Iops: changes.iops,
    EngineVersion: changes.engineVersion,
    AllowMajorVersionUpgrade: changes.allowMajorVersionUpgrade,
    DBParameterGroupName: changes.parameterGroupName,
    MultiAZ: changes.multiAZ,
    BackupRetentionPeriod: changes.backupRetentionDays,
    PreferredBackupWindow: changes.backupWindow,
    PreferredMaintenanceWindow: changes.maintenanceWindow,
    DBSubnetGroupName: changes.subnetGroupName,
    VpcSecurityGroupIds: changes.securityGroupIds,
    PubliclyAccessible: changes.publiclyAccessible,
    EnablePerformanceInsights: changes.performanceInsights,
    ...monitoringFields,
    CloudwatchLogsExportConfiguration:
      changes.logExports !== undefined
        ? dropUndefined({ EnableLogTypes: nonEmpty(changes.logExports.enable), DisableLogTypes: nonEmpty(changes.logExports.disable) })
        : undefined,
    DeletionProtection: changes.deletionProtection,
    EnableIAMDatabaseAuthentication: changes.iamDatabaseAuthentication,
  });
}
