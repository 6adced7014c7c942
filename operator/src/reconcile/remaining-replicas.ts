// The last check before a primary is deleted. The plan saw no replica, but from an observation that may be a
// steady-cache answer up to one resync old, and that only covered the replica indices the spec and status name. A
// primary deleted under a replica leaves RDS to promote that replica to a standalone database nobody manages, so
// right before DeleteDBInstance a fresh DescribeDBInstances covers every identifier a replica of ours can have and
// every replica RDS lists for the primary; if one remains, the deletion waits.
import { TAG_OWNER_UID } from '../naming/index.js';
import { RdsError } from '../rds/errors.js';
import type { RdsPort } from '../rds/port.js';

/** Replicas of ours: instances carrying our owner uid, or replicating the primary (whoever owns them). */
export async function remainingReplicas(rds: RdsPort, primary: string, candidates: readonly string[], ownerUid: string): Promise<string[]> {
  const found = await rds.describeInstances([primary, ...candidates], { fresh: true });
  const listed = found.get(primary)?.replicaIdentifiers ?? [];
  const ours = [...found.values()]
    .filter((i) => i.identifier !== primary && (i.tags[TAG_OWNER_UID] === ownerUid || i.replicationSource === primary))
    .map((i) => i.identifier);
  return [...new Set([...listed, ...ours])].sort();
}

/** Throws an invalid-state RdsError (the error policy retries it soon) while a replica remains. */
export async function confirmNoReplicaRemains(rds: RdsPort, primary: string, candidates: readonly string[], ownerUid: string): Promise<void> {
  const remaining = await remainingReplicas(rds, primary, candidates, ownerUid);
  if (remaining.length === 0) return;
  throw new RdsError(
    'invalid-state',
    'ReplicasRemain',
    'DeleteDBInstance',
    `${remaining.join(', ')} still replicate${remaining.length === 1 ? 's' : ''} ${primary} or carry this ReplicaSetDB's ownership tags; ${primary} is deleted once ${remaining.length === 1 ? 'it is' : 'they are'} gone (a replica the operator does not own must be deleted or promoted by whoever owns it)`,
  );
}
