// The error policy against the real kube-apiserver and the RDS emulator: a change RDS rejects is held while the
// rest of the same spec change (a scale-down) goes on, and a held deletion a person then makes by hand releases
// the hold; backups turned off in the same change that removes the replicas converge without a rejection; a
// missing DB subnet group is reported as AwsActionRequired and retried once it exists.
//
// moto accepts BackupRetentionPeriod 0 on an instance with read replicas, which AWS refuses. The client the
// operator uses here enforces that one AWS rule in front of moto (it asks moto whether the instance still has
// replicas, and answers InvalidParameterCombination as AWS would); every call still goes to moto. moto cannot
// produce KMSKeyNotAccessibleFault, nor the storage cooldown, either: a test injects the error for one instance's
// calls, the rest runs against moto.
import { CreateDBInstanceReadReplicaCommand, DeleteDBInstanceCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { type ReplicaSetDBStatus } from '../../operator/src/api/index.js';
import { replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { createSubnetGroup } from '../../operator/src/rds/testing/emulator.js';
import { awsClientConfig, eventually, rdsClient, testEnv, uniqueName } from '../env/helpers.js';
import { apiClients, operatorPerFile } from './support/operator-per-file.js';
import { interceptCommands, minimalReplicaSetDB, reconcileObjects } from './support/reconcile-objects.js';

const { custom, core } = apiClients();
const rds = rdsClient();

interface AwsCall {
  operation: string;
  input: Record<string, unknown>;
  rejected?: string;
}

/** RDS refuses to turn automated backups off while an instance has read replicas; moto does not. */
async function refusedAsAwsWould(operation: string, input: Record<string, unknown>): Promise<string | undefined> {
  if (operation !== 'ModifyDBInstance' || input.BackupRetentionPeriod !== 0) return undefined;
  const found = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: input.DBInstanceIdentifier as string }));
  const replicas = found.DBInstances?.[0]?.ReadReplicaDBInstanceIdentifiers ?? [];
  return replicas.length > 0 ? 'InvalidParameterCombination' : undefined;
}

/** Injected errors, by operation and DBInstanceIdentifier: each answers every such call instead of moto until the test
 * deletes it (a person fixing the cause outside the spec, or RDS's cooldown ending). */
const injected = new Map<string, { code: string; message: string }>();

