// Deletion, behind the finalizer: replicas first (a primary deleted under its replicas would have RDS promote
// them to standalone databases nobody manages), then the primary as the deletionPolicy says, then the parameter
// group, then the finalizer. Instances the object does not own are never deleted. The credentials Secret is
// kept: a final snapshot, or a retained instance, still needs its password.
import { MAX_REPLICAS } from '../../api/index.js';
import { canTakeFinalSnapshot, isDeletable, isModifiable } from '../instance-states.js';
import type { Observed } from '../observed.js';
import type { RdsInstance } from '../../rds/port.js';
import type { InstanceRole } from '../../naming/index.js';
import { findDeletionBlocker } from './blockers.js';
import type { Plan } from './types.js';

function planInstanceDeletion(plan: Plan, instance: RdsInstance, role: InstanceRole, finalSnapshot: string | undefined, replicaCandidates?: string[]): void {
  const id = instance.identifier;
  if (instance.status === 'deleting') {
    plan.waits.push({ subject: id, message: `${id} is being deleted` });
  } else if (instance.deletionProtection) {
    // The spec says deletionProtection: false (checked before), RDS has not caught up yet.
    if (isModifiable(instance.status)) {
      plan.steps.push({
        kind: 'modifyInstance',
        identifier: id,
        role,
        changes: { deletionProtection: false },
        delta: [{ field: 'deletionProtection', from: 'true', to: 'false' }],
        applyImmediately: true,
      });
    } else {
      plan.waits.push({ subject: id, message: `${id} is ${instance.status}; its deletion protection is lifted once it is available` });
    }
  } else if (isDeletable(instance.status)) {
    plan.steps.push({
      kind: 'deleteInstance',
      identifier: id,
      role,
      finalSnapshot: finalSnapshot !== undefined ? { finalSnapshotIdentifier: finalSnapshot } : 'skip',
      why: 'object deleted',
      ...(replicaCandidates !== undefined ? { replicaCandidates } : {}),
    });
  } else {
    plan.waits.push({ subject: id, message: `${id} is ${instance.status}; it is deleted once that finishes` });
  }
}

export function planDeletion(plan: Plan, observed: Observed): Plan {
  if (!observed.hasFinalizer()) return plan;
  const blocker = findDeletionBlocker(observed);
  if (blocker !== undefined) {
    plan.blocker = blocker;
    return plan;
  }
  const spec = observed.spec!;
  if (spec.deletionPolicy === 'Retain') {
    plan.steps.push({ kind: 'removeFinalizer' });
    return plan;
  }

  // Only instances that carry this object's ownership tags: one merely adoptable was never taken over, so it is left
  // as it was found.
  const managed = observed.managedInstances().filter((i) => observed.ownershipOf(i.tags) === 'owned');
  const replicas = managed.filter((i) => i.identifier !== observed.names.primary).reverse();
  for (const replica of replicas) planInstanceDeletion(plan, replica, 'replica', undefined);
  if (replicas.length > 0) {
    plan.waits.push({ subject: observed.names.primary, message: `${observed.names.primary} is deleted after its replicas` });
    return plan;
  }

  const primary = managed.find((i) => i.identifier === observed.names.primary);
  if (primary !== undefined && spec.deletionPolicy === 'Snapshot' && !canTakeFinalSnapshot(primary.status)) {
    // Retrying cannot help: the state does not end by itself, and deleting without the snapshot the spec asks for
    // is a person's decision.
    plan.blocker = {
      reason: 'FinalSnapshotImpossible',
      message: `${primary.identifier} is ${primary.status}, so RDS cannot take the final snapshot deletionPolicy Snapshot asks for. To finish the deletion, set spec.deletionPolicy to Delete (the instance is deleted without a final snapshot; restore points are only the snapshots that already exist), or to Retain to leave the instance as it is.`,
    };
    return plan;
  }
  if (primary !== undefined) {
    const candidates = Array.from({ length: MAX_REPLICAS }, (_, i) => observed.names.replica(i + 1));
    planInstanceDeletion(plan, primary, 'primary', spec.deletionPolicy === 'Snapshot' ? observed.names.finalSnapshot : undefined, candidates);
    return plan;
  }

  const group = observed.parameterGroup();
  if (group !== undefined && observed.ownershipOf(group.tags) === 'owned') plan.steps.push({ kind: 'deleteParameterGroup', name: group.name });
  // And any group an earlier engine family left behind.
  for (const retired of observed.retiredParameterGroups()) {
    if (observed.ownershipOf(retired.tags) === 'owned') plan.steps.push({ kind: 'deleteParameterGroup', name: retired.name });
  }
  plan.steps.push({ kind: 'removeFinalizer' });
  return plan;
}
