// A replica promoted outside the operator, then the ReplicaSetDB deleted, with the operator at its DEFAULT steady
// resync against the real kube-apiserver and the emulator. At that resync the operator answers steady describes
// from an inventory kept 8 minutes, so the observation that plans the deletion still shows the replica replicating;
// the promoted instance may hold writes of its own and must still be deleted only with a final snapshot.
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { configSchema } from '../../operator/src/config/index.js';
import { finalSnapshotIdentifier, rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { apiClients, operatorPerFile } from './support/operator-per-file.js';
import { promoteByHand } from './support/promote-by-hand.js';
import { minimalReplicaSetDB, recordingClient, reconcileObjects, type AwsCall } from './support/reconcile-objects.js';
import { eventually, rdsClient, uniqueName } from '../env/helpers.js';

/** The production defaults, from the configuration schema itself. */
const defaults = configSchema.parse({ awsRegion: 'us-east-1' });

const { custom } = apiClients();
const rds = rdsClient();
const namespace = uniqueName('rsdb-promoted-defaults');
const calls: AwsCall[] = [];
const operators = operatorPerFile({
  namespace,
  operator: () => ({
    identity: 'promoted-defaults-int-test',
    rdsClient: recordingClient(calls),
    settings: { resyncSteady: defaults.resyncSteady, resyncTransitioning: defaults.resyncTransitioning },
  }),
});
const { createObject, settled, getObject, instances } = reconcileObjects(
  () => namespace,
  () => rds,
);

describe('a replica promoted outside the operator, at the default steady resync', () => {
  it('runs with the production resyncs', () => {
    expect(defaults.resyncSteady).toBe(600_000);
    expect(defaults.resyncTransitioning).toBe(15_000);
  });

  it('is deleted with a final snapshot of its own when the ReplicaSetDB is deleted minutes after the promotion', async () => {
    const name = 'promoted';
    await createObject(minimalReplicaSetDB(name, { replicas: { count: 1 } }));
    const ready = await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 1, 180_000);
    const base = rdsBaseIdentifier(namespace, name);
    const replicaId = `${base}-r1`;

    // A restarted operator takes one inventory of the steady instances at its first reconcile and answers steady
    // describes from it for 8 minutes.
    await operators.stopAll();
    const restartedAt = calls.length;
    operators.start();
    await eventually('the restarted operator to read the instances', async () =>
      calls.slice(restartedAt).some((c) => c.operation === 'DescribeDBInstances') ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    // The replica is promoted behind the operator's back.
    await promoteByHand(rds, replicaId, () => instances(base));
    const deletedFrom = calls.length;
    await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name });
    await eventually(`${name} to be gone`, async () => ((await getObject(name)) === undefined ? true : undefined), 180_000, 500);

    const snapshotId = finalSnapshotIdentifier(replicaId, ready.metadata.uid);
    const deletesOfIt = calls.slice(deletedFrom).filter((c) => c.operation === 'DeleteDBInstance' && c.input.DBInstanceIdentifier === replicaId);
    expect(deletesOfIt.map((c) => c.input)).toEqual([expect.objectContaining({ SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: snapshotId })]);
    const snapshots = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
    expect(snapshots.DBSnapshots?.[0]?.DBInstanceIdentifier).toBe(replicaId);
  }, 420_000);
});
