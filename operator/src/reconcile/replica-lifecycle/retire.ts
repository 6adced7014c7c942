// What one pass does for a retiring replica (scale-down, or replacing one RDS cannot recover): fold what it observed
// through the lifecycle (lifecycle.ts), then act on the state reached.
//
//   draining                      the gate's steps and waits (nothing yet with retireImmediately; the reconciler's
//                                 gate is drainBeforeDelete, drain-gate.ts)
//   releasingDeletionProtection   deletion protection off (deletion-protection.ts)
//   deleting                      DeleteDBInstance without a snapshot, carrying what released the drain
import type { RdsInstance } from '../../rds/port.js';
import { isDeletable } from '../instance-states.js';
import type { Observed } from '../observed.js';
import type { Plan, Step, Wait } from '../plan/types.js';
import { liftDeletionProtection } from './deletion-protection.js';
import type { DrainRelease } from './drain-release.js';
import { lifecycleStateAfter, type ReplicaLifecycleInput } from './lifecycle.js';

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

/** The one place where "not yet" can be said about a retiring replica. */
export type RetirementGate = (request: RetirementRequest) => RetirementDecision;

/** No drain: a surplus replica is deleted as soon as it is surplus. */
export const retireImmediately: RetirementGate = () => ({ proceed: true });

export function planRetirement(plan: Plan, request: RetirementRequest, gate: RetirementGate): void {
  const { replica } = request;
  // The gate is not asked about a replica RDS is deleting already: nothing it says could change that.
  const decision = replica.status === 'deleting' ? undefined : gate(request);
  const inputs: ReplicaLifecycleInput[] = [
    'retire',
    decision === undefined ? 'deletionStarted' : decision.proceed ? 'drainReleased' : 'drainHeld',
    replica.deletionProtection ? 'protectionOn' : 'protectionOff',
  ];
  switch (lifecycleStateAfter(inputs)) {
    case 'draining':
      if (decision?.proceed === false) {
        plan.steps.push(...decision.steps);
        plan.waits.push(...decision.waits);
      }
      return;
    case 'releasingDeletionProtection':
      // The spec's deletionProtection guards against deleting the database by accident; a replica the spec itself
      // asks to remove is not that.
      liftDeletionProtection(plan, replica, 'replica');
      return;
    case 'deleting':
      planReplicaDeletion(plan, request, decision?.proceed === true ? decision.release : undefined);
      return;
    case 'serving':
    case 'gone':
      return;
  }
}

function planReplicaDeletion(plan: Plan, { replica, why }: RetirementRequest, release: DrainRelease | undefined): void {
  const id = replica.identifier;
  if (replica.status === 'deleting') {
    plan.waits.push({ subject: id, message: `${id} is being deleted (${why})` });
  } else if (!isDeletable(replica.status)) {
    plan.waits.push({ subject: id, message: `${id} is ${replica.status}; it is deleted once that finishes (${why})` });
  } else {
    plan.steps.push({
      kind: 'deleteInstance',
      identifier: id,
      role: 'replica',
      finalSnapshot: 'skip',
      why,
      ...(release !== undefined ? { drainRelease: release } : {}),
    });
  }
}
