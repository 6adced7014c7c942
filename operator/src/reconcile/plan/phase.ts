// A phase of the plan: one concern's rule, pure, adding its steps and waits to the plan. 'stop' ends the pass's
// plan there: nothing after it in the list can be right yet (a blocker, no primary to build on).
import type { Observed } from '../observed.js';
import type { RetirementGate } from '../replica-lifecycle/index.js';
import type { PublicationPlan } from './publication.js';
import type { Plan } from './types.js';

export interface PlanContext {
  now: Date;
  retirementGate: RetirementGate;
  /** What the endpoints ConfigMap must hold after this pass; without it the plan leaves the ConfigMap alone. */
  topology: PublicationPlan | undefined;
}

export type PlanPhase = (plan: Plan, observed: Observed, context: PlanContext) => void | 'stop';

export function runPhases(phases: readonly PlanPhase[], plan: Plan, observed: Observed, context: PlanContext): Plan {
  for (const phase of phases) {
    if (phase(plan, observed, context) === 'stop') break;
  }
  return plan;
}
