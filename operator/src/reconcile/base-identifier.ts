// Which RDS base identifier an object uses. Identifiers are chosen once and then read from the status, never derived
// again: a change of the derivation (such as this version's hashed identifiers) must not move an existing object to
// a second, empty set of instances.
import { legacyRdsBaseIdentifier, ownershipOf, rdsBaseIdentifier } from '../naming/index.js';
import type { ObjectRef } from '../ports/kubernetes.js';
import type { RdsInstance } from '../rds/port.js';

export type BaseIdentifierChoice =
  | { base: string; source: 'status' }
  /** Created by an earlier version (readable identifiers), proven ours by the uid in its ownership tags. */
  | { base: string; source: 'legacy' }
  | { base: string; source: 'derived' };

export interface BaseIdentifierInput {
  ref: ObjectRef;
  uid: string;
  /** status.baseIdentifier, when recorded. */
  recorded: string | undefined;
  /** The instance carrying the legacy identifier, when one was looked up and found. */
  legacyPrimary?: RdsInstance;
}

/** The legacy identifier to look up for an object whose status records none; undefined when there is nothing to
 * look up (it equals the derived one: earlier versions already hashed names they had to change). */
export function legacyIdentifierToCheck(ref: ObjectRef, recorded: string | undefined): string | undefined {
  if (recorded !== undefined) return undefined;
  const legacy = legacyRdsBaseIdentifier(ref.namespace, ref.name);
  return legacy !== rdsBaseIdentifier(ref.namespace, ref.name) ? legacy : undefined;
}

export function chooseBaseIdentifier(input: BaseIdentifierInput): BaseIdentifierChoice {
  if (input.recorded !== undefined) return { base: input.recorded, source: 'status' };
  const owner = { namespace: input.ref.namespace, name: input.ref.name, uid: input.uid };
  const legacy = input.legacyPrimary;
  // Only an instance tagged with this very object's uid: the legacy identifier is the ambiguous one, and the
  // instance found under it may belong to an object in another namespace.
  if (legacy !== undefined && ownershipOf(legacy.tags, owner) === 'owned') return { base: legacy.identifier, source: 'legacy' };
  return { base: rdsBaseIdentifier(input.ref.namespace, input.ref.name), source: 'derived' };
}
