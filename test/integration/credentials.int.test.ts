// The master password against the real kube-apiserver and the RDS emulator: the Secret is its source of truth.
// Rotating the Secret's password sends it to the primary once (ModifyDBInstance MasterUserPassword, seen through
// a recording client, since the emulator neither checks nor reports passwords), status records its fingerprint,
// DB_PASSWORD follows for envFrom, and no log line or Event shows either password. A Secret naming another master
// user than the spec is reported and creates nothing. A Secret deleted while the primary exists is reported, not
// replaced, and a new password written back is sent to RDS. The fingerprint is keyed with a key kept in the Secret,
// so that someone who may read the object but not the Secret cannot test guesses of a password a person chose; an
// object whose status an earlier operator wrote with the uid-keyed fingerprint is carried over without a call.
import { describe, expect, it } from 'vitest';
import type { ReplicaSetDBStatus } from '../../operator/src/api/index.js';
import { GROUP, PLURAL, VERSION } from '../../operator/src/api/replicasetdb.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { createLogger } from '../../operator/src/observability/index.js';
import { apiClients, operatorPerFile } from './support/operator-per-file.js';
import { FINGERPRINT_KEY, guessesConfirmedBy, passwordFingerprint, uidKeyedPasswordFingerprint } from './support/password-fingerprint.js';
import { minimalReplicaSetDB, recordingClient, reconcileObjects, type AwsCall } from './support/reconcile-objects.js';
import { eventually, rdsClient, uniqueName } from '../env/helpers.js';

const { core, custom, mergePatch } = apiClients();

/** Every line the operator logs in this file, at the most verbose level. */
const logLines: string[] = [];
const log = createLogger({ level: 'trace', destination: { write: (line: string) => void logLines.push(line) } });

const calls: AwsCall[] = [];
const namespace = uniqueName('rsdb-credentials');
const operators = operatorPerFile({ namespace, log, operator: () => ({ identity: 'credentials-int-test', rdsClient: recordingClient(calls) }) });
const rds = rdsClient();
const { settled, createObject: create } = reconcileObjects(
  () => namespace,
  () => rds,
);

async function createObject(name: string, spec: Record<string, unknown>): Promise<void> {
  await create(minimalReplicaSetDB(name, { masterUsername: 'servio', ...spec }, { namespace }));
}

async function secretData(name: string): Promise<Record<string, string>> {
  const secret = await core.readNamespacedSecret({ namespace, name });
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

const passwordCalls = () => calls.filter((c) => c.operation === 'ModifyDBInstance' && 'MasterUserPassword' in c.input);
const ready = (s: ReplicaSetDBStatus) => s.conditions?.find((c) => c.type === 'Ready');

describe('the master password follows the Secret', () => {
  const name = 'rotating';
  const rotated = 'Rotated-By-A-Person-0123456789';
  let generated = '';
  let key = '';

  it('creates the Secret with DB_USERNAME and DB_PASSWORD and records the fingerprint of the password it sent', async () => {
    await createObject(name, { replicas: { count: 1 } });
    const obj = await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 1);
    const data = await secretData(`${name}-credentials`);
    generated = data.password!;
    key = data[FINGERPRINT_KEY]!;
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(data).toEqual({ username: 'servio', password: generated, DB_USERNAME: 'servio', DB_PASSWORD: generated, [FINGERPRINT_KEY]: key });
    expect(calls.find((c) => c.operation === 'CreateDBInstance')?.input.MasterUserPassword).toBe(generated);
    expect(obj.status?.credentials).toEqual({ appliedPasswordFingerprint: passwordFingerprint(generated, key) });
    expect(passwordCalls()).toEqual([]);
  });

  it('sends a rotated password to the primary once, records it, and copies it to DB_PASSWORD', async () => {
    await core.patchNamespacedSecret({ namespace, name: `${name}-credentials`, body: { stringData: { password: rotated } } }, mergePatch);
    await settled(name, (s) => s.credentials?.appliedPasswordFingerprint === passwordFingerprint(rotated, key));
    const base = rdsBaseIdentifier(namespace, name);
    expect(passwordCalls().map((c) => c.input)).toEqual([{ DBInstanceIdentifier: base, MasterUserPassword: rotated, ApplyImmediately: false }]);
    await eventually('DB_PASSWORD to follow', async () => ((await secretData(`${name}-credentials`)).DB_PASSWORD === rotated ? true : undefined));
    expect(await secretData(`${name}-credentials`)).toEqual({
      username: 'servio',
      password: rotated,
      DB_USERNAME: 'servio',
      DB_PASSWORD: rotated,
      [FINGERPRINT_KEY]: key,
    });
    await settled(name, (s) => s.phase === 'Ready');
  });

  it('sends nothing more on the reconciles that follow', async () => {
    const before = calls.length;
    // Three steady resyncs of the test operator (1.5 s each).
    await new Promise((r) => setTimeout(r, 5_000));
    expect(calls.length).toBeGreaterThan(before);
    expect(passwordCalls()).toHaveLength(1);
    expect(calls.slice(before).filter((c) => !/^(Describe|List)/.test(c.operation))).toEqual([]);
  });

  it('never shows either password in a log line or an Event', async () => {
    const events = (await core.listNamespacedEvent({ namespace })).items.map((e) => `${e.reason}: ${e.message}`);
    expect(events.join('\n')).toContain('MasterPasswordChanged');
    expect(logLines.length).toBeGreaterThan(0);
    for (const password of [generated, rotated]) {
      expect(logLines.filter((l) => l.includes(password))).toEqual([]);
      expect(events.filter((e) => e.includes(password))).toEqual([]);
    }
  });
});

