// Deterministic RDS identifiers from a ReplicaSetDB's namespace and name. Determinism is what makes creation
// idempotent: an operator that dies after CreateDBInstance and before its status records the identifier starts
// again, derives the same identifier, finds the instance, and never creates a second one.
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

function readableHead(namespace: string, name: string): string {
  const clean = `${namespace}-${name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(clean) ? clean : `db-${clean}`.replace(/-+$/, '');
}

function headWithHash(head: string, namespace: string, name: string): string {
  const room = MAX_BASE_IDENTIFIER_LENGTH - HASH_LENGTH - 1;
  return `${head.slice(0, room).replace(/-+$/, '')}-${shortHash(`${namespace}/${name}`)}`;
}

function assertNamed(namespace: string, name: string): void {
  if (namespace === '' || name === '') throw new Error('namespace and name must not be empty');
}

/**
 * A readable head (`<namespace>-<name>`, sanitised and truncated) plus a hash of the exact namespace/name,
 * always: the readable text alone is ambiguous (`a-b/c` and `a/b-c` both read `a-b-c`), and in a shared AWS
 * account an ambiguous identifier would let one namespace's object reach another's instances. Used only when an
 * object first gets its identifiers; after that they are read from its status.
 */
export function rdsBaseIdentifier(namespace: string, name: string): string {
  assertNamed(namespace, name);
  return headWithHash(readableHead(namespace, name), namespace, name);
}

/**
 * What earlier versions of the operator derived: `<namespace>-<name>` when that was already a valid identifier that
 * fit, hashed otherwise. Only for finding the instances of an object created by such a version, which are then
 * used only when their ownership tags carry that object's uid.
 */
export function legacyRdsBaseIdentifier(namespace: string, name: string): string {
  assertNamed(namespace, name);
  const raw = `${namespace}-${name}`;
  const head = readableHead(namespace, name);
  if (head === raw && head.length <= MAX_BASE_IDENTIFIER_LENGTH) return head;
  return headWithHash(head, namespace, name);
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
  const fragment = uid
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 12);
  if (fragment === '') throw new Error('a final snapshot name needs the object uid');
  return `${base}-final-${fragment}`;
}

/** A parameter group's family is fixed at creation, so the family is part of the name: a major version upgrade
 * moves the instances to a second group instead of mutating the first. `postgres9.6` -> `postgres9-6`. */
export function parameterGroupName(base: string, family: string): string {
  const suffix = family.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `${base}-${suffix}`;
}
