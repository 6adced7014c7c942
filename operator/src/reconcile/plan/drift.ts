// What differs between a desired instance and the observed one, setting by setting, grouped by the kind of change
// (ACK's computed delta). The rows of rds/settings/table.ts say how each setting is compared; only settings the
// spec sets are compared: one the spec leaves to RDS (backup window, security groups, maintenance window when
// unset), or one RDS changes by itself (the zone after a Multi-AZ failover, a newer minor version, storage grown by
// autoscaling), is never a difference. A setting RDS cannot change in place is reported, never applied.
import type { InstanceRole } from '../../naming/index.js';
import { parameterGroupFamily } from '../../rds/engine-version.js';
import type { CreateReplicaInput, InstanceModification, RdsInstance } from '../../rds/port.js';
import type { ChangeGroup, Disruption } from '../../rds/settings/row.js';
import { enforcedOn, settingRows } from '../../rds/settings/values.js';
import type { FieldChange, PrimaryBlueprint } from './types.js';

export type { ChangeGroup } from '../../rds/settings/row.js';

export const PRIMARY_CHANGE_ORDER: readonly ChangeGroup[] = ['protection', 'settings', 'storage', 'class', 'multiAZ', 'engine'];

export interface GroupedChange {
  group: ChangeGroup;
  change: FieldChange;
  modification: InstanceModification;
  /** What making the change does to the running database. */
  disruption: Disruption;
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
  const context = { desired: desired as Readonly<Record<string, unknown>>, observed: observed as Readonly<Record<string, unknown>> };
  const pending = observed.pending as Readonly<Record<string, unknown>>;
  for (const row of settingRows()) {
    if (!enforcedOn(row, role)) continue;
    const wanted = context.desired[row.key];
    const found =
      wanted === undefined
        ? row.compare.diffUnset?.(context.observed[row.key], context)
        : row.compare.diff(wanted as never, context.observed[row.key], context);
    if (found === undefined) continue;
    const change = { field: row.key, from: show(found.from), to: show(found.to) };
    const held = pending[row.key];
    if (row.disruption === 'replacement') drift.immutable.push(change);
    else if (wanted !== undefined && held !== undefined && (row.compare.satisfiedBy?.(wanted as never, held as never) ?? held === wanted)) {
      drift.pending.push({ field: row.key, from: change.from, to: show(held) });
    } else drift.changes.push({ group: row.group, change, modification: found.modification, disruption: row.disruption });
  }

  const attached = observed.parameterGroups.find((g) => g.name === desired.parameterGroupName);
  // A major upgrade names the new family's group itself (see the engine version's rule).
  if (attached === undefined) {
    const desiredFamily = familyOf(desired.engineVersion ?? observed.engineVersion);
    const runningFamily = familyOf(observed.engineVersion);
    const current = observed.parameterGroups.map((g) => g.name);
    if (role === 'replica' && desiredFamily !== undefined && runningFamily !== desiredFamily) {
      drift.deferred.push(`parameter group ${desired.parameterGroupName} once the replica runs ${desiredFamily}`);
    } else if (role === 'primary' && desiredFamily !== runningFamily) {
      // The engine change group carries the group switch; nothing to do separately.
    } else {
      drift.changes.push({
        group: 'settings',
        change: { field: 'parameterGroupName', from: show(current), to: desired.parameterGroupName },
        modification: { parameterGroupName: desired.parameterGroupName },
        // Dynamic parameters apply at once; static ones wait for a reboot, which is noted as deferred.
        disruption: 'none',
      });
    }
  } else if (attached?.applyStatus === 'pending-reboot') {
    drift.deferred.push(`static parameters of ${attached.name} take effect at the next reboot`);
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
