// Changes RDS rejected as specified are held, one by one, in status.heldChanges: the rejected request is not sent
// again for the generation it was rejected in, and every other step of the plan goes on (a scale-down, tags,
// deletion protection). A new generation (a spec change) releases every hold: the person may have fixed it.
//
// A held ModifyDBInstance names its fields, so only those are held: the instance's other changes are still made.
//
// A change RDS takes only later (a storage change within its cooldown) is held the same way, with a `retryAt`: at
// that time the hold lapses and the request is sent again, with no spec change and no person involved.
import type { HeldChange } from '../../api/index.js';
import { stepSubject } from '../describe-step.js';
import type { Observed } from '../observed.js';
import { AWS_OPERATION } from './aws-operations.js';
import { desiredPrimary, desiredReplica } from './desired.js';
import { instanceDrift } from './drift.js';
import type { Plan, Step } from './types.js';

/** The holds that apply now: of this generation, not past their retryAt, and still about something the world lacks. */
export function activeHolds(observed: Observed, now: Date): HeldChange[] {
  return (observed.previousStatus?.heldChanges ?? []).filter(
    (h) => h.generation === observed.object.generation && (h.retryAt === undefined || Date.parse(h.retryAt) > now.getTime()) && stillWanting(observed, h),
  );
}

/**
 * A hold the world has caught up with holds nothing back, and goes without a spec change: a modification none of
 * whose fields differs from the spec any more (a person made it, storage autoscaling grew past it), a creation of an
 * instance that now exists as ours (made by another request than the refused one), a deletion of an instance that is
 * gone (a person deleted it). Otherwise the object would stay Failed over a change nobody needs to make. Other holds
 * (a parameter group, tags, the password) stand as they are.
 */
function stillWanting(observed: Observed, held: HeldChange): boolean {
  switch (held.operation) {
    case 'ModifyDBInstance':
      return stillDiffers(observed, held);
    case 'CreateDBInstance':
    case 'CreateDBInstanceReadReplica':
      return !observed.managedInstances().some((i) => i.identifier === held.subject);
    case 'DeleteDBInstance':
      return observed.instance(held.subject) !== undefined;
    default:
      return true;
  }
}

function stillDiffers(observed: Observed, held: HeldChange): boolean {
  const spec = observed.spec;
  if (held.fields === undefined || spec === undefined) return true;
  const names = observed.names;
  const instance = observed.managedInstances().find((i) => i.identifier === held.subject);
  const index = names.replicaIndexOf(held.subject);
  if (instance === undefined) return true;
  const drift =
    held.subject === names.primary
      ? instanceDrift(desiredPrimary(spec, names), instance, 'primary')
      : index !== undefined
        ? instanceDrift(desiredReplica(spec, names, index), instance, 'replica')
        : undefined;
  return drift === undefined || drift.changes.some((c) => held.fields!.includes(c.change.field));
}

/** A hold that waits for RDS (it lapses at retryAt), not for a person. */
export function isDeferral(held: HeldChange): boolean {
  return held.retryAt !== undefined;
}

/** The hold on one field of a ModifyDBInstance of `identifier`, if any. */
export function heldModification(observed: Observed, identifier: string, field: string, now: Date): HeldChange | undefined {
  return activeHolds(observed, now).find(
    (h) => h.subject === identifier && h.operation === 'ModifyDBInstance' && (h.fields === undefined || h.fields.includes(field)),
  );
}

export function heldNote(held: HeldChange): string {
  if (isDeferral(held)) return `waits: RDS takes it only later (${held.code}); sent again after ${held.retryAt}`;
  return `held: RDS rejected it with ${held.code}; change the spec to try again`;
}

function holdOf(step: Step, holds: readonly HeldChange[]): HeldChange | undefined {
  const operation = AWS_OPERATION[step.kind];
  if (operation === undefined) return undefined;
  const subject = stepSubject(step);
  return holds.find((h) => {
    if (h.subject !== subject || h.operation !== operation) return false;
    // A hold of some fields of an instance covers the modifications of those fields, not another kind of step sent
    // under the same operation (the master password).
    if (step.kind !== 'modifyInstance') return h.fields === undefined;
    if (h.fields === undefined) return true;
    return step.delta.some((c) => h.fields!.includes(c.field));
  });
}

/** Removes the steps a hold covers, and says so in pendingChanges. */
export function withoutHeldSteps(plan: Plan, observed: Observed, now: Date): Plan {
  const holds = activeHolds(observed, now);
  if (holds.length === 0) return plan;
  const steps: Step[] = [];
  for (const step of plan.steps) {
    const held = holdOf(step, holds);
    if (held === undefined) steps.push(step);
    else plan.pendingChanges.push(`${held.subject}: ${held.operation} ${heldNote(held)} (${held.message})`);
  }
  plan.steps = steps;
  return plan;
}

/** Holds after this reconcile: the ones that still apply, plus the change just rejected (`rejected`). */
export function nextHeldChanges(observed: Observed, rejected: HeldChange | undefined, now: Date): HeldChange[] | undefined {
  const holds = activeHolds(observed, now);
  const all = rejected === undefined ? holds : [...holds.filter((h) => !sameHold(h, rejected)), rejected];
  return all.length > 0 ? all.slice(-32) : undefined;
}

function sameHold(a: HeldChange, b: HeldChange): boolean {
  return a.subject === b.subject && a.operation === b.operation && JSON.stringify(a.fields ?? null) === JSON.stringify(b.fields ?? null);
}

/** The hold a rejected step creates; with `retryAt`, one that lapses then. */
export function holdFor(step: Step, failure: { code: string; operation: string; message: string }, generation: number, retryAt?: Date): HeldChange {
  return {
    subject: stepSubject(step),
    operation: failure.operation,
    ...(step.kind === 'modifyInstance' ? { fields: step.delta.map((c) => c.field) } : {}),
    code: failure.code,
    message: failure.message.slice(0, 4096),
    generation,
    ...(retryAt !== undefined ? { retryAt: retryAt.toISOString() } : {}),
  };
}
