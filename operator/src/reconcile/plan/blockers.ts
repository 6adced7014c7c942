// Conditions under which the plan makes no change at all, each with the message that tells a person what to do.
// They are checked before anything else, so no later rule can act on a snapshot one of them forbids acting on.
import { ADOPT_ANNOTATION, TAG_OWNER_NAME, TAG_OWNER_NAMESPACE } from '../../naming/index.js';
import { compareEngineVersions } from '../../rds/engine-version.js';
import type { Observed, ForeignResource } from '../observed.js';
import { rejectedPassword, usernameMismatch } from './credentials.js';
import type { Blocker } from './types.js';

function describeForeign(f: ForeignResource, observed: Observed): string {
  const subject = `RDS ${f.kind} ${f.identifier}`;
  switch (f.ownership) {
    case 'other-owner': {
      const tags = f.kind === 'instance' ? observed.instance(f.identifier)?.tags : observed.parameterGroup()?.tags;
      const owner = `${tags?.[TAG_OWNER_NAMESPACE] ?? '?'}/${tags?.[TAG_OWNER_NAME] ?? '?'}`;
      return `${subject} belongs to ReplicaSetDB ${owner}`;
    }
    case 'previous-owner':
      // The tags cannot tell the two apart: identifiers derive from the namespace and name alone.
      return `${subject} was created by another ReplicaSetDB of this namespace and name: an earlier one deleted with deletionPolicy Retain, or a live one in another cluster that shares this AWS account (then adopting it would have two operators manage one database)`;
    case 'unowned':
      return `${subject} exists without this ReplicaSetDB's ownership tags`;
  }
}

const ADOPT_SETTING = '--adopt-namespaces (env ADOPT_NAMESPACES, Helm value adoption.namespaces)';

function conflictBlocker(observed: Observed): Blocker | undefined {
  const foreign = observed.foreignResources();
  if (foreign.length === 0) return undefined;
  const described = foreign.map((f) => describeForeign(f, observed)).join('; ');
  const namespace = observed.object.ref.namespace;
  const adoptable = foreign.every((f) => f.ownership !== 'other-owner');
  if (adoptable && observed.adoptionRequested() && !observed.namespaceAllowsAdoption()) {
    return {
      reason: 'AdoptionNotAllowed',
      message: `${described}. The object is annotated ${ADOPT_ANNOTATION}=true, but the operator does not allow adoption in namespace ${namespace}: to take it over, an operator administrator adds ${namespace} to ${ADOPT_SETTING}; otherwise remove the annotation and rename this ReplicaSetDB.`,
    };
  }
  const hint = adoptable
    ? observed.adoptionAllowed()
      ? 'it cannot be adopted: a primary must not be a replica, a replica must replicate this primary, and the engine must be postgres'
      : `to take it over, annotate the ReplicaSetDB with ${ADOPT_ANNOTATION}=true${observed.namespaceAllowsAdoption() ? '' : ` and have ${namespace} added to the operator's ${ADOPT_SETTING}`}; otherwise rename the ReplicaSetDB`
    : 'rename this ReplicaSetDB';
  return {
    reason: 'IdentifierConflict',
    message: `${described}. The operator does not modify or delete it: ${hint}.`,
  };
}

/** Nothing a plan would do next is safe to decide for a promoted replica: scaling down or replacing it would delete
 * writes it may hold, and the rest of the topology may be what a person is rebuilding around it. */
function promotedReplicaBlocker(observed: Observed): Blocker | undefined {
  const promoted = observed.promotedReplicas();
  if (promoted.length === 0) return undefined;
  const ids = promoted.map((r) => r.identifier).join(', ');
  const one = promoted.length === 1;
  return {
    reason: 'ReplicaPromoted',
    message: `${ids} no longer ${one ? 'replicates' : 'replicate'} from ${observed.names.primary}: promoted to a standalone database, ${one ? 'it' : 'each'} may hold writes the primary does not have. The operator changes nothing until this is resolved. To keep ${one ? 'it' : 'one'} outside this ReplicaSetDB, rename it (aws rds modify-db-instance --db-instance-identifier <id> --new-db-instance-identifier <new-id> --apply-immediately); to discard ${one ? 'it' : 'one'}, delete it yourself, with a final snapshot if its data matters. The operator then creates the replica again.`,
  };
}

/** Blockers while the object is live (deletion has its own, in delete.ts). */
export function findBlocker(observed: Observed): Blocker | undefined {
  const spec = observed.spec;
  if (spec === undefined) {
    return { reason: 'InvalidSpec', message: observed.object.invalidReason ?? 'the spec does not parse' };
  }
  const conflict = conflictBlocker(observed);
  if (conflict !== undefined) return conflict;
  const promoted = promotedReplicaBlocker(observed);
  if (promoted !== undefined) return promoted;
  // A rejected password is held by its fingerprint (not by the generation, as other rejected changes are), and
  // released by a new one in the Secret.
  const rejectedPasswordHold = rejectedPassword(observed);
  if (rejectedPasswordHold !== undefined) return rejectedPasswordHold;

  const primary = observed.primary();
  if (primary !== undefined && compareEngineVersions(spec.engineVersion, primary.engineVersion) === 'downgrade') {
    return {
      reason: 'EngineDowngradeNotSupported',
      message: `spec.engineVersion ${spec.engineVersion} is older than ${primary.engineVersion}, which ${primary.identifier} runs; RDS cannot downgrade. Set spec.engineVersion to ${primary.engineVersion} or newer.`,
    };
  }
  if (primary === undefined && observed.primaryWasObserved()) {
    return {
      reason: 'PrimaryLost',
      message: `the primary ${observed.names.primary} existed and is gone (deleted outside the operator?). The operator does not create an empty database in its place: restore it from a snapshot with the same identifier, or delete and re-create this ReplicaSetDB.`,
    };
  }
  const credentials = observed.credentials();
  // With a primary, the Secret's password is the one RDS is given next; deleting the Secret would not bring it back.
  if (credentials.state === 'unusable') {
    const remedy = primary === undefined ? 'Fix the Secret, or delete it to let the operator generate one.' : 'Fix the password in the Secret.';
    return {
      reason: 'CredentialsInvalid',
      message: `Secret ${observed.names.secret.name} cannot supply the master password: ${credentials.reason}. ${remedy}`,
    };
  }
  return usernameMismatch(observed);
}

/** Blockers of a deletion. */
export function findDeletionBlocker(observed: Observed): Blocker | undefined {
  const spec = observed.spec;
  if (spec === undefined) {
    return {
      reason: 'InvalidSpec',
      message: `the spec does not parse, so its deletionPolicy is unknown and nothing is deleted: ${observed.object.invalidReason ?? ''}`.trim(),
    };
  }
  if (spec.deletionPolicy !== 'Retain' && spec.deletionProtection) {
    return {
      reason: 'DeletionProtected',
      message: `spec.deletionProtection is true, so the instances are not deleted (deletionPolicy ${spec.deletionPolicy}). To finish the deletion, set spec.deletionProtection to false (the instances are then deleted${spec.deletionPolicy === 'Snapshot' ? ' after a final snapshot of the primary' : ''}), or set spec.deletionPolicy to Retain to leave them running.`,
    };
  }
  return undefined;
}
