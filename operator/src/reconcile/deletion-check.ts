// The last check before any DeleteDBInstance. A plan decides from an observation that may be a steady-cache answer
// up to 0.8 of a steady resync old (rds/steady-cache.ts), and much can change outside the operator meanwhile: a
// replica promoted to a standalone database takes writes of its own, and deleting it without a final snapshot would
// lose them; tags edited by hand may give the instance to another object. So right before the call, one fresh
// describe must still show what the plan relied on; otherwise the deletion waits (an invalid-state error, retried
// soon, by when the next plan sees the fresh answer too).
import { ownershipOf, type Owner } from '../naming/index.js';
import { RdsError } from '../rds/errors.js';
import type { CallOptions, RdsPort } from '../rds/port.js';
import type { Step } from './plan/types.js';
import { remainingReplicas, replicasRemainError } from './remaining-replicas.js';

type InstanceDeletion = Extract<Step, { kind: 'deleteInstance' }>;

/** 'gone' when the instance no longer exists; throws an invalid-state RdsError when it may not be deleted now. */
export async function confirmDeletion(rds: RdsPort, step: InstanceDeletion, owner: Owner, call: CallOptions = {}): Promise<'confirmed' | 'gone'> {
  const found = await rds.describeInstances([step.identifier, ...(step.replicaCandidates ?? [])], { ...call, fresh: true });
  const instance = found.get(step.identifier);
  if (instance === undefined) return 'gone';
  const refuse = (code: string, why: string) => new RdsError('invalid-state', code, 'DeleteDBInstance', `${step.identifier} ${why}`);
  if (ownershipOf(instance.tags, owner) !== 'owned') {
    throw refuse('OwnershipChanged', `no longer carries this ReplicaSetDB's ownership tags; it is not deleted`);
  }
  if (step.replicaOf !== undefined && instance.replicationSource !== step.replicaOf) {
    throw refuse(
      'ReplicaPromoted',
      `no longer replicates from ${step.replicaOf} and may hold writes of its own; it is not deleted without a final snapshot (the next pass plans again from what RDS reports now)`,
    );
  }
  if (step.replicaCandidates !== undefined) {
    const remaining = remainingReplicas(found, step.identifier, owner.uid);
    if (remaining.length > 0) throw replicasRemainError(step.identifier, remaining);
  }
  return 'confirmed';
}