describe('a Secret naming another master user', () => {
  it('is reported with both names, and nothing is created', async () => {
    const name = 'mismatch';
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'mismatch-credentials' }, stringData: { username: 'admin', password: 'Chosen-By-A-Person-42' } },
    });
    await createObject(name, { replicas: { count: 0 } });
    const obj = await settled(name, (s) => ready(s)?.reason === 'CredentialsUsernameMismatch');
    expect(ready(obj.status!)).toMatchObject({
      status: 'False',
      message: expect.stringContaining('Secret mismatch-credentials has username "admin", but spec.masterUsername is "servio"'),
    });
    const base = rdsBaseIdentifier(namespace, name);
    expect(calls.filter((c) => c.input.DBInstanceIdentifier === base && !/^(Describe|List)/.test(c.operation))).toEqual([]);
  });
});

describe('a Secret deleted while the primary exists', () => {
  it('is reported as Degraded CredentialsMissing, never replaced; a new password written back is sent to RDS', async () => {
    const name = 'lost';
    await createObject(name, { replicas: { count: 0 } });
    await settled(name, (s) => s.phase === 'Ready');
    const secret = `${name}-credentials`;
    await core.deleteNamespacedSecret({ namespace, name: secret });
    const before = calls.length;
    const missing = await settled(name, (s) => s.conditions?.some((c) => c.type === 'Degraded' && c.reason === 'CredentialsMissing') === true);
    expect(missing.status?.phase).toBe('Degraded');
    expect(missing.status?.conditions?.find((c) => c.type === 'Degraded')?.message).toContain(`Secret ${secret} does not exist`);
    expect(ready(missing.status!)).toMatchObject({ status: 'True' });
    // Neither a generated Secret nor a password sent: either would lock out the clients that still have the current one.
    await expect(core.readNamespacedSecret({ namespace, name: secret })).rejects.toMatchObject({ code: 404 });
    expect(calls.slice(before).filter((c) => !/^(Describe|List)/.test(c.operation))).toEqual([]);

    const restored = 'Written-Back-By-A-Person-2026';
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: secret }, stringData: { username: 'servio', password: restored } } });
    // The Secret written back has no fingerprint key: the operator adds a new one, and the fingerprint made with the
    // old one cannot match, so the password is sent (the same password again would be harmless).
    const written = await eventually('a new fingerprint key', async () => (await secretData(secret))[FINGERPRINT_KEY]);
    await settled(name, (s) => s.phase === 'Ready' && s.credentials?.appliedPasswordFingerprint === passwordFingerprint(restored, written));
    const base = rdsBaseIdentifier(namespace, name);
    expect(
      passwordCalls()
        .filter((c) => c.input.DBInstanceIdentifier === base)
        .map((c) => c.input.MasterUserPassword),
    ).toEqual([restored]);
  });
});

describe('a password a person chose', () => {
  const name = 'chosen';
  const secret = `${name}-credentials`;
  const chosen = 'Winter2025!';

  it('cannot be tested against the status by someone who may read the ReplicaSetDB but not its Secret', async () => {
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: secret }, stringData: { username: 'servio', password: chosen } } });
    await createObject(name, { replicas: { count: 0 } });
    const obj = await settled(name, (s) => s.phase === 'Ready' && s.credentials?.appliedPasswordFingerprint !== undefined);
    const recorded = obj.status!.credentials!.appliedPasswordFingerprint!;
    const visible = [obj.metadata.uid, obj.metadata.name, namespace, `${namespace}/${name}`, secret, rdsBaseIdentifier(namespace, name), ''];
    const dictionary = ['Password1!', 'Summer2025!', 'Spring2026!', chosen, 'Welcome123!', 'Autumn2024!'];
    expect(guessesConfirmedBy(recorded, dictionary, visible)).toEqual([]);
    // The guesser's method works where the key is known: what the status holds is still this password's fingerprint.
    const key = (await secretData(secret))[FINGERPRINT_KEY]!;
    expect(recorded).toBe(passwordFingerprint(chosen, key));
    expect(guessesConfirmedBy(recorded, dictionary, [key])).toEqual([chosen]);
  });

  it('recorded by an earlier operator with the uid-keyed fingerprint is carried over without sending it again', async () => {
    const obj = await settled(name, (s) => s.phase === 'Ready');
    const base = rdsBaseIdentifier(namespace, name);
    // What an operator before the Secret's key left: the uid-keyed fingerprint, and a Secret without the key.
    await operators.stopAll();
    const stored = (await custom.getNamespacedCustomObject({ ...objectPath(), name })) as { status: ReplicaSetDBStatus };
    await custom.replaceNamespacedCustomObjectStatus({
      ...objectPath(),
      name,
      body: { ...stored, status: { ...stored.status, credentials: { appliedPasswordFingerprint: uidKeyedPasswordFingerprint(chosen, obj.metadata.uid) } } },
    });
    await core.patchNamespacedSecret({ namespace, name: secret, body: { data: { [FINGERPRINT_KEY]: null } } }, mergePatch);
    expect(await secretData(secret)).not.toHaveProperty(FINGERPRINT_KEY);
    const before = calls.length;

    operators.start();
    const key = await eventually('the fingerprint key to be written', async () => (await secretData(secret))[FINGERPRINT_KEY]);
    await settled(name, (s) => s.phase === 'Ready' && s.credentials?.appliedPasswordFingerprint === passwordFingerprint(chosen, key));
    expect(calls.slice(before).filter((c) => c.input.DBInstanceIdentifier === base && !/^(Describe|List)/.test(c.operation))).toEqual([]);
  });
});

function objectPath() {
  return { group: GROUP, version: VERSION, plural: PLURAL, namespace };
}
