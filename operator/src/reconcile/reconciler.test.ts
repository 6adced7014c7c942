// The whole reconcile against in-memory ports: convergence, steady state, failures, deletion, and where the
// password goes.
import { describe, expect, it } from 'vitest';
import { RdsError, toRdsError } from '../rds/errors.js';
import { SECRET_FINGERPRINT_KEY } from './credentials.js';
import { BASE, aReplicaSetDB } from './testing/fixtures.js';
import { GENERATED_PASSWORD, STEADY_MS, TRANSITIONING_MS, aHarness } from './testing/harness.js';
import { ReconcileAbortedError, RetryableReconcileError } from './reconciler.js';

function condition(h: ReturnType<typeof aHarness>, type: string) {
  return h.status()?.conditions?.find((c) => c.type === type);
}

describe('reconcile: from nothing to Ready', () => {
  it('creates the parameter group, the password, the primary, then the replicas, and reports Ready', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(2).withoutFinalizer());
    await h.converge();
    expect([...h.rds.instances.keys()].sort()).toEqual([BASE, `${BASE}-r1`, `${BASE}-r2`]);
    expect(h.rds.parameterGroups.get(`${BASE}-postgres15`)?.parameters).toEqual({ max_connections: '200' });
    expect(h.kube.record(h.ref)?.finalizers).toEqual(['db.servio.io/finalizer']);
    expect(h.status()).toMatchObject({
      phase: 'Ready',
      observedGeneration: 1,
      readyReplicas: 2,
      parameterGroupName: `${BASE}-postgres15`,
      endpoints: { secretName: 'servio-credentials' },
      primary: { identifier: BASE, role: 'primary', rdsStatus: 'available', instanceClass: 'db.r6g.xlarge', endpoint: { port: 5432 } },
      replicas: [
        { identifier: `${BASE}-r1`, role: 'replica', rdsStatus: 'available' },
        { identifier: `${BASE}-r2`, role: 'replica', rdsStatus: 'available' },
      ],
    });
    expect(condition(h, 'Ready')).toMatchObject({ status: 'True', reason: 'Available', observedGeneration: 1 });
    expect(condition(h, 'Progressing')).toMatchObject({ status: 'False', reason: 'Converged' });
    expect(condition(h, 'Degraded')).toMatchObject({ status: 'False' });
  });

  it('records an Event for every mutating AWS call', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(2));
    await h.converge();
    const mutating = h.rds.mutatingCalls().length;
    const awsEvents = h.kube.events.filter((e) => e.reason !== 'CredentialsGenerated');
    expect(awsEvents).toHaveLength(mutating);
    expect(h.kube.events.map((e) => e.reason)).toEqual([
      'CreatedParameterGroup',
      'SetParameters',
      'CredentialsGenerated',
      'CreatingPrimary',
      'CreatingReplica',
      'CreatingReplica',
    ]);
    expect(h.kube.events.every((e) => e.involved.uid === '3f6c1e2a-9b7d-4c1e-8f00-0123456789ab')).toBe(true);
  });

  it('generates the password into the Secret and sends that one to RDS, and to nothing else', async () => {
    const h = aHarness(aReplicaSetDB());
    await h.converge();
    const secret = h.kube.secrets.get('prod/servio-credentials');
    expect(secret?.data).toEqual({
      username: 'servio',
      password: GENERATED_PASSWORD,
      DB_USERNAME: 'servio',
      DB_PASSWORD: GENERATED_PASSWORD,
      [SECRET_FINGERPRINT_KEY]: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(h.rds.passwords.get(BASE)).toBe(GENERATED_PASSWORD);
    const everywhere = JSON.stringify([h.log.lines, h.kube.events, h.status(), [...h.kube.configMaps.values()], h.rds.calls]);
    expect(everywhere).not.toContain(GENERATED_PASSWORD);
  });

  it('keeps a Secret that exists and uses its password', async () => {
    const h = aHarness(aReplicaSetDB());
    await h.kube.createSecret({ namespace: 'prod', name: 'servio-credentials' }, { username: 'servio', password: 'Chosen-By-A-Person-42' }, {});
    await h.converge();
    expect(h.rds.passwords.get(BASE)).toBe('Chosen-By-A-Person-42');
    expect(h.kube.secrets.get('prod/servio-credentials')?.data.password).toBe('Chosen-By-A-Person-42');
  });

  it('reports Provisioning and polls often while RDS is creating', async () => {
    const h = aHarness(aReplicaSetDB());
    h.rds.createdStatus = 'creating';
    expect(await h.reconcile()).toEqual({ requeueAfterMs: TRANSITIONING_MS });
    expect(h.status()).toMatchObject({ phase: 'Provisioning', primary: { rdsStatus: 'creating' } });
    expect(condition(h, 'Ready')).toMatchObject({ status: 'False', reason: 'Provisioning' });
    expect(condition(h, 'Progressing')).toMatchObject({ status: 'True', reason: 'Provisioning' });
    // Still creating: no replica is attempted, nothing is repeated.
    const before = h.rds.mutatingCalls().length;
    expect(await h.reconcile()).toEqual({ requeueAfterMs: TRANSITIONING_MS });
    expect(h.rds.mutatingCalls().length).toBe(before);
    h.rds.instances.get(BASE)!.status = 'available';
    await h.reconcile();
    expect(
      h.rds
        .mutatingCalls()
        .map((c) => c.operation)
        .at(-1),
    ).toBe('CreateDBInstanceReadReplica');
  });
});

