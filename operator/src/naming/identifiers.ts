// Deterministic RDS identifiers from a ReplicaSetDB's namespace and name. Determinism is what makes creation
// idempotent: an operator that dies after CreateDBInstance and starts again derives the same identifier, finds
// the instance, and never creates a second one.
//
// RDS rules (DB instance, snapshot and parameter group identifiers alike): letters, digits and hyphens, first
// character a letter, no two consecutive hyphens, no trailing hyphen; instances at most 63 characters. RDS
// stores them in lower case.
import { createHash } from 'node:crypto';

export const MAX_INSTANCE_IDENTIFIER_LENGTH = 63;
/** Highest replica index an identifier leaves room for (the spec allows 15; three digits leave margin). */
export const MAX_REPLICA_INDEX = 999;
/** The base leaves room for the longest replica suffix, `-r999`, so every replica identifier stays valid. */
export const MAX_BASE_IDENTIFIER_LENGTH = MAX_INSTANCE_IDENTIFIER_LENGTH - `-r${MAX_REPLICA_INDEX}`.length;
const HASH_LENGTH = 8;

const VALID_IDENTIFIER = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

/** Whether `id` is a valid RDS identifier in the form the operator produces (lower case). */
export function isValidRdsIdentifier(id: string, maxLength = MAX_INSTANCE_IDENTIFIER_LENGTH): boolean {
  return id.length >= 1 && id.length <= maxLength && VALID_IDENTIFIER.test(id);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * `<namespace>-<name>` when that is already a valid identifier that fits, which is the common case and keeps
 * identifiers readable in the AWS console. Otherwise (too long, or a character had to be replaced, e.g. a dot in
 * the name or a namespace starting with a digit) a truncated readable head plus a hash of the exact
 * namespace/name, so two objects that sanitise to the same text still get different identifiers.
 *
 * Two objects can still produce the same readable form (`a-b/c` and `a/b-c`); the ownership tags catch that
 * case and the second object reports IdentifierConflict instead of touching the first one's instances.
 */
export function rdsBaseIdentifier(namespace: string, name: string): string {
  if (namespace === '' || name === '') throw new Error('namespace and name must not be empty');
  const raw = `${namespace}-${name}`;
  let clean = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(clean)) clean = `db-${clean}`.replace(/-+$/, '');
  if (clean === raw && clean.length <= MAX_BASE_IDENTIFIER_LENGTH) return clean;
  const head = clean.slice(0, MAX_BASE_IDENTIFIER_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${shortHash(`${namespace}/${name}`)}`;
}

export function replicaIdentifier(base: string, index: number): string {
  if (!Number.isInteger(index) || index < 1 || index > MAX_REPLICA_INDEX) {
    throw new Error(`replica index must be an integer from 1 to ${MAX_REPLICA_INDEX}, got ${index}`);
  }
  return `${base}-r${index}`;
}

/** The replica index encoded in `id`, or undefined when `id` is not one of `base`'s replica identifiers. */
export function replicaIndexOf(base: string, id: string): number | undefined {
  const prefix = `${base}-r`;
  if (!id.startsWith(prefix)) return undefined;
  const digits = id.slice(prefix.length);
  if (!/^[1-9][0-9]{0,2}$/.test(digits)) return undefined;
  return Number(digits);
}

/**
 * Unique per object incarnation (the uid fragment differs when an object of the same name is deleted and
 * created again, so a second final snapshot never collides with the first) and deterministic (a retried
 * deletion asks for the same name, never a second snapshot).
 */
export function finalSnapshotIdentifier(base: string, uid: string): string {
  const fragment = uid.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 12);
  if (fragment === '') throw new Error('a final snapshot name needs the object uid');
  return `${base}-final-${fragment}`;
}

/** A parameter group's family is fixed at creation, so the family is part of the name: a major version upgrade
 * moves the instances to a second group instead of mutating the first. `postgres9.6` -> `postgres9-6`. */
export function parameterGroupName(base: string, family: string): string {
  const suffix = family.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `${base}-${suffix}`;
}
