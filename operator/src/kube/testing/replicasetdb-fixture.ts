// Valid ReplicaSetDB objects for integration tests against the real API server, and their cleanup. There is no
// garbage collector or namespace controller in the test environment: tests delete what they create.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { ensureCrdInstalled } from '@servio/controller-runtime';
import { deleteAllCustomObjects } from '../../../../controller-runtime/testing/custom-objects.js';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION, buildCrd } from '../../api/index.js';

export const replicaSetDBResource = { group: GROUP, version: VERSION, plural: PLURAL } as const;

export function aReplicaSetDB(name: string, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, ...metadata },
    spec: { engineVersion: '16', databaseName: 'app', primary: { instanceClass: 'db.t4g.micro' } },
  };
}

export async function installReplicaSetDBCrd(kc: KubeConfig): Promise<void> {
  await ensureCrdInstalled(kc, buildCrd());
}

export async function createReplicaSetDB(
  kc: KubeConfig,
  namespace: string,
  name: string,
  metadata: Record<string, unknown> = {},
): Promise<{ uid: string; resourceVersion: string }> {
  const created = (await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...replicaSetDBResource,
    namespace,
    body: aReplicaSetDB(name, metadata),
  })) as { metadata: { uid: string; resourceVersion: string } };
  return created.metadata;
}

/** Deletes every ReplicaSetDB of the namespace, clearing finalizers first since no operator will. */
export async function deleteAllReplicaSetDBs(kc: KubeConfig, namespace: string): Promise<void> {
  await deleteAllCustomObjects(kc, replicaSetDBResource, namespace);
}
