import { describe, expect, it } from 'vitest';
import { RdsError } from '../rds/errors.js';
import { FakeRds } from '../rds/testing/fake-rds.js';
import { applyPlan, type ApplyContext } from './apply.js';
import { passwordFingerprint, SECRET_FINGERPRINT_KEY } from './credentials.js';
import { desiredPrimary } from './plan/desired.js';
import type { Step } from './plan/types.js';
import { FakeKubernetes } from './testing/fake-kubernetes.js';
import { aReplicaSetDB, aWorld, BASE, UID } from './testing/fixtures.js';
import { CapturingLogger } from './testing/harness.js';

const PASSWORD = 'Sup3r-Secret-Password-For-Tests';

function context() {
  const kube = new FakeKubernetes();
  kube.put(aReplicaSetDB().build());
  const rds = new FakeRds();
  const log = new CapturingLogger();
  const ctx: ApplyContext = {
    rds,
    kube,
    ref: { namespace: 'prod', name: 'servio' },
    involved: { apiVersion: 'db.servio.io/v1alpha1', kind: 'ReplicaSetDB', namespace: 'prod', name: 'servio', uid: UID },
    finalizers: [],
    resourceVersion: '1',
    generatePassword: () => PASSWORD,
    log,
  };
  return { kube, rds, log, ctx };
}

function createPrimaryStep(): Step {
  const observed = aWorld().build();
  return { kind: 'createPrimary', blueprint: desiredPrimary(observed.spec!, observed.names), secret: observed.names.secret };
}

