// Bringing existing instances to the spec. Order rules:
// - Only an `available` instance is modified (a storage-full one may have its storage grown: that is the fix).
// - Replicas roll: one replica per pass, and only while every other replica is serving, so read capacity
//   drops by at most one instance.
// - Replicas are resized (class, storage) before the primary: a replica smaller than its source is the one that
//   falls behind or fills up.
// - The primary gets one group of changes at a time (settings, storage, class, Multi-AZ, engine), so one
//   rejected or slow change does not take the others with it, and each restart has one cause.
import type { HeldChange, ReplicaSetDBSpec } from '../../api/index.js';
import type { InstanceRole } from '../../naming/index.js';
import type { InstanceModification, RdsInstance } from '../../rds/port.js';
import { healthOf, isModifiable, needsReplacement } from '../instance-states.js';
import type { Observed } from '../observed.js';
import { desiredPrimary, desiredReplica } from './desired.js';
import { PRIMARY_CHANGE_ORDER, describeChange, instanceDrift, mergeChanges, type GroupedChange, type InstanceDrift } from './drift.js';
import { withBackupsOffAfterReplicas } from './backup-order.js';
import { heldModification, heldNote, isDeferral } from './held.js';
import type { Plan } from './types.js';

function changesAllowedNow(instance: RdsInstance, changes: readonly GroupedChange[]): GroupedChange[] {
  if (isModifiable(instance.status)) return [...changes];
  if (instance.status === 'storage-full') return changes.filter((c) => c.group === 'storage');
  return [];
}

function recordNotes(plan: Plan, identifier: string, drift: InstanceDrift): void {
  for (const c of drift.pending) plan.pendingChanges.push(`${describeChange(identifier, c)} at the next maintenance window`);
  for (const text of drift.deferred) plan.pendingChanges.push(`${identifier}: ${text}`);
  for (const c of drift.immutable) {
    plan.pendingChanges.push(`${identifier}: ${c.field} is ${c.from}, the spec says ${c.to}; RDS cannot change it in place`);
  }
}

/** Takes the changes RDS rejected for this generation out of the drift (they are held, see held.ts) and notes them. */
function withoutHeld(plan: Plan, observed: Observed, identifier: string, drift: InstanceDrift, now: Date): InstanceDrift {
  const kept: GroupedChange[] = [];
  for (const c of drift.changes) {
    const held = heldModification(observed, identifier, c.change.field, now);
    if (held === undefined) kept.push(c);
    else plan.pendingChanges.push(`${describeChange(identifier, c.change)} (${heldNote(held)})`);
  }
  return { ...drift, changes: kept };
}

function recordPending(plan: Plan, identifier: string, changes: readonly GroupedChange[], why: string): void {
  for (const c of changes) plan.pendingChanges.push(`${describeChange(identifier, c.change)} (${why})`);
}

function pushModify(
  plan: Plan,
  instance: RdsInstance,
  role: InstanceRole,
  changes: readonly GroupedChange[],
  applyImmediately: boolean,
  specApplyImmediately: boolean,
): void {
  const merged = mergeChanges(changes);
  const released = applyImmediately && !specApplyImmediately ? heldForTheWindow(instance, merged.changes) : [];
  plan.steps.push({
    kind: 'modifyInstance',
    identifier: instance.identifier,
    role,
    changes: merged.changes,
    delta: merged.delta,
    applyImmediately,
    ...(released.length > 0 ? { releasesPending: released } : {}),
  });
}

/** What RDS holds for the maintenance window besides what `changes` sets again, as `key value`. */
function heldForTheWindow(instance: RdsInstance, changes: InstanceModification): string[] {
  return Object.entries(instance.pending)
    .filter(([key, value]) => value !== undefined && !(key in changes))
    .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .sort();
}

