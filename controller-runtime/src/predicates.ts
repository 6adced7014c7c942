// Which updates of a reconciled object are worth a reconcile. The operator writes the status of every object it
// reconciles; without this filter each status write would come back as a watch event and trigger a reconcile of
// its own (controller-runtime's GenerationChangedPredicate exists for the same reason). The periodic resync still
// runs every object, so a change this filter ignores is never missed for long.
import type { KubernetesObject } from '@kubernetes/client-node';

export type UpdatePredicate = (previous: KubernetesObject, current: KubernetesObject) => boolean;

/** True when the spec changed (metadata.generation moves on spec changes only, for resources with a status
 * subresource) or when metadata a reconcile acts on changed: deletion, finalizers, labels, annotations. */
export const specOrMetadataChanged: UpdatePredicate = (previous, current) => {
  const before = previous.metadata ?? {};
  const after = current.metadata ?? {};
  if (before.generation === undefined || after.generation === undefined) return true;
  return (
    before.generation !== after.generation ||
    String(before.deletionTimestamp ?? '') !== String(after.deletionTimestamp ?? '') ||
    !sameList(before.finalizers, after.finalizers) ||
    !sameMap(before.labels, after.labels) ||
    !sameMap(before.annotations, after.annotations)
  );
};

function sameList(a: readonly string[] = [], b: readonly string[] = []): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameMap(a: Record<string, string> = {}, b: Record<string, string> = {}): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