describe('reconcile: steady state', () => {
  it('makes no mutating AWS call, no status write and one DescribeDBInstances per reconcile', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(2));
    await h.converge();
    const calls = h.rds.calls.length;
    const writes = h.kube.statusWrites;
    for (let i = 0; i < 3; i++) expect(await h.reconcile()).toEqual({ requeueAfterMs: STEADY_MS });
    const steady = h.rds.calls.slice(calls);
    expect(steady.filter((c) => c.mutating)).toEqual([]);
    expect(steady.filter((c) => c.operation === 'DescribeDBInstances')).toHaveLength(3);
    expect(h.kube.statusWrites).toBe(writes);
  });
});

describe('reconcile: spec changes', () => {
  it('scales 2 -> 4 -> 1, removing the highest indices first', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(2));
    await h.converge();
    h.update(aReplicaSetDB().withReplicas(4));
    await h.converge();
    expect(h.status()).toMatchObject({ phase: 'Ready', readyReplicas: 4, observedGeneration: 2 });
    const before = h.rds.calls.length;
    const scaledAt = h.clock.now.getTime();
    h.update(aReplicaSetDB().withReplicas(1));
    // The surplus replicas drain first (routing.drainSeconds, 30 by default), polled every TRANSITIONING_MS.
    await h.converge(60);
    expect(h.clock.now.getTime() - scaledAt).toBeGreaterThanOrEqual(30_000);
    const deletions = h.rds.calls
      .slice(before)
      .filter((c) => c.operation === 'DeleteDBInstance')
      .map((c) => c.subject);
    expect(deletions).toEqual([`${BASE}-r4`, `${BASE}-r3`, `${BASE}-r2`]);
    expect([...h.rds.instances.keys()].sort()).toEqual([BASE, `${BASE}-r1`]);
    expect(h.status()).toMatchObject({ phase: 'Ready', readyReplicas: 1, replicas: [{ identifier: `${BASE}-r1` }] });
  });

  it('resizes the replicas one by one, then the primary', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(2).withoutReplicaClass());
    await h.converge();
    const before = h.rds.calls.length;
    h.update(
      aReplicaSetDB()
        .withReplicas(2)
        .withoutReplicaClass()
        .withSpec({ primary: { instanceClass: 'db.r6g.2xlarge' }, applyImmediately: true }),
    );
    await h.converge();
    const modified = h.rds.calls
      .slice(before)
      .filter((c) => c.operation === 'ModifyDBInstance')
      .map((c) => c.subject);
    expect(modified).toEqual([`${BASE}-r1`, `${BASE}-r2`, BASE]);
    expect([...h.rds.instances.values()].map((i) => i.instanceClass)).toEqual(['db.r6g.2xlarge', 'db.r6g.2xlarge', 'db.r6g.2xlarge']);
  });
});

