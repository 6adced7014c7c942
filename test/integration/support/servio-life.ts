// Steps of the Servio ReplicaSetDB's life that the reconcile tests go through both against the instant emulator and
// through the realistic RDS layer: the same spec change, the same end state.
import * as k8s from '@kubernetes/client-node';
import { DescribeDBParameterGroupsCommand, DescribeDBSnapshotsCommand, type DBInstance, type RDSClient } from '@aws-sdk/client-rds';
import { expect } from 'vitest';
import { replicaSetDBResource } from '../../../operator/src/kube/testing/replicasetdb-fixture.js';
import { eventually, kubeConfig } from '../../env/helpers.js';
import { tagsOf, type AwsCall, type reconcileObjects } from './reconcile-objects.js';

export interface ServioLife {
  namespace: string;
  name: string;
  /** The object's RDS base identifier, known once it was created. */
  base: () => string;
  calls: readonly AwsCall[];
  objects: ReturnType<typeof reconcileObjects>;
  rds: () => RDSClient;
  /** How long the object may take to be deleted. */
  goneTimeoutMs: number;
}

/** examples/servio.yaml applied and Ready with its two replicas: the object, and the instances RDS holds for it. */
export async function createServio({ name, base: baseOf, objects: { createObject, servioExample, settled, instances } }: ServioLife) {
  const base = baseOf();
  await createObject(await servioExample(name));
  const obj = await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 2);
  const found = await instances(base);
  expect([...found.keys()].sort()).toEqual([base, `${base}-r1`, `${base}-r2`]);
  return { obj, found };
}

/** The two replicas of examples/servio.yaml as RDS holds them: read replicas of the primary, of the replica class,
 * single-AZ, available, and tagged as the object's replicas. */
export function expectServioReplicas(found: ReadonlyMap<string, DBInstance>, base: string, ownerUid: string): void {
  for (const index of [1, 2]) {
    const replica = found.get(`${base}-r${index}`)!;
    expect(replica).toMatchObject({
      ReadReplicaSourceDBInstanceIdentifier: base,
      DBInstanceClass: 'db.r6g.large',
      MultiAZ: false,
      DBInstanceStatus: 'available',
    });
    expect(tagsOf(replica)).toMatchObject({ 'db.servio.io/owner-uid': ownerUid, 'db.servio.io/role': 'replica' });
  }
}

export async function resizeReplicasBeforePrimary({ name, base: baseOf, calls, objects: { patchSpec, settled, instances } }: ServioLife): Promise<void> {
  const base = baseOf();
  const from = calls.length;
  await patchSpec(name, { applyImmediately: true, primary: { instanceClass: 'db.r6g.2xlarge' }, replicas: { instanceClass: 'db.r6g.xlarge' } });
  await settled(name);
  const found = await instances(base);
  expect(found.get(base)?.DBInstanceClass).toBe('db.r6g.2xlarge');
  expect(found.get(`${base}-r1`)?.DBInstanceClass).toBe('db.r6g.xlarge');
  const modified = calls
    .slice(from)
    .filter((c) => c.operation === 'ModifyDBInstance' && 'DBInstanceClass' in c.input)
    .map((c) => c.input.DBInstanceIdentifier);
  expect(modified).toEqual([`${base}-r1`, base]);
}

/** Deletion is refused while deletionProtection is on (a primary and one replica left), then done with a final snapshot
 * and the parameter group removed. */
export async function deleteWithFinalSnapshot({
  namespace,
  name,
  base: baseOf,
  objects: { getObject, settled, patchSpec, instances },
  rds,
  goneTimeoutMs,
}: ServioLife): Promise<void> {
  const base = baseOf();
  const uid = (await getObject(name))!.metadata.uid;
  await kubeConfig()
    .makeApiClient(k8s.CustomObjectsApi)
    .deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name });
  const blocked = await settled(name, (s) => s.phase === 'Deleting' && s.conditions?.some((c) => c.reason === 'DeletionProtected') === true);
  expect(blocked.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain('set spec.deletionProtection to false');
  expect((await instances(base)).size).toBe(2);

  await patchSpec(name, { deletionProtection: false });
  await eventually('the object to be gone', async () => ((await getObject(name)) === undefined ? true : undefined), goneTimeoutMs);
  expect((await instances(base)).size).toBe(0);
  const snapshotId = `${base}-final-${uid.replace(/-/g, '').slice(0, 12)}`;
  const snapshots = await rds().send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
  expect(snapshots.DBSnapshots?.[0]).toMatchObject({ DBSnapshotIdentifier: snapshotId, DBInstanceIdentifier: base, SnapshotType: 'manual' });
  expect(tagsOf(snapshots.DBSnapshots?.[0] as DBInstance)).toMatchObject({ 'db.servio.io/owner-uid': uid });
  const groups = await rds().send(new DescribeDBParameterGroupsCommand({}));
  expect(groups.DBParameterGroups?.map((g) => g.DBParameterGroupName)).not.toContain(`${base}-postgres15`);
}