function awsRejection(code: string, message = 'Automated backups cannot be disabled for a DB instance with read replicas'): Error {
  return Object.assign(new Error(`${code}: ${message}`), {
    name: code,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

function recordingClient(calls: AwsCall[]): RDSClient {
  return interceptCommands(new RDSClient({ ...awsClientConfig(), maxAttempts: 2 }), async (operation, input, send) => {
    const key = `${operation} ${String(input.DBInstanceIdentifier)}`;
    const injection = injected.get(key);
    if (injection !== undefined) {
      calls.push({ operation, input, rejected: injection.code });
      throw awsRejection(injection.code, injection.message);
    }
    const rejected = await refusedAsAwsWould(operation, input);
    calls.push({ operation, input, ...(rejected !== undefined ? { rejected } : {}) });
    if (rejected !== undefined) throw awsRejection(rejected);
    return send();
  });
}

const namespace = uniqueName('rsdb-errors');
const calls: AwsCall[] = [];

// The same reads and writes of the object as the reconcile tests.
const { getObject, settled, patchSpec, instances, createObject } = reconcileObjects(
  () => namespace,
  () => rds,
);

function minimal(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return minimalReplicaSetDB(name, { routing: { drainSeconds: 2, maxDrainSeconds: 2 }, ...spec }, { namespace });
}

async function warningReasons(name: string): Promise<string[]> {
  const events = await core.listNamespacedEvent({ namespace });
  return events.items.filter((e) => e.involvedObject.name === name && e.type === 'Warning').map((e) => e.reason ?? '');
}

const ready = (replicas: number) => (s: ReplicaSetDBStatus) => s.phase === 'Ready' && s.readyReplicas === replicas && s.replicas?.length === replicas;

/** A minimal object with `spec`, Ready with its replicas; its RDS base identifier. */
async function createdReady(name: string, spec: { replicas: { count: number } } & Record<string, unknown>): Promise<string> {
  await createObject(minimal(name, spec));
  await settled(name, ready(spec.replicas.count));
  return rdsBaseIdentifier(namespace, name);
}

operatorPerFile({
  namespace,
  // Retries after an error fixed outside the spec come quickly here; the 5-minute default is shown by the unit
  // tests of the error policy and of the reconciler.
  operator: () => ({ identity: 'error-policy-int-test', rdsClient: recordingClient(calls), settings: { awsActionRetry: 1_000 } }),
});

describe('a change RDS rejects, in the same spec change as a scale-down', () => {
  it('holds only the rejected change: the surplus replica is still retired; a new spec releases the hold', async () => {
    const name = 'held';
    const base = await createdReady(name, { replicas: { count: 2 }, backup: { window: '02:00-03:00' }, maintenanceWindow: 'Mon:04:00-Mon:05:00' });

    // A maintenance window that touches the backup window passes admission; RDS (here the emulator) rejects it
    // with InvalidParameterValue.
    const from = calls.length;
    await patchSpec(name, { replicas: { count: 1 }, maintenanceWindow: 'Mon:03:00-Mon:04:00' });
    const held = await settled(name, (s) => s.heldChanges !== undefined && s.replicas?.length === 1, 120_000);
    expect([...(await instances(base)).keys()].sort()).toEqual([base, `${base}-r1`]);
    expect(
      calls
        .slice(from)
        .filter((c) => c.operation === 'DeleteDBInstance')
        .map((c) => c.input.DBInstanceIdentifier),
    ).toEqual([`${base}-r2`]);
    expect(held.status?.heldChanges?.[0]).toMatchObject({
      operation: 'ModifyDBInstance',
      fields: ['maintenanceWindow'],
      code: 'InvalidParameterValue',
      generation: held.metadata.generation,
    });
    expect(held.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'AwsRejected' });
    expect(await warningReasons(name)).toContain('AwsRequestRejected');

    // Held: not sent again over further reconciles of the same generation.
    const heldSubjects = new Set(held.status!.heldChanges!.map((h) => h.subject));
    const attempts = () =>
      calls.filter(
        (c) => c.operation === 'ModifyDBInstance' && 'PreferredMaintenanceWindow' in c.input && heldSubjects.has(c.input.DBInstanceIdentifier as string),
      ).length;
    const before = attempts();
    const describesBefore = calls.filter((c) => c.operation === 'DescribeDBInstances').length;
    await eventually('three more reconciles', async () =>
      calls.filter((c) => c.operation === 'DescribeDBInstances').length >= describesBefore + 3 ? true : undefined,
    );
    expect(attempts()).toBe(before);

    await patchSpec(name, { maintenanceWindow: 'Mon:05:00-Mon:06:00' });
    const released = await settled(name, ready(1), 120_000);
    expect(released.status?.heldChanges).toBeUndefined();
    expect((await instances(base)).get(base)?.PreferredMaintenanceWindow).toBe('mon:05:00-mon:06:00');
  }, 300_000);
});

describe('a held replica deletion a person then makes by hand', () => {
  it('releases the hold once the replica is gone: Ready again at the same generation, with no spec change', async () => {
    const name = 'heldretire';
    const base = await createdReady(name, { replicas: { count: 2 } });
    const surplus = `${base}-r2`;
    injected.set(`DeleteDBInstance ${surplus}`, {
      code: 'InvalidParameterCombination',
      message: 'Cannot delete protected DB Instance, please disable deletion protection and try again.',
    });
    await patchSpec(name, { replicas: { count: 1 } });
    const held = await settled(name, (s) => s.heldChanges?.some((h) => h.subject === surplus && h.operation === 'DeleteDBInstance') === true, 120_000);
    expect(held.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'AwsRejected' });
    injected.delete(`DeleteDBInstance ${surplus}`);

    // The person deletes it outside the operator (here straight in moto, past the operator's client).
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: surplus, SkipFinalSnapshot: true }));
    const released = await settled(name, (s) => ready(1)(s) && s.heldChanges === undefined, 120_000);
    expect(released.metadata.generation).toBe(held.metadata.generation);
    expect(released.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect([...(await instances(base)).keys()].sort()).toEqual([base, `${base}-r1`]);
    // The operator sent the refused deletion once, for that generation, and never again.
    expect(calls.filter((c) => c.operation === 'DeleteDBInstance' && c.input.DBInstanceIdentifier === surplus)).toHaveLength(1);
  }, 300_000);
});

