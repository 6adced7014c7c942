// Before a primary is deleted: no replica of ours may remain. The plan saw none, but from an observation that may be
// a steady-cache answer up to one resync old, and that only covered the replica indices the spec and status name. A
// primary deleted under a replica leaves RDS to promote that replica to a standalone database nobody manages, so the
// fresh describe right before DeleteDBInstance (deletion-check.ts) covers every identifier a replica of ours can have
// and every replica RDS lists for the primary; if one remains, the deletion waits.
import { TAG_OWNER_UID } from '../naming/index.js';
import { RdsError } from '../rds/errors.js';
import type { RdsInstance } from '../rds/port.js';

/** Replicas of ours among `found`: instances carrying our owner uid, or replicating the primary (whoever owns them),
 * and those RDS lists for the primary. */
export function remainingReplicas(found: ReadonlyMap<string, RdsInstance>, primary: string, ownerUid: string): string[] {
  const listed = found.get(primary)?.replicaIdentifiers ?? [];
  const ours = [...found.values()]
    .filter((i) => i.identifier !== primary && (i.tags[TAG_OWNER_UID] === ownerUid || i.replicationSource === primary))
    .map((i) => i.identifier);
  return [...new Set([...listed, ...ours])].sort();
}

/** The invalid-state RdsError (the error policy retries it soon) for a primary some replicas still follow. */
export function replicasRemainError(primary: string, remaining: readonly string[]): RdsError {
  return new RdsError(
    'invalid-state',
    'ReplicasRemain',
    'DeleteDBInstance',
    `${remaining.join(', ')} still replicate${remaining.length === 1 ? 's' : ''} ${primary} or carry this ReplicaSetDB's ownership tags; ${primary} is deleted once ${remaining.length === 1 ? 'it is' : 'they are'} gone (a replica the operator does not own must be deleted or promoted by whoever owns it)`,
  );
}