describe('reconcile: failures', () => {
  it('never creates a second primary when the answer to CreateDBInstance was lost', async () => {
    const h = aHarness(aReplicaSetDB());
    const create = h.rds.createPrimary.bind(h.rds);
    h.rds.createPrimary = async (input) => {
      await create(input);
      throw new RdsError('retryable', 'TimeoutError', 'CreateDBInstance', 'socket hang up');
    };
    await expect(h.reconcile()).rejects.toBeInstanceOf(RetryableReconcileError);
    h.rds.createPrimary = create;
    await h.converge();
    expect(h.rds.calls.filter((c) => c.operation === 'CreateDBInstance')).toHaveLength(1);
    expect(h.status()?.phase).toBe('Ready');
  });

  it('reports a rejected request as Failed with the AWS message, and does not repeat it until the spec changes', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1));
    h.rds.failNext(
      'CreateDBInstanceReadReplica',
      new RdsError('terminal', 'InstanceQuotaExceeded', 'CreateDBInstanceReadReplica', 'DB instance quota exceeded'),
    );
    await h.converge();
    expect(h.status()?.phase).toBe('Failed');
    expect(condition(h, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'AwsRejected',
      message: `CreateDBInstanceReadReplica ${BASE}-r1 was rejected: DB instance quota exceeded. Change the spec to try again.`,
    });
    expect(h.kube.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'AwsRequestRejected' });
    const attempts = () => h.rds.calls.filter((c) => c.operation === 'CreateDBInstanceReadReplica').length;
    expect(attempts()).toBe(1);
    for (let i = 0; i < 3; i++) expect(await h.reconcile()).toEqual({ requeueAfterMs: STEADY_MS });
    expect(attempts()).toBe(1);
    h.update(
      aReplicaSetDB()
        .withReplicas(1)
        .withSpec({ tags: { Environment: 'production', Retry: '1' } }),
    );
    await h.converge();
    expect(attempts()).toBe(2);
    expect(h.status()?.phase).toBe('Ready');
  });

  it('sends a storage change RDS refused for its cooldown again when RDS said to, without a spec change', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    h.update(
      aReplicaSetDB()
        .withReplicas(0)
        .withSpec({ primary: { allocatedStorageGiB: 200 }, applyImmediately: true }),
    );
    // As the RDS API answers a storage change within six hours of the previous one.
    const refusal = Object.assign(new Error("You can't currently modify the storage of this DB instance. Try again after approximately 1 hours."), {
      name: 'InvalidParameterCombination',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    h.rds.failNext('ModifyDBInstance', toRdsError(refusal, 'ModifyDBInstance'));
    const refusedAt = h.clock.now.getTime();
    await h.converge();
    const attempts = () => h.rds.calls.filter((c) => c.operation === 'ModifyDBInstance').length;
    expect(attempts()).toBe(1);
    // Nothing for a person to do: the database serves, the change waits for RDS.
    expect(h.status()?.phase).toBe('Ready');
    expect(condition(h, 'Progressing')).toMatchObject({ status: 'False', reason: 'WaitingForRds' });
    expect(h.status()?.heldChanges).toEqual([
      expect.objectContaining({
        subject: BASE,
        operation: 'ModifyDBInstance',
        fields: ['allocatedStorageGiB'],
        retryAt: new Date(refusedAt + 3_600_000).toISOString(),
      }),
    ]);
    // Not sent again before then.
    h.clock.now = new Date(refusedAt + 3_500_000);
    await h.reconcile();
    expect(attempts()).toBe(1);
    h.clock.now = new Date(refusedAt + 3_600_000);
    await h.converge();
    expect(attempts()).toBe(2);
    expect(h.rds.instances.get(BASE)?.allocatedStorageGiB).toBe(200);
    expect(h.status()?.heldChanges).toBeUndefined();
  });

  it('retries throttling through the controller backoff, after writing the status', async () => {
    const h = aHarness(aReplicaSetDB());
    h.rds.failNext('CreateDBInstance', new RdsError('retryable', 'Throttling', 'CreateDBInstance', 'Rate exceeded'));
    await expect(h.reconcile()).rejects.toThrow('CreateDBInstance failed: Rate exceeded');
    expect(condition(h, 'Progressing')?.message).toContain('CreateDBInstance failed (retryable): Rate exceeded');
    expect(h.kube.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'AwsRequestFailed' });
    await h.converge();
    expect(h.status()?.phase).toBe('Ready');
  });

  it('waits and retries soon when RDS says the instance is busy', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    h.update(
      aReplicaSetDB()
        .withReplicas(0)
        .withSpec({ primary: { instanceClass: 'db.r6g.2xlarge' } }),
    );
    h.rds.failNext('ModifyDBInstance', new RdsError('invalid-state', 'InvalidDBInstanceState', 'ModifyDBInstance', 'Instance is not available'));
    expect(await h.reconcile()).toEqual({ requeueAfterMs: TRANSITIONING_MS });
    expect(h.status()?.phase).not.toBe('Failed');
    await h.converge();
    expect(h.rds.instances.get(BASE)?.pending.instanceClass ?? h.rds.instances.get(BASE)?.instanceClass).toBe('db.r6g.2xlarge');
  });

  it('reports an invalid spec without calling AWS', async () => {
    const h = aHarness(aReplicaSetDB().withRawSpec({ engineVersion: '15.4', databaseName: 'servio', primary: { instanceClass: 'large' } }));
    expect(await h.reconcile()).toEqual({ requeueAfterMs: STEADY_MS });
    expect(h.rds.mutatingCalls()).toEqual([]);
    expect(h.status()?.phase).toBe('Failed');
    expect(condition(h, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
  });
});

