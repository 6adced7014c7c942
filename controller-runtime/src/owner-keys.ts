// Maps an owned object (a ConfigMap the operator publishes) to the key of the object that owns it, so that
// deleting or hand-editing the child reconciles its owner, as controller-runtime's `Owns()` does.
import type { KubernetesObject } from '@kubernetes/client-node';
import { objectKey, type ObjectKey } from './object-key.js';

export interface OwnerKind {
  /** API group of the owner, without version: a child keeps pointing at its owner across version upgrades. */
  group: string;
  kind: string;
}

/** Keys of the owners of `obj` of the given kind. Only the controller reference counts (the one owner that manages
 * the child), as with controller-runtime's OnlyControllerOwner. Owner references are namespace-local, so the owner
 * lives in the child's namespace. */
export function ownerKeys(obj: KubernetesObject, owner: OwnerKind): ObjectKey[] {
  const namespace = obj.metadata?.namespace;
  if (!namespace) return [];
  const keys = new Set<ObjectKey>();
  for (const ref of obj.metadata?.ownerReferences ?? []) {
    if (ref.controller !== true || ref.kind !== owner.kind || groupOf(ref.apiVersion) !== owner.group) continue;
    keys.add(objectKey({ namespace, name: ref.name }));
  }
  return [...keys];
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}
