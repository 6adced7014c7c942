// What differs between a desired instance and the observed one, field by field, grouped by the kind of change
// (ACK's computed delta). Only fields the spec sets are compared: a field the spec leaves to RDS (backup window,
// security groups, maintenance window when unset), or one RDS changes by itself (the zone after a Multi-AZ
// failover, a newer minor version, storage grown by autoscaling), is never a difference. A field RDS does not
// report is not a difference either: acting on an unknown would repeat a ModifyDBInstance on every resync.
import type { InstanceRole } from '../../naming/index.js';
import { compareEngineVersions, parameterGroupFamily } from '../../rds/engine-version.js';
import type { CreateReplicaInput, InstanceModification, RdsInstance } from '../../rds/port.js';
import type { FieldChange, PrimaryBlueprint } from './types.js';

/**
 * - `settings`: no restart (windows, backups, monitoring, logs, network, deletion protection, parameter group).
 * - `storage`, `class`, `multiAZ`, `engine`: disruptive or long-running; the primary gets one group at a time.
 */
export type ChangeGroup = 'settings' | 'storage' | 'class' | 'multiAZ' | 'engine';

export const PRIMARY_CHANGE_ORDER: readonly ChangeGroup[] = ['settings', 'storage', 'class', 'multiAZ', 'engine'];

export interface GroupedChange {
  group: ChangeGroup;
  change: FieldChange;
  modification: InstanceModification;
}

export interface InstanceDrift {
  changes: GroupedChange[];
  /** Desired values RDS already holds for the maintenance window. */
  pending: FieldChange[];
  /** Differences that wait for something else first (the text says what). */
  deferred: string[];
  /** Differences RDS cannot make in place. */
  immutable: FieldChange[];
}

export function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

function familyOf(engineVersion: string): string | undefined {
  try {
    return parameterGroupFamily(engineVersion);
  } catch {
    return undefined;
  }
}

type Desired = (PrimaryBlueprint | CreateReplicaInput) & Partial<PrimaryBlueprint>;

