// The plan: spec x observed -> ordered steps, waits, blocker, pending changes. Pure: no I/O, no clock (the time
// is an input), so every rule is tested with a table of snapshots.
import { healthOf, unhealthyAdvice } from '../instance-states.js';
import type { Observed } from '../observed.js';
import { findBlocker } from './blockers.js';
import { planPrimaryCreation } from './create.js';
import { planCredentials } from './credentials.js';
import { planDeletion } from './delete.js';
import { guardInstanceDeletions } from './adopted-deletion.js';
import { planModifications } from './modify.js';
import { planParameterGroup, planRetiredParameterGroups } from './parameters.js';
import { retireImmediately, type RetirementGate } from './retirement.js';
import { planReplicaSet } from './scale.js';
import { withoutHeldSteps } from './held.js';
import { planInstanceTags } from './tags.js';
import { emptyPlan, type Plan, type UnhealthyInstance } from './types.js';

export interface PlanOptions {
  now: Date;
  /** What a replica passes before it is deleted; the default deletes at once. */
  retirementGate?: RetirementGate;
}

function unhealthyInstances(observed: Observed): UnhealthyInstance[] {
  return observed.managedInstances().flatMap((instance) => {
    if (healthOf(instance.status) !== 'unhealthy') return [];
    const role = instance.identifier === observed.names.primary ? 'primary' : 'replica';
    return [{ identifier: instance.identifier, role, status: instance.status, advice: unhealthyAdvice(instance.status, role) }];
  });
}

export function planReconcile(observed: Observed, options: PlanOptions): Plan {
  return guardInstanceDeletions(planUnguarded(observed, options), observed);
}

function planUnguarded(observed: Observed, options: PlanOptions): Plan {
  const plan = emptyPlan();
  plan.unhealthy = unhealthyInstances(observed);
  if (observed.isDeleting()) return planDeletion(plan, observed);
  // A change RDS rejected for this generation is taken out, whichever rule planned it; the rest goes on.
  return withoutHeldSteps(planLive(plan, observed, options), observed);
}

function planLive(plan: Plan, observed: Observed, options: PlanOptions): Plan {
  // Before anything exists in AWS, so cleanup is guaranteed to run for whatever is created next.
  if (!observed.hasFinalizer()) plan.steps.push({ kind: 'addFinalizer' });
  const blocker = findBlocker(observed);
  if (blocker !== undefined) {
    plan.blocker = blocker;
    return plan;
  }
  const spec = observed.spec!;

  // Before the primary: CreateDBInstance names the group.
  planParameterGroup(plan, observed, spec);
  planCredentials(plan, observed);
  const primary = observed.primary();
  if (primary === undefined) {
    planPrimaryCreation(plan, observed, spec);
    return plan;
  }
  planInstanceTags(plan, observed, spec);
  if (primary.status === 'deleting') {
    plan.waits.push({ subject: primary.identifier, message: `${primary.identifier} is being deleted outside the operator` });
    return plan;
  }
  // Creations and deletions before modifications: a replica is created from an available primary, and a
  // ModifyDBInstance sent to the primary first would make it `modifying` and the creation be refused.
  planReplicaSet(plan, observed, spec, primary, options.retirementGate ?? retireImmediately, options.now);
  planModifications(plan, observed, spec, primary);
  // Last: housekeeping after a major upgrade, never ahead of a change the spec asks for.
  planRetiredParameterGroups(plan, observed);
  return plan;
}
