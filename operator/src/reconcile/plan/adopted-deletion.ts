// The last word on every DeleteDBInstance a plan asks for, whichever rule asked: an instance is deleted only once it
// carries this object's ownership tags (an adoption tags it first, in an earlier pass), and an adopted primary, which
// holds data the operator did not create, only with a final snapshot, whatever deletionPolicy says. A replica
// deleted without one names the primary it was seen replicating from, for the check right before the call.
import { TAG_ADOPTED } from '../../naming/index.js';
import type { Observed } from '../observed.js';
import type { Plan, Step } from './types.js';

export function guardInstanceDeletions(plan: Plan, observed: Observed): Plan {
  const steps: Step[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'deleteInstance') {
      steps.push(step);
      continue;
    }
    const instance = observed.instance(step.identifier);
    if (instance === undefined || observed.ownershipOf(instance.tags) !== 'owned') {
      plan.waits.push({ subject: step.identifier, message: `${step.identifier} is deleted once it carries this object's ownership tags` });
      continue;
    }
    const adopted = instance.tags[TAG_ADOPTED] === 'true';
    if (step.role === 'primary') {
      steps.push(adopted && step.finalSnapshot === 'skip' ? { ...step, finalSnapshot: { finalSnapshotIdentifier: observed.names.finalSnapshot } } : step);
    } else {
      steps.push(step.finalSnapshot === 'skip' ? { ...step, replicaOf: observed.names.primary } : step);
    }
  }
  plan.steps = steps;
  return plan;
}
