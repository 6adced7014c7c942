// A rename of spec.endpoints.configMapName against the real kube-apiserver and the emulator: the topology moves to
// the new ConfigMap, and the one the old name holds keeps the primary only, so pods that still mount it send every
// query to the primary instead of to a replica that a later scale-down deletes.
import type * as k8s from '@kubernetes/client-node';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { apiClients, operatorPerFile } from './support/operator-per-file.js';
import { topologyOf } from './support/published-topology.js';
import { minimalReplicaSetDB, reconcileObjects } from './support/reconcile-objects.js';
import { eventually, rdsClient, uniqueName } from '../env/helpers.js';

const { core, custom, mergePatch } = apiClients();
const namespace = uniqueName('rsdb-rename');
const rds = rdsClient();
operatorPerFile({ namespace, operator: () => ({ identity: 'configmap-rename-int-test', rdsClient: rds }) });
const { settled, createObject } = reconcileObjects(
  () => namespace,
  () => rds,
);

async function configMap(name: string): Promise<k8s.V1ConfigMap | undefined> {
  try {
    return await core.readNamespacedConfigMap({ namespace, name });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

const patchSpec = (name: string, spec: Record<string, unknown>) =>
  custom.patchNamespacedCustomObject({ ...replicaSetDBResource, namespace, name, body: { spec } }, mergePatch);

describe('a rename of spec.endpoints.configMapName', () => {
  const name = 'renamed';
  const oldName = `${name}-endpoints`;
  const newName = `${name}-topology`;

  it('publishes to the new name and leaves the primary only under the old one, also after the replica is deleted', async () => {
    const routing = { drainSeconds: 1, maxDrainSeconds: 1 };
    await createObject(minimalReplicaSetDB(name, { replicas: { count: 1 }, routing }, { namespace }));
    await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 1);
    const before = topologyOf(await configMap(oldName))!;
    expect(before.replicas.map((r) => r.state)).toEqual(['active']);
    const replica = before.replicas[0]!.id;

    await patchSpec(name, { endpoints: { configMapName: newName } });
    await settled(name, (s) => s.endpoints?.configMapName === newName && s.phase === 'Ready');
    const moved = topologyOf(await configMap(newName))!;
    expect(moved.replicas.map((r) => [r.id, r.state])).toEqual([[replica, 'active']]);
    const withdrawn = await configMap(oldName);
    expect(topologyOf(withdrawn)!.replicas).toEqual([]);
    expect(topologyOf(withdrawn)!.primary).toEqual(moved.primary);
    expect(Object.keys(withdrawn!.data ?? {}).filter((k) => /^DB_REPLICA_\d+_HOST$/.test(k))).toEqual([]);
    expect(withdrawn!.data?.DB_REPLICA_COUNT).toBe('0');
    const events = (await core.listNamespacedEvent({ namespace })).items.filter((e) => e.reason === 'TopologyWithdrawn');
    expect(events.map((e) => e.message)).toEqual([expect.stringContaining(`pods that still mount ${oldName} send every query to the primary`)]);

    await patchSpec(name, { replicas: { count: 0 } });
    await eventually(
      `${replica} to be deleted`,
      async () => {
        const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: replica })).catch(() => undefined);
        return out === undefined || out.DBInstances?.[0]?.DBInstanceStatus === 'deleting' ? true : undefined;
      },
      60_000,
    );
    await settled(name, (s) => s.phase === 'Ready' && (s.replicas ?? []).length === 0);
    expect(topologyOf(await configMap(newName))!.replicas).toEqual([]);
    expect(topologyOf(await configMap(oldName))).toEqual(topologyOf(withdrawn));
  });
});
