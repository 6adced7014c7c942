// The reconcile scenarios of reconcile.int.test.ts that depend most on RDS taking time, through the realistic RDS
// layer instead of the instant emulator: creating, modifying and deleting take seconds, and a replica can only be
// created once its source is available. The end states asserted are those of the instant versions: create -> Ready
// with a primary and two replicas as the spec says, scale 2 -> 1, resize replicas before the primary, delete with a
// final snapshot.
import { RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { createSubnetGroup } from '../../operator/src/rds/testing/emulator.js';
import { RealisticRds } from '../env/rds-world/proxy.js';
import { awsClientConfig, eventually, testEnv, uniqueName } from '../env/helpers.js';
import { operatorPerFile } from './support/operator-per-file.js';
import { createServio, deleteWithFinalSnapshot, expectServioReplicas, resizeReplicasBeforePrimary, type ServioLife } from './support/servio-life.js';
import { recordingClient, reconcileObjects, tagsOf, type AwsCall } from './support/reconcile-objects.js';

const DURATIONS = { creatingMs: 4_000, backingUpMs: 1_000, modifyingMs: 3_000, deletingMs: 3_000, snapshotCreatingMs: 2_000 };
/** Transitions of seconds, one after the other (a replica waits for its source): more than the instant minute. */
const SETTLE_TIMEOUT_MS = 120_000;

const namespace = uniqueName('rsdb-reconcile-slow');
let world: RealisticRds | undefined;
const calls: AwsCall[] = [];
/** Reads through the layer too, so the test sees the states the operator sees. */
let rds: RDSClient | undefined;
const objects = reconcileObjects(
  () => namespace,
  () => rds!,
  SETTLE_TIMEOUT_MS,
);
const { settled, patchSpec, instances } = objects;

operatorPerFile({
  namespace,
  beforeStart: async () => {
    world = await RealisticRds.start(testEnv().aws.endpoint);
    await world.reset({ durations: DURATIONS });
    rds = new RDSClient({ ...awsClientConfig(), endpoint: world.endpoint });
    await createSubnetGroup(rds, testEnv().aws, 'servio-subnet-group');
  },
  operator: () => ({ identity: 'reconcile-slow-int-test', rdsClient: recordingClient(calls, { endpoint: world!.endpoint }) }),
  afterCleanup: async () => {
    await world?.close();
  },
});

describe('a Servio ReplicaSetDB through its life, with RDS transitions of seconds', () => {
  const name = 'servio';
  let base = '';
  const life: ServioLife = { namespace, name, base: () => base, calls, objects, rds: () => rds!, goneTimeoutMs: SETTLE_TIMEOUT_MS };

  it('becomes Ready with a primary and two replicas as the spec says, tagged with their owner', async () => {
    base = rdsBaseIdentifier(namespace, name);
    const { obj, found } = await createServio(life);
    expect(found.get(base)).toMatchObject({
      DBInstanceStatus: 'available',
      DBInstanceClass: 'db.r6g.xlarge',
      MultiAZ: true,
      DeletionProtection: true,
      DBParameterGroups: [expect.objectContaining({ DBParameterGroupName: `${base}-postgres15` })],
    });
    expect(tagsOf(found.get(base))).toMatchObject({ 'db.servio.io/owner-uid': obj.metadata.uid, 'db.servio.io/role': 'primary' });
    expectServioReplicas(found, base, obj.metadata.uid);
    expect(obj.status).toMatchObject({
      readyReplicas: 2,
      primary: { identifier: base, rdsStatus: 'available', endpoint: { port: 5432 } },
      endpoints: { secretName: 'servio-db-credentials' },
    });
    expect(obj.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Available' });
    // The operator's calls went through the layer, not straight to the emulator.
    expect(world!.journal.filter((e) => e.operation === 'CreateDBInstanceReadReplica' && e.executed && e.process === undefined)).toHaveLength(2);
  });

  it('scales 2 -> 1', async () => {
    const from = calls.length;
    await patchSpec(name, { replicas: { count: 1 } });
    const obj = await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 1 && s.replicas?.length === 1);
    await eventually('r2 to be gone from RDS', async () => ((await instances(base)).has(`${base}-r2`) ? undefined : true), SETTLE_TIMEOUT_MS);
    expect([...(await instances(base)).keys()].sort()).toEqual([base, `${base}-r1`]);
    const deleted = calls
      .slice(from)
      .filter((c) => c.operation === 'DeleteDBInstance')
      .map((c) => c.input.DBInstanceIdentifier);
    expect(deleted).toEqual([`${base}-r2`]);
    expect(obj.status?.replicas?.map((r) => r.identifier)).toEqual([`${base}-r1`]);
  });

  it('resizes the class, replicas before the primary', () => resizeReplicasBeforePrimary(life));

  it('refuses to delete while deletionProtection is on, then deletes with a final snapshot', () => deleteWithFinalSnapshot(life));
});