describe('reconcile: fenced by its signal', () => {
  it('stops mutating and writes no status once its signal is aborted during apply', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1).withoutFinalizer());
    const leadership = new AbortController();
    const createGroup = h.rds.createParameterGroup.bind(h.rds);
    h.rds.createParameterGroup = async (input) => {
      await createGroup(input);
      leadership.abort(new Error('leadership lost'));
    };
    await expect(h.reconcile(leadership.signal)).rejects.toBeInstanceOf(ReconcileAbortedError);
    expect(h.rds.mutatingCalls().map((c) => c.operation)).toEqual(['CreateDBParameterGroup']);
    expect(h.kube.statusWrites).toBe(0);
    expect(h.status()).toBeUndefined();
  });

  it('makes no call at all when the signal is aborted before it starts', async () => {
    const h = aHarness(aReplicaSetDB().withoutFinalizer());
    await expect(h.reconcile(AbortSignal.abort())).rejects.toBeInstanceOf(ReconcileAbortedError);
    expect(h.rds.calls).toEqual([]);
    expect(h.kube.statusWrites).toBe(0);
    expect(h.kube.record(h.ref)?.finalizers).toEqual([]);
  });
});

describe('reconcile: status written on the version it was computed from', () => {
  it('writes the first status on the version its own finalizer patch produced', async () => {
    const h = aHarness(aReplicaSetDB().withoutFinalizer());
    await h.reconcile();
    expect(h.kube.record(h.ref)?.finalizers).toEqual(['db.servio.io/finalizer']);
    expect(h.kube.statusWrites).toBe(1);
  });

  it('requeues at once, without an error, when the object changed after it was observed', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1));
    await h.converge();
    h.update(aReplicaSetDB().withReplicas(2));
    const get = h.kube.getReplicaSetDB.bind(h.kube);
    h.kube.getReplicaSetDB = async (ref) => {
      const seen = await get(ref);
      // Someone else (a new leader) writes the object between this read and the status write.
      h.update(aReplicaSetDB().withReplicas(2).withAnnotation('touched', 'yes'));
      return seen;
    };
    const statusBefore = h.status();
    const writes = h.kube.statusWrites;
    expect(await h.reconcile()).toEqual({ requeueAfterMs: 0 });
    expect(h.kube.statusWrites).toBe(writes);
    expect(h.status()).toEqual(statusBefore);
    const loud = h.log.lines.map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn' || l.level === 'error');
    expect(loud).toEqual([]);
  });
});

