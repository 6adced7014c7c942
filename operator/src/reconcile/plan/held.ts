// Changes RDS rejected as specified are held, one by one, in status.heldChanges: the rejected request is not sent
// again for the generation it was rejected in, and every other step of the plan goes on (a scale-down, tags,
// deletion protection). A new generation (a spec change) releases every hold: the person may have fixed it.
//
// A held ModifyDBInstance names its fields, so only those are held: the instance's other changes are still made.
import type { HeldChange } from '../../api/index.js';
import { stepSubject } from '../describe-step.js';
import type { Observed } from '../observed.js';
import { AWS_OPERATION } from './aws-operations.js';
import type { Plan, Step } from './types.js';

/** The holds that apply to this generation. */
export function activeHolds(observed: Observed): HeldChange[] {
  return (observed.previousStatus?.heldChanges ?? []).filter((h) => h.generation === observed.object.generation);
}

/** The hold on one field of a ModifyDBInstance of `identifier`, if any. */
export function heldModification(observed: Observed, identifier: string, field: string): HeldChange | undefined {
  return activeHolds(observed).find(
    (h) => h.subject === identifier && h.operation === 'ModifyDBInstance' && (h.fields === undefined || h.fields.includes(field)),
  );
}

export function heldNote(held: HeldChange): string {
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
export function withoutHeldSteps(plan: Plan, observed: Observed): Plan {
  const holds = activeHolds(observed);
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

/** Holds after this reconcile: the ones of this generation, plus the change just rejected (`rejected`). */
export function nextHeldChanges(observed: Observed, rejected: HeldChange | undefined): HeldChange[] | undefined {
  const holds = activeHolds(observed);
  const all = rejected === undefined ? holds : [...holds.filter((h) => !sameHold(h, rejected)), rejected];
  return all.length > 0 ? all.slice(-32) : undefined;
}

function sameHold(a: HeldChange, b: HeldChange): boolean {
  return a.subject === b.subject && a.operation === b.operation && JSON.stringify(a.fields ?? null) === JSON.stringify(b.fields ?? null);
}

/** The hold a rejected step creates. */
export function holdFor(step: Step, failure: { code: string; operation: string; message: string }, generation: number): HeldChange {
  return {
    subject: stepSubject(step),
    operation: failure.operation,
    ...(step.kind === 'modifyInstance' ? { fields: step.delta.map((c) => c.field) } : {}),
    code: failure.code,
    message: failure.message.slice(0, 4096),
    generation,
  };
}
