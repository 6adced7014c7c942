// Applying the credential steps: the password is read from the Secret at the moment of the call, checked against
// the fingerprint the plan was made for, and never reaches a log line, an Event or a failure message.
import { describe, expect, it } from 'vitest';
import { RdsError } from '../rds/errors.js';
import { FakeRds } from '../rds/testing/fake-rds.js';
import { applyPlan, type ApplyContext } from './apply.js';
import { passwordFingerprint, SECRET_FINGERPRINT_KEY, uidKeyedPasswordFingerprint } from './credentials.js';
import { desiredPrimary } from './plan/desired.js';
import type { Step } from './plan/types.js';
import { FakeKubernetes } from './testing/fake-kubernetes.js';
import { BASE, aReplicaSetDB, aWorld } from './testing/fixtures.js';
import { CapturingLogger } from './testing/harness.js';

const UID = 'u';
const SECRET = { namespace: 'prod', name: 'servio-credentials' };
const OLD = 'Old-Password-0123456789';
const NEW = 'New-Password-0123456789';
const KEY = 'the-fingerprint-key-of-this-secret';

async function context() {
  const kube = new FakeKubernetes();
  kube.put(aReplicaSetDB().build());
  await kube.createSecret(SECRET, { username: 'servio', password: OLD, DB_USERNAME: 'servio', DB_PASSWORD: OLD, [SECRET_FINGERPRINT_KEY]: KEY }, {});
  const rds = new FakeRds();
  const observed = aWorld().build();
  await rds.createPrimary({ ...desiredPrimary(observed.spec!, observed.names), masterPassword: OLD });
  const log = new CapturingLogger();
  const ctx: ApplyContext = {
    rds,
    kube,
    ref: { namespace: 'prod', name: 'servio' },
    involved: { apiVersion: 'db.servio.io/v1alpha1', kind: 'ReplicaSetDB', namespace: 'prod', name: 'servio', uid: UID },
    finalizers: [],
    resourceVersion: '1',
    generatePassword: () => 'unused-generated-password',
    log,
  };
  const secretData = () => kube.secrets.get('prod/servio-credentials')!.data;
  return { kube, rds, log, ctx, secretData };
}

const applyStep = (password: string): Step => ({
  kind: 'applyMasterPassword',
  identifier: BASE,
  secret: SECRET,
  passwordFingerprint: passwordFingerprint(password, KEY),
});

describe('applyPlan: credentials', () => {
  it("sends the Secret's password and reports its fingerprint as applied, without writing it anywhere else", async () => {
    const { kube, rds, log, ctx, secretData } = await context();
    secretData().password = NEW;
    const outcome = await applyPlan([applyStep(NEW)], ctx);
    expect(outcome.failure).toBeUndefined();
    expect(rds.passwords.get(BASE)).toBe(NEW);
    expect(outcome.appliedPasswordFingerprint).toBe(passwordFingerprint(NEW, KEY));
    expect(kube.events.map((e) => e.reason)).toEqual(['MasterPasswordChanged']);
    expect(JSON.stringify([log.lines, kube.events, outcome])).not.toContain(NEW);
  });

  it('sends nothing when the Secret changed after it was fingerprinted', async () => {
    const { rds, ctx, secretData } = await context();
    secretData().password = 'Changed-Again-0123456789';
    const outcome = await applyPlan([applyStep(NEW)], ctx);
    expect(rds.passwords.get(BASE)).toBe(OLD);
    expect(outcome.failure).toMatchObject({ kind: 'retryable', code: 'CredentialsChanged' });
    expect(outcome.appliedPasswordFingerprint).toBeUndefined();
  });

  it('sends nothing when the Secret lost its fingerprint key after it was fingerprinted', async () => {
    const { rds, ctx, secretData } = await context();
    secretData().password = NEW;
    delete secretData()[SECRET_FINGERPRINT_KEY];
    const outcome = await applyPlan([applyStep(NEW)], ctx);
    expect(rds.passwords.get(BASE)).toBe(OLD);
    expect(outcome.failure).toMatchObject({ kind: 'retryable', code: 'CredentialsChanged' });
  });

  it('redacts the password from a rejection that echoes it', async () => {
    const { rds, log, kube, ctx, secretData } = await context();
    secretData().password = NEW;
    rds.failNext('ModifyDBInstance', new RdsError('terminal', 'InvalidParameterValue', 'ModifyDBInstance', `bad password ${NEW}`));
    const outcome = await applyPlan([applyStep(NEW)], ctx);
    expect(outcome.failure?.message).toBe('bad password ***');
    expect(JSON.stringify([log.lines, kube.events, outcome])).not.toContain(NEW);
  });

  it('copies username and password to DB_USERNAME and DB_PASSWORD, and is done when they are in sync', async () => {
    const { kube, ctx, secretData, log } = await context();
    secretData().password = NEW;
    const step: Step = { kind: 'completeCredentialsSecret', secret: SECRET };
    expect((await applyPlan([step], ctx)).failure).toBeUndefined();
    expect(secretData()).toEqual({ username: 'servio', password: NEW, DB_USERNAME: 'servio', DB_PASSWORD: NEW, [SECRET_FINGERPRINT_KEY]: KEY });
    expect((await applyPlan([step], ctx)).failure).toBeUndefined();
    expect(kube.events.map((e) => e.reason)).toEqual(['CredentialsSecretUpdated', 'CredentialsSecretUpdated']);
    expect(JSON.stringify([log.lines, kube.events])).not.toContain(NEW);
  });

  it('writes a fingerprint key where the Secret has none, reports the fingerprint it makes, and keeps a key it has', async () => {
    const { kube, ctx, secretData, log } = await context();
    delete secretData()[SECRET_FINGERPRINT_KEY];
    const step: Step = { kind: 'completeCredentialsSecret', secret: SECRET };
    const outcome = await applyPlan([step], ctx);
    expect(outcome.failure).toBeUndefined();
    const written = secretData()[SECRET_FINGERPRINT_KEY]!;
    expect(written).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(outcome.fingerprintKeyWritten).toEqual({
      passwordFingerprint: passwordFingerprint(OLD, written),
      uidKeyedFingerprint: uidKeyedPasswordFingerprint(OLD, UID),
    });
    const again = await applyPlan([step], ctx);
    expect(secretData()[SECRET_FINGERPRINT_KEY]).toBe(written);
    expect(again.fingerprintKeyWritten).toBeUndefined();
    expect(JSON.stringify([log.lines, kube.events, outcome])).not.toContain(written);
  });
});
