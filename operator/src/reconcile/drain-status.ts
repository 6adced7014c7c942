// status.replicas[].drainReleasedBy: what let a drained replica be deleted, taken from the DeleteDBInstance this
// reconcile executed, and kept for as long as RDS still lists the replica (deleting takes minutes on AWS). Pure.
import type { InstanceStatus } from '../api/index.js';
import type { ApplyOutcome } from './apply.js';

export function withDrainRelease(replicas: InstanceStatus[], outcome: Pick<ApplyOutcome, 'executed'>, previousById: ReadonlyMap<string, InstanceStatus>): InstanceStatus[] {
  const released = new Map(outcome.executed.flatMap((s) => (s.kind === 'deleteInstance' && s.drainRelease !== undefined ? [[s.identifier, s.drainRelease] as const] : [])));
  return replicas.map((r) => {
    const drainReleasedBy = released.get(r.identifier) ?? previousById.get(r.identifier)?.drainReleasedBy;
    return drainReleasedBy === undefined ? r : { ...r, drainReleasedBy };
  });
}