export function planModifications(plan: Plan, observed: Observed, spec: ReplicaSetDBSpec, primary: RdsInstance, now: Date): void {
  const names = observed.names;
  const replicas = observed.desiredReplicas().filter(({ instance }) => instance.status !== 'deleting' && !needsReplacement(instance.status));
  // Busy: in a transition that ends by itself. An unhealthy replica (Degraded, needs a person) holds nothing
  // back, or one broken replica would freeze every other change forever.
  const busyReplicas = replicas.filter(({ instance }) => healthOf(instance.status) === 'transitional').map(({ instance }) => instance.identifier);
  let replicaModified: string | undefined;
  // A replica still to be created counts as not resized yet: it will be created at the new size, but until it is
  // serving the primary keeps its own.
  const missingReplicas = observed.desiredReplicaIndices().some((index) => observed.replica(index) === undefined);
  let replicasResizing = busyReplicas.length > 0 || missingReplicas;
  let replicaResizeHeld: { identifier: string; hold: HeldChange } | undefined;

  for (const { index, instance } of replicas) {
    const id = instance.identifier;
    const wanted = instanceDrift(desiredReplica(spec, names, index), instance, 'replica');
    recordNotes(plan, id, wanted);
    const drift = withoutHeld(plan, observed, id, wanted, now);
    const isResize = (c: GroupedChange) => c.group === 'storage' || c.group === 'class';
    // The primary is not resized past a replica RDS would not resize; that waits as long as the hold does.
    const heldResize = wanted.changes.find((c) => isResize(c) && !drift.changes.includes(c));
    const hold = heldResize !== undefined ? heldModification(observed, id, heldResize.change.field, now) : undefined;
    if (hold !== undefined) replicaResizeHeld = { identifier: id, hold };
    if (drift.changes.length === 0) continue;
    const allowed = changesAllowedNow(instance, drift.changes);
    const resizes = drift.changes.some(isResize);
    // A broken replica that cannot take its resize does not hold the primary's back.
    if (resizes && (healthOf(instance.status) !== 'unhealthy' || allowed.length > 0)) replicasResizing = true;
    const blockedBy = replicaModified ?? busyReplicas.find((other) => other !== id);
    if (allowed.length === 0) {
      plan.waits.push({ subject: id, message: `${id} is ${instance.status}; it is modified once available` });
      recordPending(plan, id, drift.changes, `once ${id} is available`);
    } else if (blockedBy !== undefined) {
      plan.waits.push({ subject: id, message: `${id} is modified after ${blockedBy} (one replica at a time)` });
      recordPending(plan, id, drift.changes, `after ${blockedBy}`);
    } else {
      // Deletion protection goes alone (see ChangeGroup), the rest of the replica's changes on the next pass.
      const protection = allowed.filter((c) => c.group === 'protection');
      const sent = protection.length > 0 ? protection : allowed;
      // A full replica stops replaying: its growth, the only change it takes, does not wait for the window.
      pushModify(plan, instance, 'replica', sent, spec.applyImmediately || instance.status === 'storage-full', spec.applyImmediately);
      replicaModified = id;
      recordPending(
        plan,
        id,
        allowed.filter((c) => !sent.includes(c)),
        'after the deletion protection change',
      );
      recordPending(
        plan,
        id,
        drift.changes.filter((c) => !allowed.includes(c)),
        `once ${id} is available`,
      );
    }
  }

  const wanted = instanceDrift(desiredPrimary(spec, names), primary, 'primary');
  recordNotes(plan, primary.identifier, wanted);
  const drift = withBackupsOffAfterReplicas(plan, observed, primary, withoutHeld(plan, observed, primary.identifier, wanted, now));
  // A full primary takes no other change until it is available again, which only its growth brings about.
  const order = primary.status === 'storage-full' ? ['storage' as const, ...PRIMARY_CHANGE_ORDER.filter((g) => g !== 'storage')] : PRIMARY_CHANGE_ORDER;
  for (const [position, group] of order.entries()) {
    const changes = drift.changes.filter((c) => c.group === group);
    if (changes.length === 0) continue;
    const remaining = drift.changes.filter((c) => order.indexOf(c.group) >= position);
    const later = remaining.filter((c) => c.group !== group);
    // A full primary refuses writes: growing it does not wait for anything.
    const storageEmergency = primary.status === 'storage-full' && group === 'storage';
    if (!isModifiable(primary.status) && !storageEmergency) {
      plan.waits.push({ subject: primary.identifier, message: `${primary.identifier} is ${primary.status}; it is modified once available` });
      recordPending(plan, primary.identifier, remaining, `once ${primary.identifier} is available`);
    } else if ((group === 'storage' || group === 'class') && replicasResizing && !storageEmergency) {
      plan.waits.push({ subject: primary.identifier, message: `the ${group} of ${primary.identifier} changes after the replicas'` });
      recordPending(plan, primary.identifier, remaining, 'after the replicas');
    } else if ((group === 'storage' || group === 'class') && replicaResizeHeld !== undefined && !storageEmergency) {
      // Not a wait: nothing moves until the spec changes (or RDS's retry time). The primary's next group may still go.
      const { identifier, hold } = replicaResizeHeld;
      const why = isDeferral(hold)
        ? `waits: RDS takes the resize of ${identifier} only after ${hold.retryAt}`
        : `held: RDS rejected the resize of ${identifier}; change the spec to try again`;
      recordPending(plan, primary.identifier, changes, why);
      continue;
    } else {
      // Without ApplyImmediately RDS holds a storage change for the maintenance window, up to a week away.
      pushModify(plan, primary, 'primary', changes, spec.applyImmediately || storageEmergency, spec.applyImmediately);
      recordPending(plan, primary.identifier, later, `after the ${group} change`);
    }
    break;
  }
}
