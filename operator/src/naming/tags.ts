// Ownership tags: the only proof that an RDS resource belongs to a given ReplicaSetDB. Identifiers are
// derived from names, and names are reused; the uid is not, so it is what decides.
import { MANAGED_BY } from './kubernetes-names.js';

export const TAG_OWNER_NAMESPACE = 'db.servio.io/owner-namespace';
export const TAG_OWNER_NAME = 'db.servio.io/owner-name';
export const TAG_OWNER_UID = 'db.servio.io/owner-uid';
export const TAG_ROLE = 'db.servio.io/role';
export const TAG_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Set when the operator took an existing instance over: such an instance holds data the operator did not create,
 * so it is never deleted without a final snapshot. Not one of the tags every resource carries (the tag budget counts
 * those): only an adopted instance has it, and users cannot set it (the spec reserves the db.servio.io/ prefix). */
export const TAG_ADOPTED = 'db.servio.io/adopted';

export const RESERVED_TAG_KEYS: readonly string[] = [TAG_OWNER_NAMESPACE, TAG_OWNER_NAME, TAG_OWNER_UID, TAG_ROLE, TAG_MANAGED_BY];

export interface Owner {
  namespace: string;
  name: string;
  uid: string;
}

export type InstanceRole = 'primary' | 'replica';

export function ownershipTags(owner: Owner): Record<string, string> {
  return {
    [TAG_OWNER_NAMESPACE]: owner.namespace,
    [TAG_OWNER_NAME]: owner.name,
    [TAG_OWNER_UID]: owner.uid,
    [TAG_MANAGED_BY]: MANAGED_BY,
  };
}

/** The user's tags, then the operator's: a user tag with a reserved key is overridden, because letting the spec
 * rewrite ownership would let one object claim another's instances. */
export function resourceTags(owner: Owner, userTags: Readonly<Record<string, string>>, role?: InstanceRole): Record<string, string> {
  const tags: Record<string, string> = { ...userTags, ...ownershipTags(owner) };
  if (role !== undefined) tags[TAG_ROLE] = role;
  return tags;
}

/**
 * - `owned`: this object's uid.
 * - `previous-owner`: an earlier object of the same namespace/name (deleted with deletionPolicy Retain).
 * - `other-owner`: another live or past object whose identifiers collide with this one's.
 * - `unowned`: no ownership tags (created by hand or by another tool).
 */
export type Ownership = 'owned' | 'previous-owner' | 'other-owner' | 'unowned';

export function ownershipOf(tags: Readonly<Record<string, string>>, owner: Owner): Ownership {
  const uid = tags[TAG_OWNER_UID];
  const sameName = tags[TAG_OWNER_NAMESPACE] === owner.namespace && tags[TAG_OWNER_NAME] === owner.name;
  if (uid === undefined || uid === '') {
    // Any owner tag naming another object is a claim by that object, even when the uid tag is missing.
    const namesAnother = (tags[TAG_OWNER_NAMESPACE] ?? owner.namespace) !== owner.namespace || (tags[TAG_OWNER_NAME] ?? owner.name) !== owner.name;
    return namesAnother ? 'other-owner' : 'unowned';
  }
  if (uid === owner.uid) return sameName ? 'owned' : 'other-owner';
  return sameName ? 'previous-owner' : 'other-owner';
}

/** Whether an annotated object may take over a resource: never from another object, which may still be live. */
export function isAdoptable(ownership: Ownership): boolean {
  return ownership === 'unowned' || ownership === 'previous-owner';
}
