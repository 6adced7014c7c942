// The benchmarks' workload: many small ReplicaSetDBs in one namespace, deleted without a final snapshot.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { API_VERSION, KIND } from '../../operator/src/api/index.js';
import { replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';

export async function createFleet(api: CustomObjectsApi, namespace: string, count: number, replicas: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await api.createNamespacedCustomObject({
      ...replicaSetDBResource,
      namespace,
      body: {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name: `db-${i}` },
        spec: { engineVersion: '16', databaseName: 'app', primary: { instanceClass: 'db.t4g.micro' }, replicas: { count: replicas }, deletionPolicy: 'Delete' },
      },
    });
  }
}

/** How many of the namespace's ReplicaSetDBs are Ready. */
async function readyCount(api: CustomObjectsApi, namespace: string): Promise<number> {
  const list = (await api.listNamespacedCustomObject({ ...replicaSetDBResource, namespace })) as {
    items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
  };
  return list.items.filter((o) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

/** Returns once `count` ReplicaSetDBs of the namespace are Ready; throws after 15 minutes, naming `what` ran. */
export async function untilFleetReady(api: CustomObjectsApi, namespace: string, count: number, what: string): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  while ((await readyCount(api, namespace)) < count) {
    if (Date.now() > deadline) throw new Error(`${what}: not all ${count} ReplicaSetDBs Ready within 15 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
