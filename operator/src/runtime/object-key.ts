// The identity of a queued reconcile: `namespace/name`, as controller-runtime's Request and client-go's
// MetaNamespaceKeyFunc spell it. Kubernetes names never contain a slash, so the key splits back unambiguously.

export interface NamespacedName {
  namespace: string;
  name: string;
}

export type ObjectKey = string;

export function objectKey(ref: NamespacedName): ObjectKey {
  return `${ref.namespace}/${ref.name}`;
}

export function parseObjectKey(key: ObjectKey): NamespacedName {
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
