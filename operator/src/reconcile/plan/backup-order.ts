// backup.retentionDays 0 turns automated backups off, and RDS refuses that (InvalidParameterCombination) while the
// instance has a read replica: a read replica needs the source's backups. When the same spec change removes the
// replicas, the retention change waits until RDS no longer lists any replica of the primary, ours or not.
import type { RdsInstance } from '../../rds/port.js';
import type { Observed } from '../observed.js';
import type { GroupedChange, InstanceDrift } from './drift.js';
import type { Plan } from './types.js';

function hasReplicas(observed: Observed, primary: RdsInstance): boolean {
  const ours = observed.managedInstances().some((i) => i.identifier !== primary.identifier && i.replicationSource === primary.identifier);
  return ours || primary.replicaIdentifiers.length > 0;
}

const turnsBackupsOff = (c: GroupedChange) => c.change.field === 'backupRetentionDays' && c.modification.backupRetentionDays === 0;

/** The primary's drift without a retention of 0 while it has replicas; that change then waits. */
export function withBackupsOffAfterReplicas(plan: Plan, observed: Observed, primary: RdsInstance, drift: InstanceDrift): InstanceDrift {
  if (!drift.changes.some(turnsBackupsOff) || !hasReplicas(observed, primary)) return drift;
  plan.waits.push({
    subject: primary.identifier,
    message: `backups of ${primary.identifier} are turned off once its read replicas are gone (RDS refuses it while one exists)`,
  });
  plan.pendingChanges.push(`${primary.identifier}: backupRetentionDays -> 0 (once the read replicas are gone)`);
  return { ...drift, changes: drift.changes.filter((c) => !turnsBackupsOff(c)) };
}
