// The last word on every DeleteDBInstance a plan asks for, whichever rule asked: an instance is deleted only once it
// carries this object's ownership tags (an adoption tags it first, in an earlier pass), and an adopted primary, which
// holds data the operator did not create, only with a final snapshot, whatever deletionPolicy says. A replica seen
// replicating from the primary and deleted without one names that primary, for the check right before the call.
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
      // Only a replica seen following the primary: one seen promoted goes as deletionPolicy says (without a snapshot
      // under Delete), and must not wait for a replication it no longer has.
      const skipsAsFollower = step.finalSnapshot === 'skip' && observed.followsPrimary(instance);
      steps.push(skipsAsFollower ? { ...step, replicaOf: observed.names.primary } : step);
    }
  }
  plan.steps = steps;
  return plan;
}