describe('reconcile: deletion', () => {
  it('Snapshot: replicas, then the primary with a final snapshot, then the group and the finalizer', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(2));
    await h.converge();
    h.kube.delete(h.ref);
    await h.converge();
    expect(h.kube.record(h.ref)).toBeUndefined();
    expect(h.rds.instances.size).toBe(0);
    expect(h.rds.parameterGroups.size).toBe(0);
    expect([...h.rds.snapshots.keys()]).toEqual([`${BASE}-final-3f6c1e2a9b7d`]);
    const deletes = h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance').map((c) => c.subject);
    expect(deletes).toEqual([`${BASE}-r2`, `${BASE}-r1`, BASE]);
  });

  it('waits for RDS to finish deleting before the next step', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1).withSpec({ deletionPolicy: 'Delete' }));
    await h.converge();
    h.rds.deletionLeaves = 'deleting';
    h.kube.delete(h.ref);
    expect(await h.reconcile()).toEqual({ requeueAfterMs: TRANSITIONING_MS });
    expect(await h.reconcile()).toEqual({ requeueAfterMs: TRANSITIONING_MS });
    expect(h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance').map((c) => c.subject)).toEqual([`${BASE}-r1`]);
    expect(h.status()).toMatchObject({ phase: 'Deleting', replicas: [{ identifier: `${BASE}-r1`, rdsStatus: 'deleting' }] });
    h.rds.finishDeletions();
    await h.reconcile();
    h.rds.finishDeletions();
    await h.converge();
    expect(h.kube.record(h.ref)).toBeUndefined();
    expect(h.rds.snapshots.size).toBe(0);
  });

  it('with deletion protection: deletes nothing, says what to change, and finishes once it is changed', async () => {
    const h = aHarness(aReplicaSetDB().withSpec({ deletionProtection: true }));
    await h.converge();
    h.kube.delete(h.ref);
    expect(await h.reconcile()).toEqual({ requeueAfterMs: STEADY_MS });
    expect(h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance')).toEqual([]);
    expect(h.status()?.phase).toBe('Deleting');
    expect(condition(h, 'Ready')).toMatchObject({ reason: 'DeletionProtected', message: expect.stringContaining('set spec.deletionProtection to false') });
    h.update(aReplicaSetDB().withSpec({ deletionProtection: false }));
    await h.converge();
    expect(h.kube.record(h.ref)).toBeUndefined();
    expect(h.rds.instances.size).toBe(0);
  });

  it('Retain: leaves everything and removes the finalizer', async () => {
    const h = aHarness(aReplicaSetDB().withSpec({ deletionPolicy: 'Retain' }));
    await h.converge();
    h.kube.delete(h.ref);
    expect(await h.reconcile()).toEqual({});
    expect(h.kube.record(h.ref)).toBeUndefined();
    expect([...h.rds.instances.keys()].sort()).toEqual([BASE, `${BASE}-r1`]);
    expect(h.rds.mutatingCalls().filter((c) => c.operation.startsWith('Delete'))).toEqual([]);
    // The retained databases keep serving: their ConfigMap stays, owned by nobody.
    expect([...h.kube.configMaps.values()].map((cm) => cm.ownerUids)).toEqual([[]]);
  });

  it('shows a rejected deletion in Progressing and tries again at the steady interval', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    h.kube.delete(h.ref);
    h.rds.failNext('DeleteDBInstance', new RdsError('terminal', 'SnapshotQuotaExceeded', 'DeleteDBInstance', 'snapshot quota exceeded'));
    expect(await h.reconcile()).toEqual({ requeueAfterMs: STEADY_MS });
    expect(h.status()?.phase).toBe('Deleting');
    expect(condition(h, 'Progressing')?.message).toContain(`DeleteDBInstance ${BASE} was rejected: snapshot quota exceeded`);
    await h.converge();
    expect(h.kube.record(h.ref)).toBeUndefined();
    expect(h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance')).toHaveLength(2);
  });

  it('does nothing for an object that is gone', async () => {
    const h = aHarness(aReplicaSetDB());
    h.kube.objects.clear();
    expect(await h.reconcile()).toEqual({});
    expect(h.rds.calls).toEqual([]);
  });
});

describe('reconcile: identifiers are chosen once', () => {
  it('records the base identifier in the status on the first reconcile', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1));
    await h.reconcile();
    expect(h.status()?.baseIdentifier).toBe(BASE);
  });

  it('keeps the instances an earlier version created under the readable identifier, when the status records none', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1));
    // What an earlier version left: instances named <namespace>-<name>, tagged with this object's uid, and a status
    // without recorded identifiers.
    h.kube.record(h.ref)!.status = { baseIdentifier: 'prod-servio' };
    await h.converge();
    h.kube.record(h.ref)!.status = { ...h.status(), baseIdentifier: undefined };
    const before = h.rds.mutatingCalls().length;

    await h.converge();
    expect([...h.rds.instances.keys()].sort()).toEqual(['prod-servio', 'prod-servio-r1']);
    expect(h.rds.mutatingCalls().length).toBe(before);
    expect(h.status()).toMatchObject({ phase: 'Ready', baseIdentifier: 'prod-servio', primary: { identifier: 'prod-servio' } });
  });

  it('does not take over instances under the readable identifier that carry another uid', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    h.kube.record(h.ref)!.status = { baseIdentifier: 'prod-servio' };
    await h.converge();
    for (const instance of h.rds.instances.values()) instance.tags['db.servio.io/owner-uid'] = 'someone-else';
    h.kube.record(h.ref)!.status = undefined;

    await h.converge();
    expect([...h.rds.instances.keys()].sort()).toEqual([BASE, 'prod-servio'].sort());
    expect(h.status()?.baseIdentifier).toBe(BASE);
  });
});