describe('backups turned off in the same change that removes the replicas', () => {
  it('retires the replicas first, then sets retention 0, without a rejection', async () => {
    const name = 'nobackups';
    const base = await createdReady(name, { replicas: { count: 1 } });

    const from = calls.length;
    await patchSpec(name, { replicas: { count: 0 }, backup: { retentionDays: 0 } });
    await settled(name, (s) => ready(0)(s) && s.pendingChanges === undefined, 120_000);
    const found = await instances(base);
    expect([...found.keys()]).toEqual([base]);
    expect(found.get(base)?.BackupRetentionPeriod).toBe(0);

    const window = calls.slice(from);
    expect(window.filter((c) => c.rejected !== undefined)).toEqual([]);
    const deleted = window.findIndex((c) => c.operation === 'DeleteDBInstance' && c.input.DBInstanceIdentifier === `${base}-r1`);
    const backupsOff = window.findIndex((c) => c.operation === 'ModifyDBInstance' && c.input.BackupRetentionPeriod === 0);
    expect(deleted).toBeGreaterThanOrEqual(0);
    expect(backupsOff).toBeGreaterThan(deleted);
    expect(await warningReasons(name)).not.toContain('AwsRequestRejected');
  }, 300_000);
});

describe('an AWS error a person fixes outside the spec', () => {
  it('reports a missing DB subnet group as AwsActionRequired, naming it and the region, and creates the primary once it exists', async () => {
    const name = 'nosubnets';
    const group = uniqueName('missing-subnets');
    await createObject(minimal(name, { replicas: { count: 0 }, network: { subnetGroupName: group } }));
    const waiting = await settled(name, (s) => s.conditions?.some((c) => c.type === 'Ready' && c.reason === 'AwsActionRequired') === true);
    const message = waiting.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
    expect(message).toContain(`create DB subnet group ${group} in region ${testEnv().aws.region}`);
    expect(waiting.status?.heldChanges).toBeUndefined();
    expect(await warningReasons(name)).toContain('AwsActionRequired');

    await createSubnetGroup(rds, testEnv().aws, group);
    await settled(name, ready(0), 120_000);
    const primary = (await instances(rdsBaseIdentifier(namespace, name))).get(rdsBaseIdentifier(namespace, name));
    expect(primary?.DBSubnetGroup?.DBSubnetGroupName).toBe(group);
  }, 300_000);
});

describe('a KMS key the operator cannot use (injected in front of moto, which does not emulate it)', () => {
  it('reports AwsActionRequired naming the grant, retries, and creates the primary in moto', async () => {
    const name = 'kms';
    const base = rdsBaseIdentifier(namespace, name);
    injected.set(`CreateDBInstance ${base}`, { code: 'KMSKeyNotAccessibleFault', message: 'The specified KMS key does not exist or is not accessible' });
    await createObject(minimal(name, { replicas: { count: 0 } }));
    const waiting = await settled(name, (s) => s.conditions?.some((c) => c.type === 'Ready' && c.reason === 'AwsActionRequired') === true);
    const message = waiting.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
    expect(message).toContain('grant kms:CreateGrant and kms:DescribeKey on KMS key');
    expect(message).toContain("to the operator's IAM role");
    // The grant is given: the next retry reaches moto.
    injected.delete(`CreateDBInstance ${base}`);
    await settled(name, ready(0), 120_000);
    const creates = calls.filter((c) => c.operation === 'CreateDBInstance' && c.input.DBInstanceIdentifier === base);
    expect(creates.filter((c) => c.rejected === 'KMSKeyNotAccessibleFault').length).toBeGreaterThanOrEqual(1);
    expect(creates.filter((c) => c.rejected === undefined)).toHaveLength(1);
    expect((await instances(base)).get(base)?.DBInstanceStatus).toBe('available');
  }, 300_000);
});