export function instanceDrift(desired: Desired, observed: RdsInstance, role: InstanceRole): InstanceDrift {
  const drift: InstanceDrift = { changes: [], pending: [], deferred: [], immutable: [] };
  const pending = observed.pending;
  const add = (group: ChangeGroup, field: string, from: unknown, to: unknown, modification: InstanceModification) =>
    drift.changes.push({ group, change: { field, from: show(from), to: show(to) }, modification });
  const holds = (field: string, from: unknown, to: unknown) => drift.pending.push({ field, from: show(from), to: show(to) });

  // Storage. Never smaller: RDS cannot shrink a volume, and autoscaling may legitimately have grown it past the
  // spec.
  const effectiveStorage = Math.max(observed.allocatedStorageGiB, desired.allocatedStorageGiB);
  if (desired.allocatedStorageGiB > observed.allocatedStorageGiB) {
    if ((pending.allocatedStorageGiB ?? 0) >= desired.allocatedStorageGiB) holds('allocatedStorageGiB', observed.allocatedStorageGiB, pending.allocatedStorageGiB);
    else add('storage', 'allocatedStorageGiB', observed.allocatedStorageGiB, desired.allocatedStorageGiB, { allocatedStorageGiB: desired.allocatedStorageGiB });
  }
  // RDS reports no maximum when autoscaling is off; a maximum at or below the allocated storage is off too (it
  // is how a ModifyDBInstance turns autoscaling off, whatever RDS then reports).
  const observedMax =
    observed.maxAllocatedStorageGiB !== undefined && observed.maxAllocatedStorageGiB > observed.allocatedStorageGiB ? observed.maxAllocatedStorageGiB : undefined;
  if (desired.maxAllocatedStorageGiB !== undefined) {
    if (observedMax !== desired.maxAllocatedStorageGiB && desired.maxAllocatedStorageGiB > effectiveStorage) {
      add('storage', 'maxAllocatedStorageGiB', observedMax, desired.maxAllocatedStorageGiB, { maxAllocatedStorageGiB: desired.maxAllocatedStorageGiB });
    }
  } else if (observedMax !== undefined) {
    add('storage', 'maxAllocatedStorageGiB', observedMax, undefined, { maxAllocatedStorageGiB: effectiveStorage });
  }
  if (observed.storageType !== undefined && observed.storageType !== desired.storageType) {
    if (pending.storageType === desired.storageType) holds('storageType', observed.storageType, pending.storageType);
    else add('storage', 'storageType', observed.storageType, desired.storageType, { storageType: desired.storageType, iops: desired.iops });
  }
  if (desired.iops !== undefined && observed.iops !== desired.iops && observed.storageType === desired.storageType) {
    if (pending.iops === desired.iops) holds('iops', observed.iops, pending.iops);
    else add('storage', 'iops', observed.iops, desired.iops, { iops: desired.iops });
  }

  if (observed.instanceClass !== desired.instanceClass) {
    if (pending.instanceClass === desired.instanceClass) holds('instanceClass', observed.instanceClass, pending.instanceClass);
    else add('class', 'instanceClass', observed.instanceClass, desired.instanceClass, { instanceClass: desired.instanceClass });
  }

  // Engine version: the primary only. RDS upgrades in-Region replicas of a PostgreSQL source together with it.
  let majorUpgrade = false;
  if (role === 'primary' && desired.engineVersion !== undefined) {
    const verdict = compareEngineVersions(desired.engineVersion, observed.engineVersion);
    const pendingSatisfies = pending.engineVersion !== undefined && compareEngineVersions(desired.engineVersion, pending.engineVersion) === 'satisfied';
    if (verdict === 'minor-upgrade' || verdict === 'major-upgrade') {
      if (pendingSatisfies) holds('engineVersion', observed.engineVersion, pending.engineVersion);
      else {
        majorUpgrade = verdict === 'major-upgrade';
        // A custom parameter group belongs to one family, so a major upgrade must name the new family's group.
        const modification: InstanceModification = majorUpgrade
          ? { engineVersion: desired.engineVersion, allowMajorVersionUpgrade: true, parameterGroupName: desired.parameterGroupName }
          : { engineVersion: desired.engineVersion };
        add('engine', 'engineVersion', observed.engineVersion, desired.engineVersion, modification);
      }
    }
  }
  if (role === 'primary' && desired.multiAZ !== undefined && observed.multiAZ !== desired.multiAZ) {
    if (pending.multiAZ === desired.multiAZ) holds('multiAZ', observed.multiAZ, pending.multiAZ);
    else add('multiAZ', 'multiAZ', observed.multiAZ, desired.multiAZ, { multiAZ: desired.multiAZ });
  }

  // Settings.
  if (role === 'primary' && desired.backupRetentionDays !== undefined && observed.backupRetentionDays !== desired.backupRetentionDays) {
    if (pending.backupRetentionDays === desired.backupRetentionDays) holds('backupRetentionDays', observed.backupRetentionDays, pending.backupRetentionDays);
    else add('settings', 'backupRetentionDays', observed.backupRetentionDays, desired.backupRetentionDays, { backupRetentionDays: desired.backupRetentionDays });
  }
  if (role === 'primary' && desired.backupWindow !== undefined && observed.backupWindow !== desired.backupWindow) {
    add('settings', 'backupWindow', observed.backupWindow, desired.backupWindow, { backupWindow: desired.backupWindow });
  }
  // RDS reports the maintenance window in lower case whatever case it was given.
  if (desired.maintenanceWindow !== undefined && observed.maintenanceWindow?.toLowerCase() !== desired.maintenanceWindow.toLowerCase()) {
    add('settings', 'maintenanceWindow', observed.maintenanceWindow, desired.maintenanceWindow, { maintenanceWindow: desired.maintenanceWindow });
  }
  // A replica lives in its source's subnet group; only the primary's is managed.
  if (role === 'primary' && desired.subnetGroupName !== undefined && observed.subnetGroupName !== desired.subnetGroupName) {
    if (pending.subnetGroupName === desired.subnetGroupName) holds('subnetGroupName', observed.subnetGroupName, pending.subnetGroupName);
    else add('settings', 'subnetGroupName', observed.subnetGroupName, desired.subnetGroupName, { subnetGroupName: desired.subnetGroupName });
  }
  if (desired.securityGroupIds.length > 0 && !sameSet(observed.securityGroupIds, desired.securityGroupIds)) {
    add('settings', 'securityGroupIds', observed.securityGroupIds, desired.securityGroupIds, { securityGroupIds: [...desired.securityGroupIds] });
  }
  if (observed.publiclyAccessible !== undefined && observed.publiclyAccessible !== desired.publiclyAccessible) {
    add('settings', 'publiclyAccessible', observed.publiclyAccessible, desired.publiclyAccessible, { publiclyAccessible: desired.publiclyAccessible });
  }
  if (observed.performanceInsights !== undefined && observed.performanceInsights !== desired.performanceInsights) {
    add('settings', 'performanceInsights', observed.performanceInsights, desired.performanceInsights, { performanceInsights: desired.performanceInsights });
  }
  const monitoring: InstanceModification = { monitoringIntervalSeconds: desired.monitoringIntervalSeconds, monitoringRoleArn: desired.monitoringRoleArn };
  if (observed.monitoringIntervalSeconds !== undefined && observed.monitoringIntervalSeconds !== desired.monitoringIntervalSeconds) {
    add('settings', 'monitoringIntervalSeconds', observed.monitoringIntervalSeconds, desired.monitoringIntervalSeconds, monitoring);
  } else if (desired.monitoringIntervalSeconds > 0 && observed.monitoringRoleArn !== desired.monitoringRoleArn) {
    add('settings', 'monitoringRoleArn', observed.monitoringRoleArn, desired.monitoringRoleArn, monitoring);
  }
  if (!sameSet(observed.logExports, desired.logExports)) {
    const enable = desired.logExports.filter((l) => !observed.logExports.includes(l));
    const disable = observed.logExports.filter((l) => !desired.logExports.includes(l));
    add('settings', 'logExports', observed.logExports, desired.logExports, { logExports: { enable, disable } });
  }
  if (observed.iamDatabaseAuthentication !== undefined && observed.iamDatabaseAuthentication !== desired.iamDatabaseAuthentication) {
    add('settings', 'iamDatabaseAuthentication', observed.iamDatabaseAuthentication, desired.iamDatabaseAuthentication, {
      iamDatabaseAuthentication: desired.iamDatabaseAuthentication,
    });
  }
  if (observed.deletionProtection !== desired.deletionProtection) {
    add('settings', 'deletionProtection', observed.deletionProtection, desired.deletionProtection, { deletionProtection: desired.deletionProtection });
  }

  const attached = observed.parameterGroups.find((g) => g.name === desired.parameterGroupName);
  if (attached === undefined && !majorUpgrade) {
    const desiredFamily = familyOf(desired.engineVersion ?? observed.engineVersion);
    const runningFamily = familyOf(observed.engineVersion);
    const current = observed.parameterGroups.map((g) => g.name);
    if (role === 'replica' && desiredFamily !== undefined && runningFamily !== desiredFamily) {
      drift.deferred.push(`parameter group ${desired.parameterGroupName} once the replica runs ${desiredFamily}`);
    } else if (role === 'primary' && desiredFamily !== runningFamily) {
      // The engine change group carries the group switch; nothing to do separately.
    } else {
      add('settings', 'parameterGroupName', current, desired.parameterGroupName, { parameterGroupName: desired.parameterGroupName });
    }
  } else if (attached?.applyStatus === 'pending-reboot') {
    drift.deferred.push(`static parameters of ${attached.name} take effect at the next reboot`);
  }

  if (role === 'primary') {
    const primary = desired as PrimaryBlueprint;
    if (observed.storageEncrypted !== primary.storageEncrypted) {
      drift.immutable.push({ field: 'storageEncrypted', from: show(observed.storageEncrypted), to: show(primary.storageEncrypted) });
    }
    if (observed.databaseName !== undefined && observed.databaseName !== primary.databaseName) {
      drift.immutable.push({ field: 'databaseName', from: observed.databaseName, to: primary.databaseName });
    }
    if (observed.masterUsername !== undefined && observed.masterUsername !== primary.masterUsername) {
      drift.immutable.push({ field: 'masterUsername', from: observed.masterUsername, to: primary.masterUsername });
    }
  }
  return drift;
}

/** One ModifyDBInstance from several changes, and the delta that describes it. */
export function mergeChanges(changes: readonly GroupedChange[]): { changes: InstanceModification; delta: FieldChange[] } {
  const merged: InstanceModification = {};
  for (const c of changes) Object.assign(merged, c.modification);
  return { changes: merged, delta: changes.map((c) => c.change) };
}

export function describeChange(identifier: string, change: FieldChange): string {
  return `${identifier}: ${change.field} ${change.from} -> ${change.to}`;
}
