// Cleanup of custom objects for integration tests against the real API server. No vitest import here: the
// benchmarks (run by tsx, not by vitest) clean up through it too.
import * as k8s from '@kubernetes/client-node';

export interface CustomResource {
  group: string;
  version: string;
  plural: string;
}

/** Deletes every object of a custom resource in the namespace, clearing finalizers first since no controller runs
 * to honour them. There is no garbage collector or namespace controller in the test environment: tests delete what
 * they create. */
export async function deleteAllCustomObjects(kc: k8s.KubeConfig, resource: CustomResource, namespace: string): Promise<void> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const list = (await api.listNamespacedCustomObject({ ...resource, namespace })) as {
    items: Array<{ metadata: { name: string; finalizers?: string[] } }>;
  };
  for (const item of list.items) {
    const { name } = item.metadata;
    if (item.metadata.finalizers?.length) {
      await api.patchNamespacedCustomObject(
        { ...resource, namespace, name, body: [{ op: 'remove', path: '/metadata/finalizers' }] },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      );
    }
    await api.deleteNamespacedCustomObject({ ...resource, namespace, name }).catch(() => undefined);
  }
}

/** Deletes one custom object, best effort, when no controller runs any more to honour its finalizers: they are
 * emptied first, and a failure of either step (the object already gone) is ignored. */
export async function forceDeleteCustomObject(kc: k8s.KubeConfig, ref: CustomResource & { namespace: string; name: string }): Promise<void> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  await api
    .patchNamespacedCustomObject(
      { ...ref, body: [{ op: 'replace', path: '/metadata/finalizers', value: [] }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    )
    .catch(() => undefined);
  await api.deleteNamespacedCustomObject(ref).catch(() => undefined);
}
