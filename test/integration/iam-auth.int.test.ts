// spec.iamDatabaseAuthentication through the operator, against the real kube-apiserver and the RDS emulator: the
// instances are created with IAM database authentication on, and a spec change turns it off on every one of them.
import * as k8s from '@kubernetes/client-node';
import { DescribeDBInstancesCommand, ModifyDBInstanceCommand, type DBInstance } from '@aws-sdk/client-rds';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, KIND, type ReplicaSetDBStatus } from '../../operator/src/api/index.js';
import { deleteAllReplicaSetDBs, installReplicaSetDBCrd, replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { createNamespace, eventually, kubeConfig, rdsClient, uniqueName } from '../env/helpers.js';
import { startTestOperator } from './operator-harness.js';

const kc = kubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const rds = rdsClient();
const name = 'iam';
let namespace = '';
let operator: RunningOperator | undefined;

interface Stored {
  metadata: { generation: number };
  status?: ReplicaSetDBStatus;
}

function ready(): Promise<Stored> {
  return eventually(`${name} to be Ready at its generation`, async () => {
    const obj = (await custom.getNamespacedCustomObject({ ...replicaSetDBResource, namespace, name })) as Stored;
    if (obj.status?.observedGeneration === obj.metadata.generation && obj.status.phase === 'Ready' && obj.status.readyReplicas === 1) return obj;
    // Thrown, not returned, so that a time-out says where the object was stuck.
    throw new Error(`status ${JSON.stringify(obj.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message]))}`);
  });
}

async function iamAuthByInstance(): Promise<Record<string, boolean | undefined>> {
  const base = rdsBaseIdentifier(namespace, name);
  const all: DBInstance[] = (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
  return Object.fromEntries(
    all.filter((i) => i.DBInstanceIdentifier === base || i.DBInstanceIdentifier?.startsWith(`${base}-r`)).map((i) => [i.DBInstanceIdentifier, i.IAMDatabaseAuthenticationEnabled]),
  );
}

beforeAll(async () => {
  await installReplicaSetDBCrd(kc);
  namespace = await createNamespace(kc, uniqueName('rsdb-iam'));
  operator = startTestOperator(kc, pino({ level: 'silent' }), { namespace, identity: 'iam-int-test', rdsClient: rds });
});

afterAll(async () => {
  await operator?.stop();
  if (namespace !== '') await deleteAllReplicaSetDBs(kc, namespace);
});

describe('IAM database authentication', () => {
  it('is on for the primary and the replica created from a spec that asks for it', async () => {
    await custom.createNamespacedCustomObject({
      ...replicaSetDBResource,
      namespace,
      body: {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name, namespace },
        spec: { engineVersion: '16', databaseName: 'app', primary: { instanceClass: 'db.t4g.micro' }, iamDatabaseAuthentication: true, deletionPolicy: 'Delete' },
      },
    });
    await ready();
    const base = rdsBaseIdentifier(namespace, name);
    expect(await iamAuthByInstance()).toEqual({ [base]: true, [`${base}-r1`]: true });
  });

  it('is turned off on every instance after the spec changes', async () => {
    await custom.patchNamespacedCustomObject({ ...replicaSetDBResource, namespace, name, body: { spec: { iamDatabaseAuthentication: false } } }, mergePatch);
    await ready();
    const base = rdsBaseIdentifier(namespace, name);
    await eventually('every instance to report IAM authentication off', async () => {
      const found = await iamAuthByInstance();
      return Object.keys(found).length === 2 && Object.values(found).every((v) => v === false) ? found : undefined;
    });
    expect(await iamAuthByInstance()).toEqual({ [base]: false, [`${base}-r1`]: false });
  });

  it('is drift-corrected when turned on behind the operator', async () => {
    const base = rdsBaseIdentifier(namespace, name);
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: base, EnableIAMDatabaseAuthentication: true, ApplyImmediately: true }));
    expect((await iamAuthByInstance())[base]).toBe(true);
    await eventually('the operator to turn it back off', async () => ((await iamAuthByInstance())[base] === false ? true : undefined));
  });
});
