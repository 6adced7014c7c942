// JSON patches that add or remove one finalizer, as kube-rs' finalizer helper builds them: each starts with a
// `test` of the finalizer list the caller read, so if anyone changed the list since (another controller adding
// its own finalizer, a person removing ours), the API server rejects the whole patch (422) instead of
// silently dropping their change. The reconcile then retries from a fresh read.

export type JsonPatchOperation = { op: 'test' | 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

const FINALIZERS = '/metadata/finalizers';

/** Undefined when the finalizer is already present. */
export function addFinalizerPatch(current: readonly string[], finalizer: string): JsonPatchOperation[] | undefined {
  if (current.includes(finalizer)) return undefined;
  if (current.length === 0) {
    // An empty list is not stored at all, and a JSON patch cannot append to a missing array. A `test` for null
    // passes on a missing member, so this still fails if someone created the list in the meantime.
    return [
      { op: 'test', path: FINALIZERS, value: null },
      { op: 'add', path: FINALIZERS, value: [finalizer] },
    ];
  }
  return [
    { op: 'test', path: FINALIZERS, value: [...current] },
    { op: 'add', path: `${FINALIZERS}/-`, value: finalizer },
  ];
}

/** Undefined when the finalizer is absent. */
export function removeFinalizerPatch(current: readonly string[], finalizer: string): JsonPatchOperation[] | undefined {
  if (!current.includes(finalizer)) return undefined;
  const remaining = current.filter((f) => f !== finalizer);
  return [
    { op: 'test', path: FINALIZERS, value: [...current] },
    remaining.length === 0 ? { op: 'remove', path: FINALIZERS } : { op: 'replace', path: FINALIZERS, value: remaining },
  ];
}
