// Deletion, behind the finalizer: replicas first (a primary deleted under its replicas would have RDS promote
// them to standalone databases nobody manages), then the primary as the deletionPolicy says, then the parameter
// group, then the finalizer. Instances the object does not own are never deleted. The credentials Secret is
// kept: a final snapshot, or a retained instance, still needs its password.
import { MAX_REPLICAS } from '../../api/index.js';
import { canTakeFinalSnapshot, isDeletable } from '../instance-states.js';
import type { Observed } from '../observed.js';
import type { RdsInstance } from '../../rds/port.js';
import { finalSnapshotIdentifier, TAG_ADOPTED, type InstanceRole } from '../../naming/index.js';
import { liftDeletionProtection } from '../replica-lifecycle/index.js';
import { findDeletionBlocker } from './blockers.js';
import type { PlanPhase } from './phase.js';
import { finalPublicationStep } from './publication.js';
import type { Blocker, Plan } from './types.js';

/** Retrying cannot help: the state does not end by itself, and deleting without the snapshot the spec asks for is a
 * person's decision. */
function finalSnapshotImpossible(instance: RdsInstance, why?: string): Blocker {
  return {
    reason: 'FinalSnapshotImpossible',
    message: `${instance.identifier} is ${instance.status}, so RDS cannot take the final snapshot deletionPolicy Snapshot asks for${why === undefined ? '' : ` (${why})`}. To finish the deletion, set spec.deletionPolicy to Delete (the instance is deleted without a final snapshot; restore points are only the snapshots that already exist), or to Retain to leave the instance as it is.`,
  };
}

function adoptedFinalSnapshotImpossible(instance: RdsInstance): Blocker {
  return {
    reason: 'FinalSnapshotImpossible',
    message: `${instance.identifier} is ${instance.status}, so RDS cannot take a final snapshot, and the operator deletes an adopted primary only with one. To finish the deletion, set spec.deletionPolicy to Retain (the instance is left as it is; delete it yourself if you mean to).`,
  };
}

function planInstanceDeletion(plan: Plan, instance: RdsInstance, role: InstanceRole, finalSnapshot: string | undefined, replicaCandidates?: string[]): void {
  const id = instance.identifier;
  if (instance.status === 'deleting') {
    plan.waits.push({ subject: id, message: `${id} is being deleted` });
  } else if (instance.deletionProtection) {
    // The spec says deletionProtection: false (checked before), RDS has not caught up yet.
    liftDeletionProtection(plan, instance, role);
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

/** Only instances that carry this object's ownership tags: one merely adoptable was never taken over, so it is left
 * as it was found. */
function ownedInstances(observed: Observed): RdsInstance[] {
  return observed.managedInstances().filter((i) => observed.ownershipOf(i.tags) === 'owned');
}

/** Without the finalizer there is nothing of ours left to clean up. */
const finalizerPresent: PlanPhase = (_plan, observed) => (observed.hasFinalizer() ? undefined : 'stop');

const deletionBlocker: PlanPhase = (plan, observed) => {
  const blocker = findDeletionBlocker(observed);
  if (blocker === undefined) return;
  plan.blocker = blocker;
  return 'stop';
};

/** Retain leaves every AWS resource as it is. */
const unlessRetained =
  (phase: PlanPhase): PlanPhase =>
  (plan, observed, context) =>
    observed.spec!.deletionPolicy === 'Retain' ? undefined : phase(plan, observed, context);

/** A replica that still replicates holds nothing of its own; a promoted one may (observed.promotedReplicas), and is
 * deleted as the deletionPolicy says a primary is. */
function replicaFinalSnapshot(plan: Plan, observed: Observed, replica: RdsInstance, promoted: boolean): string | undefined | 'impossible' {
  if (!promoted || observed.spec!.deletionPolicy !== 'Snapshot') return undefined;
  if (canTakeFinalSnapshot(replica.status)) return finalSnapshotIdentifier(replica.identifier, observed.names.owner.uid);
  plan.blocker = finalSnapshotImpossible(replica, 'it no longer replicates from the primary and may hold writes of its own');
  return 'impossible';
}

const replicas: PlanPhase = (plan, observed) => {
  const owned = ownedInstances(observed)
    .filter((i) => i.identifier !== observed.names.primary)
    .reverse();
  const promoted = new Set(observed.promotedReplicas());
  for (const replica of owned) {
    const snapshot = replicaFinalSnapshot(plan, observed, replica, promoted.has(replica));
    if (snapshot === 'impossible') return 'stop';
    planInstanceDeletion(plan, replica, 'replica', snapshot);
  }
  if (owned.length === 0) return;
  plan.waits.push({ subject: observed.names.primary, message: `${observed.names.primary} is deleted after its replicas` });
  return 'stop';
};

const primary: PlanPhase = (plan, observed) => {
  const spec = observed.spec!;
  const instance = ownedInstances(observed).find((i) => i.identifier === observed.names.primary);
  if (instance === undefined) return;
  // An adopted primary holds data the operator did not create: it is deleted only with a final snapshot, whatever the
  // policy says (adopted-deletion.ts), so only Retain lets such an object go.
  const adopted = instance.tags[TAG_ADOPTED] === 'true';
  if ((spec.deletionPolicy === 'Snapshot' || adopted) && !canTakeFinalSnapshot(instance.status)) {
    plan.blocker = adopted ? adoptedFinalSnapshotImpossible(instance) : finalSnapshotImpossible(instance);
    return 'stop';
  }
  const candidates = Array.from({ length: MAX_REPLICAS }, (_, i) => observed.names.replica(i + 1));
  planInstanceDeletion(plan, instance, 'primary', spec.deletionPolicy === 'Snapshot' ? observed.names.finalSnapshot : undefined, candidates);
  return 'stop';
};

const parameterGroups: PlanPhase = (plan, observed) => {
  const group = observed.parameterGroup();
  if (group !== undefined && observed.ownershipOf(group.tags) === 'owned') plan.steps.push({ kind: 'deleteParameterGroup', name: group.name });
  // And any group an earlier engine family left behind.
  for (const retired of observed.retiredParameterGroups()) {
    if (observed.ownershipOf(retired.tags) === 'owned') plan.steps.push({ kind: 'deleteParameterGroup', name: retired.name });
  }
};

/** Only with a topology plan: the ConfigMap is the topology concern's. */
const topologyRemoval: PlanPhase = (plan, observed, { topology }) => {
  const step = topology === undefined ? undefined : finalPublicationStep(observed);
  if (step !== undefined) plan.steps.push(step);
};

const removeFinalizer: PlanPhase = (plan) => {
  plan.steps.push({ kind: 'removeFinalizer' });
};

export const DELETION_PHASES: readonly PlanPhase[] = [
  finalizerPresent,
  deletionBlocker,
  unlessRetained(replicas),
  unlessRetained(primary),
  unlessRetained(parameterGroups),
  topologyRemoval,
  removeFinalizer,
];
