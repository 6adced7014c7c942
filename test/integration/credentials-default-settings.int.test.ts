// A password rotation at the operator's DEFAULT settings, against the real kube-apiserver and the RDS emulator. The
// operator does not watch Secrets (it may not list them), so a rotation alone waits for the object's next reconcile,
// up to the steady resync of 10 minutes; annotating the ReplicaSetDB after writing the Secret, as the operations
// guide says, reconciles it at once and sends the new password within seconds.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../operator/src/config/index.js';
import { replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { apiClients, operatorPerFile } from './support/operator-per-file.js';
import { FINGERPRINT_KEY, passwordFingerprint } from './support/password-fingerprint.js';
import { minimalReplicaSetDB, recordingClient, reconcileObjects, type AwsCall } from './support/reconcile-objects.js';
import { rdsClient, uniqueName } from '../env/helpers.js';

const { core, custom, mergePatch } = apiClients();
const defaults = configSchema.parse({ awsRegion: 'us-east-1' });
/** "Within seconds": a reconcile and its calls on a busy machine; below a transitioning resync, so only the
 * annotation can have brought the reconcile that sends it. */
const boundMs = 10_000;

const calls: AwsCall[] = [];
const namespace = uniqueName('rsdb-rotation-defaults');
operatorPerFile({
  namespace,
  operator: () => ({
    identity: 'rotation-defaults-int-test',
    rdsClient: recordingClient(calls),
    settings: { resyncSteady: defaults.resyncSteady, resyncTransitioning: defaults.resyncTransitioning },
  }),
});
const rds = rdsClient();
const { settled, createObject } = reconcileObjects(
  () => namespace,
  () => rds,
);

describe('a password rotation at the default settings', () => {
  it('runs with the production resync intervals', () => {
    expect(defaults.resyncSteady).toBe(600_000);
    expect(defaults.resyncTransitioning).toBe(15_000);
  });

  it('is sent to the primary within seconds once the ReplicaSetDB is annotated after the Secret is written', async () => {
    const name = 'rotated';
    await createObject(minimalReplicaSetDB(name, { masterUsername: 'servio', replicas: { count: 0 } }, { namespace }));
    await settled(name, (s) => s.phase === 'Ready');
    // A requeue the reconciles before Ready set (one transitioning resync) runs out first: from then on the next
    // reconcile of its own is the steady resync, 9 to 10 minutes away.
    await new Promise((resolve) => setTimeout(resolve, defaults.resyncTransitioning + 1_000));
    const rotated = 'Rotated-At-The-Defaults-2026';
    await core.patchNamespacedSecret({ namespace, name: `${name}-credentials`, body: { stringData: { password: rotated } } }, mergePatch);
    const annotatedAt = Date.now();
    await custom.patchNamespacedCustomObject(
      {
        ...replicaSetDBResource,
        namespace,
        name,
        body: { metadata: { annotations: { 'example.com/password-rotated-at': new Date(annotatedAt).toISOString() } } },
      },
      mergePatch,
    );
    const secret = await core.readNamespacedSecret({ namespace, name: `${name}-credentials` });
    const key = Buffer.from(secret.data?.[FINGERPRINT_KEY] ?? '', 'base64').toString('utf8');
    await settled(name, (s) => s.credentials?.appliedPasswordFingerprint === passwordFingerprint(rotated, key), boundMs);
    console.info(`password rotation at the defaults: sent and recorded ${Date.now() - annotatedAt} ms after the annotation`);
    const sent = calls.filter((c) => c.operation === 'ModifyDBInstance' && 'MasterUserPassword' in c.input);
    expect(sent.map((c) => c.input)).toEqual([
      { DBInstanceIdentifier: rdsBaseIdentifier(namespace, name), MasterUserPassword: rotated, ApplyImmediately: false },
    ]);
  });
});