describe('a storage change RDS takes only after its cooldown (injected in front of moto, which has none)', () => {
  it('waits without a person and without Failed, sends it again by itself, and grows the storage in moto', async () => {
    const name = 'cooldown';
    const base = await createdReady(name, { replicas: { count: 0 }, applyImmediately: true });
    const { metadata } = (await getObject(name))!;
    // As RDS answers while the previous storage change is still being optimized (it names no time, so the operator
    // waits its AWS retry interval: 1 s here, 5 minutes by default).
    injected.set(`ModifyDBInstance ${base}`, {
      code: 'InvalidParameterCombination',
      message: 'You cannot modify the storage of this DB instance because the previous storage change is being optimized.',
    });
    await patchSpec(name, { primary: { allocatedStorageGiB: 200 } });
    const waiting = await settled(name, (s) => s.heldChanges?.some((h) => h.retryAt !== undefined) === true);
    expect(waiting.status?.phase).toBe('Ready');
    expect(waiting.status?.heldChanges?.[0]).toMatchObject({ subject: base, operation: 'ModifyDBInstance', fields: ['allocatedStorageGiB'] });
    expect(waiting.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'WaitingForRds' });
    expect(await warningReasons(name)).toContain('AwsRequestDeferred');
    expect(await warningReasons(name)).not.toContain('AwsRequestRejected');

    // Sent again at its time, with no spec change.
    const refused = () => calls.filter((c) => c.operation === 'ModifyDBInstance' && c.input.DBInstanceIdentifier === base && c.rejected !== undefined).length;
    await eventually('the change to be sent again', async () => (refused() >= 2 ? true : undefined), 60_000);
    injected.delete(`ModifyDBInstance ${base}`);
    const grown = await settled(name, (s) => ready(0)(s) && s.heldChanges === undefined && s.primary?.allocatedStorageGiB === 200, 120_000);
    expect(grown.metadata.generation).toBe(metadata.generation + 1);
    expect((await instances(base)).get(base)?.AllocatedStorage).toBe(200);
  }, 300_000);
});

describe('deleting a primary whose replica the observation did not see', () => {
  it('waits while a fresh describe finds a replica of the primary, and deletes the primary once it is gone', async () => {
    const name = 'lastcheck';
    const base = await createdReady(name, { replicas: { count: 0 }, deletionPolicy: 'Delete' });
    // A replica of the primary made outside the operator, under a name the operator never observes.
    const outsider = `${base}-reporting`;
    await rds.send(new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: outsider, SourceDBInstanceIdentifier: base }));

    await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name });
    await eventually('the deletion to wait for the replica', async () => {
      const obj = await getObject(name);
      return obj?.status?.conditions?.some((c) => c.type === 'Progressing' && c.message.includes(`${outsider} still replicates ${base}`)) === true
        ? true
        : undefined;
    });
    expect(calls.filter((c) => c.operation === 'DeleteDBInstance' && c.input.DBInstanceIdentifier === base)).toEqual([]);
    expect((await instances(base)).has(base)).toBe(true);

    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: outsider, SkipFinalSnapshot: true }));
    await eventually('the object to be gone', async () => ((await getObject(name)) === undefined ? true : undefined), 120_000);
    expect((await instances(base)).has(base)).toBe(false);
  }, 300_000);
});
