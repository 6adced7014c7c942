// The drain's evidence gate against the real kube-apiserver and the emulator (RDS and CloudWatch), with the
// operator wired as in production (startOperator: one shared DatabaseConnections reading per 30 s): after
// routing.drainSeconds, a scale-down whose replica still has connections above the floor holds, visibly in status,
// until DatabaseConnections datapoints show it quiet; one whose connections never drop is deleted at
// routing.maxDrainSeconds. Which of the two released each deletion shows in status.replicas[] and in the Event.
import * as k8s from '@kubernetes/client-node';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { GROUP, PLURAL, VERSION, type ReplicaSetDBStatus } from '../../operator/src/api/index.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { putConnections } from './support/database-connections.js';
import { apiClients, operatorPerFile } from './support/operator-per-file.js';
import { minimalReplicaSetDB, reconcileObjects, type Stored } from './support/reconcile-objects.js';
import { eventually, rdsClient, uniqueName } from '../env/helpers.js';

const { kc, core } = apiClients();
const rds = rdsClient();

const namespace = uniqueName('rsdb-drain');
operatorPerFile({ namespace, operator: () => ({ identity: 'drain-int-test', rdsClient: rdsClient() }) });
const { getObject, patchSpec, createObject } = reconcileObjects(
  () => namespace,
  () => rds,
);

async function getStatus(name: string): Promise<Stored> {
  return (await getObject(name))!;
}

async function createDatabase(name: string, routing: Record<string, number>): Promise<void> {
  await createObject(minimalReplicaSetDB(name, { replicas: { count: 2 }, routing, deletionPolicy: 'Delete' }));
  await eventually(`${name} to be Ready with 2 replicas`, async () => {
    const s = (await getStatus(name)).status;
    return s?.phase === 'Ready' && s.readyReplicas === 2 ? true : undefined;
  });
}

async function rdsHas(identifier: string): Promise<boolean> {
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
    return (out.DBInstances ?? []).length > 0;
  } catch (err) {
    if ((err as { name?: string }).name === 'DBInstanceNotFoundFault') return false;
    throw err;
  }
}

/** Every status the API server stores for the object from now on (a deleted replica's last status is brief). */
async function statusHistory(name: string): Promise<{ statuses: ReplicaSetDBStatus[]; stop: () => void }> {
  const statuses: ReplicaSetDBStatus[] = [];
  const controller = await new k8s.Watch(kc).watch(
    `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`,
    { fieldSelector: `metadata.name=${name}` },
    (_type: string, obj: Stored) => {
      if (obj.status !== undefined) statuses.push(obj.status);
    },
    () => undefined,
  );
  return { statuses, stop: () => controller.abort() };
}

async function deletionEvent(name: string, identifier: string): Promise<k8s.CoreV1Event | undefined> {
  const events = await core.listNamespacedEvent({ namespace });
  return events.items.find((e) => e.involvedObject.name === name && e.reason === 'DeletingInstance' && (e.message ?? '').includes(identifier));
}

const progressingMessage = (s: ReplicaSetDBStatus | undefined) => s?.conditions?.find((c) => c.type === 'Progressing')?.message ?? '';

describe('the drain evidence gate', () => {
  it('holds a scale-down while the replica has connections above the floor, and deletes it once they stayed quiet', async () => {
    const name = 'held';
    await createDatabase(name, { drainSeconds: 2, maxDrainSeconds: 3600 });
    const r2 = `${rdsBaseIdentifier(namespace, name)}-r2`;
    await putConnections(r2, Date.now(), { minutesAgo: 3, value: 12 }, { minutesAgo: 2, value: 7 });
    const history = await statusHistory(name);
    try {
      await patchSpec(name, { replicas: { count: 1 } });
      // Well past drainSeconds, the replica is held, and the status says why and until when.
      const held = await eventually('the drain to hold on connections', async () => {
        const s = (await getStatus(name)).status;
        return progressingMessage(s).includes(`${r2} is draining (scale-down); it waits until DatabaseConnections stays at or below 0 for 120s`)
          ? s
          : undefined;
      });
      expect(progressingMessage(held)).toContain('connections: 7 at');
      const drainingSince = Date.parse(held!.replicas!.find((r) => r.identifier === r2)!.drainingSince!);
      await eventually('10 s past drainSeconds', async () => (Date.now() - drainingSince > 12_000 ? true : undefined));
      expect(await rdsHas(r2)).toBe(true);
      expect(await deletionEvent(name, r2)).toBeUndefined();

      // The clients leave: the two newest one-minute datapoints are at the floor.
      await putConnections(r2, Date.now(), { minutesAgo: 1, value: 0 }, { minutesAgo: 0, value: 0 });
      await eventually(`${r2} to be deleted`, async () => ((await rdsHas(r2)) ? undefined : true), 120_000);
      await eventually(`${name} to settle on one replica`, async () => ((await getStatus(name)).status?.replicas?.length === 1 ? true : undefined));
    } finally {
      history.stop();
    }
    const released = history.statuses.flatMap((s) => s.replicas ?? []).filter((r) => r.identifier === r2 && r.drainReleasedBy !== undefined);
    expect(released.map((r) => r.drainReleasedBy)).toContain('ConnectionsQuiet');
    expect(new Set(released.map((r) => r.drainReleasedBy))).toEqual(new Set(['ConnectionsQuiet']));
    const event = await deletionEvent(name, r2);
    expect(event?.message).toContain('drain released by ConnectionsQuiet');
  }, 300_000);

  it('deletes a replica whose connections never drop once maxDrainSeconds is reached', async () => {
    const name = 'capped';
    const maxDrainSeconds = 20;
    await createDatabase(name, { drainSeconds: 2, maxDrainSeconds });
    const r2 = `${rdsBaseIdentifier(namespace, name)}-r2`;
    await putConnections(r2, Date.now(), { minutesAgo: 1, value: 30 }, { minutesAgo: 0, value: 30 });
    const history = await statusHistory(name);
    let drainingSince = 0;
    let deletedBy = 0;
    try {
      await patchSpec(name, { replicas: { count: 1 } });
      const held = await eventually('the drain to hold on connections', async () => {
        const s = (await getStatus(name)).status;
        return progressingMessage(s).includes(`${r2} is draining (scale-down); it waits until DatabaseConnections`) ? s : undefined;
      });
      drainingSince = Date.parse(held!.replicas!.find((r) => r.identifier === r2)!.drainingSince!);
      await eventually(`${r2} to be deleted`, async () => ((await rdsHas(r2)) ? undefined : true), 120_000);
      deletedBy = Date.now();
      await eventually(`${name} to settle on one replica`, async () => ((await getStatus(name)).status?.replicas?.length === 1 ? true : undefined));
    } finally {
      history.stop();
    }
    expect(deletedBy - drainingSince).toBeGreaterThanOrEqual(maxDrainSeconds * 1000);
    const released = history.statuses.flatMap((s) => s.replicas ?? []).filter((r) => r.identifier === r2 && r.drainReleasedBy !== undefined);
    expect(new Set(released.map((r) => r.drainReleasedBy))).toEqual(new Set(['MaxDrainSeconds']));
    const event = await deletionEvent(name, r2);
    expect(event?.message).toContain('drain released by MaxDrainSeconds');
  }, 300_000);
});
