// The status fields a retiring replica owns. Pure.
//
// - status.replicas[].drainingSince: set only once the ConfigMap showing the replica as draining is in effect
//   (written by this reconcile, or already there); a failed write starts no clock. Kept while the replica is
//   retiring; cleared when the spec wants it again. A clock from before the ConfigMap showed the replica active again
//   (the status write that would have cleared it failed) starts over: pods that took the active document may send
//   the replica reads for a whole kubelet delay more. A ConfigMap found gone keeps the clock: pods keep the last
//   document they were given.
// - status.replicas[].drainReleasedBy: what let a drained replica be deleted, taken from the DeleteDBInstance this
//   reconcile executed, and kept for as long as RDS still lists the replica (deleting takes minutes on AWS).
import type { InstanceStatus } from '../../api/index.js';
import type { ApplyOutcome } from '../apply.js';

export interface DrainingSinceInput {
  retiring: boolean;
  /** status.replicas[].drainingSince as last written. */
  previous: string | undefined;
  /** The ConfigMap this reconcile found showed the replica active. */
  foundActive: boolean;
  /** The ConfigMap in effect after this reconcile shows the replica as draining. */
  publishedDraining: boolean;
  /** When this reconcile's ConfigMap write took effect. */
  appliedAt: Date;
}

export function drainingSince({ retiring, previous, foundActive, publishedDraining, appliedAt }: DrainingSinceInput): string | undefined {
  if (!retiring) return undefined;
  return (foundActive ? undefined : previous) ?? (publishedDraining ? appliedAt.toISOString() : undefined);
}

export function withDrainRelease(
  replicas: InstanceStatus[],
  outcome: Pick<ApplyOutcome, 'executed'>,
  previousById: ReadonlyMap<string, InstanceStatus>,
): InstanceStatus[] {
  const released = new Map(
    outcome.executed.flatMap((s) => (s.kind === 'deleteInstance' && s.drainRelease !== undefined ? [[s.identifier, s.drainRelease] as const] : [])),
  );
  return replicas.map((r) => {
    const drainReleasedBy = released.get(r.identifier) ?? previousById.get(r.identifier)?.drainReleasedBy;
    return drainReleasedBy === undefined ? r : { ...r, drainReleasedBy };
  });
}
