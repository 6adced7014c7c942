// A namespaced object is referred to by an ObjectRef everywhere: the reconciler is handed one, and the
// operator's ports take one. Inside the runtime the same reference travels as its key, `namespace/name` (as
// controller-runtime's Request and client-go's MetaNamespaceKeyFunc spell it), because the cache and the work
// queue index by string. Kubernetes names never contain a slash, so the key splits back unambiguously.

export interface ObjectRef {
  namespace: string;
  name: string;
}

/** The string form of an {@link ObjectRef}: the cache and work-queue index, and the `key` on log lines. */
export type ObjectKey = string;

export function objectKey(ref: ObjectRef): ObjectKey {
  return `${ref.namespace}/${ref.name}`;
}

export function parseObjectKey(key: ObjectKey): ObjectRef {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1 || key.indexOf('/', slash + 1) !== -1) {
    throw new Error(`invalid object key ${JSON.stringify(key)}: expected namespace/name`);
  }
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The key of a namespaced object as the API server returns it, or undefined when it lacks a name or namespace. */
export function keyOfObject(obj: { metadata?: { namespace?: string; name?: string } }): ObjectKey | undefined {
  const namespace = obj.metadata?.namespace;
  const name = obj.metadata?.name;
  return namespace && name ? objectKey({ namespace, name }) : undefined;
}
