// The replica set: create the missing replicas once the primary is available, replace a replica RDS cannot
// recover, and retire surplus replicas highest index first (so the remaining ones are always r1..rN).
import type { ReplicaSetDBSpec } from '../../api/index.js';
import type { RdsInstance } from '../../rds/port.js';
import type { Observed } from '../observed.js';
import { replicaToCreate } from './desired.js';
import { isSurplus, planRetirement, retirementReason, type RetirementGate } from '../replica-lifecycle/index.js';
import type { Plan } from './types.js';

export function planReplicaSet(plan: Plan, observed: Observed, spec: ReplicaSetDBSpec, primary: RdsInstance, gate: RetirementGate, now: Date): void {
  // CreateDBInstanceReadReplica needs an available source; a replica started from a source that is modifying
  // is refused, so those are waited for rather than attempted.
  const sourceReady = primary.status === 'available';
  for (const index of observed.desiredReplicaIndices()) {
    const replica = observed.replica(index);
    const id = observed.names.replica(index);
    if (replica === undefined) {
      if (sourceReady) plan.steps.push({ kind: 'createReplica', index, input: replicaToCreate(spec, observed.names, index, primary) });
      else plan.waits.push({ subject: id, message: `${id} is created once ${primary.identifier} is available (it is ${primary.status})` });
    } else if (replica.status === 'deleting') {
      plan.waits.push({ subject: id, message: `${id} is being deleted; it is created again once it is gone` });
    } else {
      const why = retirementReason(index, replica.status, spec.replicas.count);
      if (why !== undefined) planRetirement(plan, { index, replica, why, observed, now }, gate);
    }
  }

  const surplus = observed
    .replicaIndices()
    .filter((index) => isSurplus(index, spec.replicas.count))
    .sort((a, b) => b - a);
  for (const index of surplus) {
    const replica = observed.replica(index);
    if (replica === undefined || !observed.isManaged(replica)) continue;
    planRetirement(plan, { index, replica, why: 'scale-down', observed, now }, gate);
  }
}