describe('applyPlan', () => {
  it('treats a create that finds its resource as done (an earlier attempt got through)', async () => {
    const { rds, ctx } = context();
    const steps: Step[] = [{ kind: 'createCredentials', secret: { namespace: 'prod', name: 'servio-credentials' }, username: 'servio' }, createPrimaryStep()];
    await applyPlan(steps, ctx);
    const again = await applyPlan(steps, ctx);
    expect(again.failure).toBeUndefined();
    expect(again.executed).toHaveLength(2);
    expect(rds.instances.size).toBe(1);
  });

  it('treats deleting an instance that is gone as done', async () => {
    const { ctx } = context();
    const outcome = await applyPlan([{ kind: 'deleteInstance', identifier: 'prod-servio-r9', role: 'replica', finalSnapshot: 'skip', why: 'scale-down' }], ctx);
    expect(outcome.failure).toBeUndefined();
  });

  it('stops at the first failure, with a Warning Event naming the call', async () => {
    const { rds, kube, ctx } = context();
    rds.failNext('CreateDBParameterGroup', new RdsError('terminal', 'DBParameterGroupQuotaExceeded', 'CreateDBParameterGroup', 'quota'));
    const steps: Step[] = [
      { kind: 'createParameterGroup', input: { name: 'pg', family: 'postgres15', description: 'd', tags: {} } },
      { kind: 'setParameters', group: 'pg', values: { a: '1' } },
    ];
    const outcome = await applyPlan(steps, ctx);
    expect(outcome.executed).toEqual([]);
    expect(outcome.failure).toMatchObject({ kind: 'terminal', code: 'DBParameterGroupQuotaExceeded', operation: 'CreateDBParameterGroup' });
    expect(rds.calls.map((c) => c.operation)).toEqual(['CreateDBParameterGroup']);
    expect(kube.events).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'AwsRequestRejected', message: 'CreateDBParameterGroup pg failed (terminal): quota' }),
    ]);
  });

  it('raises a Warning Event for a modification that releases changes held for the maintenance window', async () => {
    const { rds, kube, ctx } = context();
    const observed = aWorld().build();
    await rds.createPrimary({ ...desiredPrimary(observed.spec!, observed.names), masterPassword: PASSWORD });
    const grow = (releasesPending?: string[]): Step => ({
      kind: 'modifyInstance',
      identifier: BASE,
      role: 'primary',
      changes: { allocatedStorageGiB: 200 },
      delta: [],
      applyImmediately: true,
      ...(releasesPending !== undefined ? { releasesPending } : {}),
    });
    await applyPlan([grow(), grow(['engineVersion 16.3'])], ctx);
    expect(kube.events.map((e) => e.type)).toEqual(['Normal', 'Warning']);
    expect(kube.events[1]?.message).toContain('RDS also applies now what it held for the window: engineVersion 16.3');
  });

  it('redacts the password from a failure message that echoes it', async () => {
    const { rds, kube, log, ctx } = context();
    await kube.createSecret({ namespace: 'prod', name: 'servio-credentials' }, { username: 'servio', password: PASSWORD }, {});
    rds.failNext(
      'CreateDBInstance',
      new RdsError('terminal', 'InvalidParameterValue', 'CreateDBInstance', `The parameter MasterUserPassword ${PASSWORD} is not valid`),
    );
    const outcome = await applyPlan([createPrimaryStep()], ctx);
    expect(outcome.failure?.message).toBe('The parameter MasterUserPassword *** is not valid');
    expect(JSON.stringify([kube.events, log.lines])).not.toContain(PASSWORD);
  });

  it('reports a Kubernetes failure as such', async () => {
    const { ctx } = context();
    const outcome = await applyPlan([{ kind: 'addFinalizer' }], { ...ctx, finalizers: ['someone-else/finalizer'] });
    expect(outcome.failure).toMatchObject({ kind: 'kubernetes', operation: 'addFinalizer' });
  });

  it('refuses to create the primary when the Secret lost its password since it was observed', async () => {
    const { rds, ctx } = context();
    const outcome = await applyPlan([createPrimaryStep()], ctx);
    expect(outcome.failure).toMatchObject({ kind: 'retryable', code: 'CredentialsChanged' });
    expect(rds.calls).toEqual([]);
  });

  it('runs no further step once its signal is aborted (leadership lost mid-plan)', async () => {
    const { rds, kube, ctx } = context();
    const leadership = new AbortController();
    const createGroup = rds.createParameterGroup.bind(rds);
    rds.createParameterGroup = async (input) => {
      await createGroup(input);
      leadership.abort(new Error('leadership lost'));
    };
    const steps: Step[] = [
      { kind: 'createParameterGroup', input: { name: 'pg', family: 'postgres15', description: 'd', tags: {} } },
      { kind: 'setParameters', group: 'pg', values: { a: '1' } },
      { kind: 'createCredentials', secret: { namespace: 'prod', name: 'servio-credentials' }, username: 'servio' },
      createPrimaryStep(),
    ];
    const outcome = await applyPlan(steps, { ...ctx, signal: leadership.signal });
    expect(outcome.executed.map((s) => s.kind)).toEqual(['createParameterGroup']);
    expect(outcome.aborted).toBe(true);
    expect(rds.mutatingCalls().map((c) => c.operation)).toEqual(['CreateDBParameterGroup']);
    expect(await kube.getSecret({ namespace: 'prod', name: 'servio-credentials' })).toBeUndefined();
  });

  it('runs nothing when the signal is already aborted', async () => {
    const { rds, ctx } = context();
    const outcome = await applyPlan([createPrimaryStep()], { ...ctx, signal: AbortSignal.abort() });
    expect(outcome.executed).toEqual([]);
    expect(outcome.aborted).toBe(true);
    expect(rds.calls).toEqual([]);
  });

  it('hands its signal to every Kubernetes and AWS call of a step', async () => {
    const { rds, kube, ctx } = context();
    const signal = new AbortController().signal;
    const seen: Array<{ call: string; signal: AbortSignal | undefined }> = [];
    const spy =
      <A extends unknown[], R>(call: string, fn: (...args: A) => Promise<R>) =>
      (...args: A): Promise<R> => {
        seen.push({ call, signal: (args.at(-1) as { signal?: AbortSignal } | undefined)?.signal });
        return fn(...args);
      };
    kube.addFinalizer = spy('addFinalizer', kube.addFinalizer.bind(kube));
    kube.createSecret = spy('createSecret', kube.createSecret.bind(kube));
    kube.getSecret = spy('getSecret', kube.getSecret.bind(kube));
    rds.createPrimary = spy('createPrimary', rds.createPrimary.bind(rds));
    const steps: Step[] = [
      { kind: 'addFinalizer' },
      { kind: 'createCredentials', secret: { namespace: 'prod', name: 'servio-credentials' }, username: 'servio' },
      createPrimaryStep(),
    ];
    const outcome = await applyPlan(steps, { ...ctx, signal });
    expect(outcome.failure).toBeUndefined();
    expect(seen).toEqual([
      { call: 'addFinalizer', signal },
      { call: 'createSecret', signal },
      { call: 'getSecret', signal },
      { call: 'createPrimary', signal },
    ]);
  });

  it('hands its signal to every call of the credential, topology and primary-deletion steps, the fresh describe included', async () => {
    const { rds, kube, ctx } = context();
    const secret = { namespace: 'prod', name: 'servio-credentials' };
    const NEW = 'New-Password-0123456789';
    await kube.createSecret(secret, { username: 'servio', password: NEW, DB_USERNAME: 'servio', DB_PASSWORD: PASSWORD, [SECRET_FINGERPRINT_KEY]: 'k' }, {});
    const observed = aWorld().build();
    await rds.createPrimary({ ...desiredPrimary(observed.spec!, observed.names), masterPassword: PASSWORD });
    const configMap = { namespace: 'prod', name: 'servio-endpoints' };
    await kube.applyConfigMap(configMap, { data: {}, labels: {} }, ctx.involved);
    rds.received.length = 0;
    kube.received.length = 0;
    const signal = new AbortController().signal;
    const steps: Step[] = [
      { kind: 'applyMasterPassword', identifier: BASE, secret, passwordFingerprint: passwordFingerprint(NEW, 'k') },
      { kind: 'completeCredentialsSecret', secret },
      { kind: 'releaseTopology', configMap, ownerUid: ctx.involved.uid },
      { kind: 'deleteInstance', identifier: BASE, role: 'primary', finalSnapshot: 'skip', why: 'object deleted', replicaCandidates: [`${BASE}-r1`] },
    ];
    const outcome = await applyPlan(steps, { ...ctx, signal });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.executed).toHaveLength(4);
    expect(kube.received).toEqual([
      { call: 'getSecret', options: { signal } },
      { call: 'getSecret', options: { signal } },
      { call: 'patchSecretKeys', options: { signal } },
      { call: 'releaseConfigMap', options: { signal } },
    ]);
    expect(rds.received).toEqual([
      { operation: 'ModifyDBInstance', options: { signal } },
      { operation: 'DescribeDBInstances', options: { signal, fresh: true } },
      { operation: 'DeleteDBInstance', options: { signal } },
    ]);
  });

  it('sends no new password, Secret patch or topology release once its signal is aborted', async () => {
    const { rds, kube, ctx } = context();
    const secret = { namespace: 'prod', name: 'servio-credentials' };
    await kube.createSecret(secret, { username: 'servio', password: PASSWORD }, {});
    const configMap = { namespace: 'prod', name: 'servio-endpoints' };
    await kube.applyConfigMap(configMap, { data: {}, labels: {} }, ctx.involved);
    const steps: Step[] = [
      { kind: 'applyMasterPassword', identifier: 'prod-servio', secret, passwordFingerprint: passwordFingerprint(PASSWORD, 'k') },
      { kind: 'completeCredentialsSecret', secret },
      { kind: 'releaseTopology', configMap, ownerUid: ctx.involved.uid },
    ];
    const outcome = await applyPlan(steps, { ...ctx, signal: AbortSignal.abort(new Error('leadership lost')) });
    expect(outcome).toMatchObject({ executed: [], aborted: true });
    expect(rds.calls).toEqual([]);
    expect(kube.secrets.get('prod/servio-credentials')?.data).toEqual({ username: 'servio', password: PASSWORD });
    expect(kube.configMaps.get('prod/servio-endpoints')?.ownerUids).toEqual([ctx.involved.uid]);
    expect(kube.events).toEqual([]);
  });
});
