// Taking a replica out of service (scale-down, or replacing one RDS cannot recover) is a fixed sequence:
//
//   gate (nothing yet: retireImmediately)  ->  deletion protection off  ->  DeleteDBInstance (no snapshot)
//
// The gate is the one place where "not yet" can be said. Publishing the topology adds its drain there: publish
// the replica as draining, record status.replicas[].drainingSince, and proceed only once routing.drainSeconds
// have passed since then; everything after the gate stays as it is.
import type { RdsInstance } from '../../rds/port.js';
import { isDeletable, isModifiable } from '../instance-states.js';
import type { Observed } from '../observed.js';
import type { DrainRelease } from './drain-release.js';
import type { Plan, Step, Wait } from './types.js';

export type RetirementReason = 'scale-down' | 'replacement';

export interface RetirementRequest {
  index: number;
  replica: RdsInstance;
  why: RetirementReason;
  observed: Observed;
  now: Date;
}

/** `release`: what let a drained replica go, for its status and the Event of its deletion. */
export type RetirementDecision = { proceed: true; release?: DrainRelease } | { proceed: false; steps: Step[]; waits: Wait[] };

export type RetirementGate = (request: RetirementRequest) => RetirementDecision;

/** No drain: a surplus replica is deleted as soon as it is surplus. */
export const retireImmediately: RetirementGate = () => ({ proceed: true });

export function planRetirement(plan: Plan, request: RetirementRequest, gate: RetirementGate): void {
  const { replica } = request;
  const id = replica.identifier;
  if (replica.status === 'deleting') {
    plan.waits.push({ subject: id, message: `${id} is being deleted (${request.why})` });
    return;
  }
  const decision = gate(request);
  if (!decision.proceed) {
    plan.steps.push(...decision.steps);
    plan.waits.push(...decision.waits);
    return;
  }
  // The spec's deletionProtection guards against deleting the database by accident; a replica the spec itself
  // asks to remove is not that, so its protection is lifted first (a separate pass: RDS must have applied it).
  if (replica.deletionProtection) {
    if (isModifiable(replica.status)) {
      plan.steps.push({
        kind: 'modifyInstance',
        identifier: id,
        role: 'replica',
        changes: { deletionProtection: false },
        delta: [{ field: 'deletionProtection', from: 'true', to: 'false' }],
        applyImmediately: true,
      });
    } else {
      plan.waits.push({ subject: id, message: `${id} is ${replica.status}; its deletion protection is lifted once it is available` });
    }
    return;
  }
  if (!isDeletable(replica.status)) {
    plan.waits.push({ subject: id, message: `${id} is ${replica.status}; it is deleted once that finishes (${request.why})` });
    return;
  }
  plan.steps.push({
    kind: 'deleteInstance',
    identifier: id,
    role: 'replica',
    finalSnapshot: 'skip',
    why: request.why,
    ...(decision.release !== undefined ? { drainRelease: decision.release } : {}),
  });
}
