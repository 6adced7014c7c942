// spec.iamDatabaseAuthentication through the operator, against the real kube-apiserver and the RDS emulator: the
// instances are created with IAM database authentication on, and a spec change turns it off on every one of them.
import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { eventually, rdsClient, uniqueName } from '../env/helpers.js';
import { operatorPerFile } from './support/operator-per-file.js';
import { minimalReplicaSetDB, reconcileObjects, type Stored } from './support/reconcile-objects.js';

const rds = rdsClient();
const name = 'iam';
const namespace = uniqueName('rsdb-iam');
operatorPerFile({ namespace, operator: () => ({ identity: 'iam-int-test', rdsClient: rds }) });
const { getObject, patchSpec, createObject, instances } = reconcileObjects(
  () => namespace,
  () => rds,
);

function ready(): Promise<Stored> {
  return eventually(`${name} to be Ready at its generation`, async () => {
    const obj = (await getObject(name))!;
    if (obj.status?.observedGeneration === obj.metadata.generation && obj.status.phase === 'Ready' && obj.status.readyReplicas === 1) return obj;
    // Thrown, not returned, so that a time-out says where the object was stuck.
    throw new Error(`status ${JSON.stringify(obj.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message]))}`);
  });
}

async function iamAuthByInstance(): Promise<Record<string, boolean | undefined>> {
  const base = rdsBaseIdentifier(namespace, name);
  return Object.fromEntries([...(await instances(base))].map(([id, i]) => [id, i.IAMDatabaseAuthenticationEnabled]));
}

describe('IAM database authentication', () => {
  it('is on for the primary and the replica created from a spec that asks for it', async () => {
    await createObject(minimalReplicaSetDB(name, { iamDatabaseAuthentication: true, deletionPolicy: 'Delete' }, { namespace }));
    await ready();
    const base = rdsBaseIdentifier(namespace, name);
    expect(await iamAuthByInstance()).toEqual({ [base]: true, [`${base}-r1`]: true });
  });

  it('is turned off on every instance after the spec changes', async () => {
    await patchSpec(name, { iamDatabaseAuthentication: false });
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
