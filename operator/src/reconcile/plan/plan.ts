// The plan: spec x observed -> ordered steps, waits, blocker, pending changes. Pure: no I/O, no clock (the time
// is an input), so every rule is tested with a table of snapshots. The order of the rules is a list of phases:
// LIVE_PHASES (live-phases.ts) for a live object, DELETION_PHASES (delete.ts) behind the finalizer.
import { healthOf, unhealthyAdvice } from '../instance-states.js';
import type { Observed } from '../observed.js';
import { retireImmediately, type RetirementGate } from '../replica-lifecycle/index.js';
import { guardInstanceDeletions } from './adopted-deletion.js';
import { DELETION_PHASES } from './delete.js';
import { withoutHeldSteps } from './held.js';
import { runPhases } from './phase.js';
import { LIVE_PHASES } from './live-phases.js';
import type { PublicationPlan } from './publication.js';
import { emptyPlan, type Plan, type UnhealthyInstance } from './types.js';

export interface PlanOptions {
  now: Date;
  /** What a replica passes before it is deleted; the default deletes at once. */
  retirementGate?: RetirementGate;
  /** The topology this pass publishes (planPublication). Undefined leaves the endpoints ConfigMap alone: for plans
   * about RDS alone, never for a pass of the reconciler, which must always say what it publishes. */
  topology: PublicationPlan | undefined;
}

function unhealthyInstances(observed: Observed): UnhealthyInstance[] {
  return observed.managedInstances().flatMap((instance) => {
    if (healthOf(instance.status) !== 'unhealthy') return [];
    const role = instance.identifier === observed.names.primary ? 'primary' : 'replica';
    return [
      {
        identifier: instance.identifier,
        role,
        status: instance.status,
        advice: unhealthyAdvice(instance.status, role, instance.deletionProtection ? instance.identifier : undefined),
      },
    ];
  });
}

export function planReconcile(observed: Observed, options: PlanOptions): Plan {
  return guardInstanceDeletions(planUnguarded(observed, options), observed);
}

function planUnguarded(observed: Observed, options: PlanOptions): Plan {
  const plan = emptyPlan();
  plan.unhealthy = unhealthyInstances(observed);
  const context = { now: options.now, retirementGate: options.retirementGate ?? retireImmediately, topology: options.topology };
  if (observed.isDeleting()) return runPhases(DELETION_PHASES, plan, observed, context);
  // A change RDS rejected for this generation is taken out, whichever rule planned it; the rest goes on.
  return withoutHeldSteps(runPhases(LIVE_PHASES, plan, observed, context), observed, options.now);
}
