// The whole reconcile against in-memory ports: the Secret stays the source of truth for the master password after
// creation (a rotated password reaches RDS once), its environment copies follow it, and its username must be
// the spec's. The fingerprint is computed here independently of the code under test, with the key the Secret holds.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RdsError } from '../rds/errors.js';
import { BASE, aReplicaSetDB, UID } from './testing/fixtures.js';
import { GENERATED_PASSWORD, aHarness, type Harness } from './testing/harness.js';

const SECRET = 'prod/servio-credentials';
const ROTATED = 'RotatedByAPerson0123456789';

const KEY = 'password_fingerprint_key';
const hmac = (key: string, password: string) => createHmac('sha256', key).update(password, 'utf8').digest('base64url');
/** What status should record for `password`, made with the key the Secret holds now. */
function fingerprintOf(h: Harness, password: string): string {
  const key = h.kube.secrets.get(SECRET)?.data[KEY];
  if (key === undefined) throw new Error('the Secret has no fingerprint key');
  return `hmac-sha256/secret-key:${hmac(key, password)}`;
}
/** What operators before the Secret's key recorded. */
const uidKeyedFingerprintOf = (password: string) => `hmac-sha256:${hmac(UID, password)}`;

function rotate(h: Harness, password: string): void {
  const secret = h.kube.secrets.get(SECRET);
  if (secret === undefined) throw new Error('no Secret to rotate');
  secret.data.password = password;
}

const passwordCalls = (h: Harness) => h.rds.calls.filter((c) => c.operation === 'ModifyDBInstance');

describe('reconcile: the master password follows the Secret', () => {
  it('records the fingerprint of the password it created the primary with', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    expect(h.status()?.credentials).toEqual({ appliedPasswordFingerprint: fingerprintOf(h, GENERATED_PASSWORD) });
  });

  it('sends a rotated password to the primary once, records its fingerprint, and then sends nothing', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1));
    await h.converge();
    rotate(h, ROTATED);
    await h.converge();
    expect(h.rds.passwords.get(BASE)).toBe(ROTATED);
    expect(passwordCalls(h)).toEqual([{ operation: 'ModifyDBInstance', subject: BASE, mutating: true }]);
    expect(h.status()?.credentials?.appliedPasswordFingerprint).toBe(fingerprintOf(h, ROTATED));
    // The replica follows its source through replication: nothing is sent to it.
    expect(h.rds.passwords.has(`${BASE}-r1`)).toBe(false);

    const before = h.rds.mutatingCalls().length;
    await h.reconcile();
    await h.reconcile();
    expect(h.rds.mutatingCalls()).toHaveLength(before);
  });

  it('sends the same password once more when the process stops between the call and the status write, then nothing', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    rotate(h, ROTATED);
    const writeStatus = h.kube.writeStatus.bind(h.kube);
    h.kube.writeStatus = async () => {
      throw new Error('the process stopped before the status write');
    };
    await expect(h.reconcile()).rejects.toThrow('the process stopped');
    h.kube.writeStatus = writeStatus;
    await h.converge();
    await h.reconcile();
    expect(passwordCalls(h)).toHaveLength(2);
    expect(h.rds.passwords.get(BASE)).toBe(ROTATED);
    expect(h.status()?.credentials?.appliedPasswordFingerprint).toBe(fingerprintOf(h, ROTATED));
  });

  it('waits for an available primary before sending the new password', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    h.rds.instances.get(BASE)!.status = 'backing-up';
    rotate(h, ROTATED);
    await h.reconcile();
    expect(passwordCalls(h)).toEqual([]);
    expect(h.status()?.pendingChanges).toContain(`${BASE}: the master password from Secret servio-credentials (once available)`);
    h.rds.instances.get(BASE)!.status = 'available';
    await h.converge();
    expect(h.rds.passwords.get(BASE)).toBe(ROTATED);
  });

  it('keeps every password out of logs, Events, status, ConfigMaps and recorded calls', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1));
    await h.converge();
    rotate(h, ROTATED);
    await h.converge();
    const everywhere = JSON.stringify([h.log.lines, h.kube.events, h.status(), [...h.kube.configMaps.values()], h.rds.calls]);
    expect(everywhere).not.toContain(GENERATED_PASSWORD);
    expect(everywhere).not.toContain(ROTATED);
  });

  it('records the Secret of an object that has no fingerprint yet without sending anything', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    const record = h.kube.record(h.ref)!;
    const { credentials: _dropped, ...older } = record.status!;
    record.status = older;
    const before = h.rds.mutatingCalls().length;
    await h.reconcile();
    expect(h.rds.mutatingCalls()).toHaveLength(before);
    expect(h.status()?.credentials?.appliedPasswordFingerprint).toBe(fingerprintOf(h, GENERATED_PASSWORD));
  });
});

describe('reconcile: the fingerprint key', () => {
  it('leaves status nothing to test a guess against without the Secret', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    const recorded = h.status()?.credentials?.appliedPasswordFingerprint ?? '';
    const digest = recorded.slice(recorded.lastIndexOf(':') + 1);
    expect(digest).toHaveLength(43);
    for (const visible of [UID, 'servio', 'prod', 'prod/servio', BASE, '']) expect(hmac(visible, GENERATED_PASSWORD)).not.toBe(digest);
    expect(recorded).toBe(fingerprintOf(h, GENERATED_PASSWORD));
  });

  it('carries a uid-keyed record of an earlier operator over to the keyed format in one reconcile, sending nothing', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    delete h.kube.secrets.get(SECRET)!.data[KEY];
    h.kube.record(h.ref)!.status!.credentials = { appliedPasswordFingerprint: uidKeyedFingerprintOf(GENERATED_PASSWORD) };
    const before = h.rds.mutatingCalls().length;
    await h.reconcile();
    expect(h.rds.mutatingCalls()).toHaveLength(before);
    expect(h.status()?.credentials).toEqual({ appliedPasswordFingerprint: fingerprintOf(h, GENERATED_PASSWORD) });
  });

  it('sends a password rotated while an earlier operator ran, once', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    delete h.kube.secrets.get(SECRET)!.data[KEY];
    h.kube.record(h.ref)!.status!.credentials = { appliedPasswordFingerprint: uidKeyedFingerprintOf(GENERATED_PASSWORD) };
    rotate(h, ROTATED);
    await h.converge();
    expect(passwordCalls(h)).toHaveLength(1);
    expect(h.rds.passwords.get(BASE)).toBe(ROTATED);
    expect(h.status()?.credentials).toEqual({ appliedPasswordFingerprint: fingerprintOf(h, ROTATED) });
  });

  it('sends the password once more when the Secret is written back without its key', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    const original = h.kube.secrets.get(SECRET)!.data[KEY];
    delete h.kube.secrets.get(SECRET)!.data[KEY];
    await h.converge();
    expect(h.kube.secrets.get(SECRET)!.data[KEY]).not.toBe(original);
    expect(passwordCalls(h)).toHaveLength(1);
    expect(h.rds.passwords.get(BASE)).toBe(GENERATED_PASSWORD);
    expect(h.status()?.credentials).toEqual({ appliedPasswordFingerprint: fingerprintOf(h, GENERATED_PASSWORD) });
    const after = h.rds.mutatingCalls().length;
    await h.reconcile();
    expect(h.rds.mutatingCalls()).toHaveLength(after);
  });
});

/** A converged object whose Secret was then rotated to ROTATED, with RDS set to reject the next password change. */
async function rotationRdsRejects(message: string) {
  const h = aHarness(aReplicaSetDB().withReplicas(0));
  await h.converge();
  rotate(h, ROTATED);
  h.rds.failNext('ModifyDBInstance', new RdsError('terminal', 'InvalidParameterValue', 'ModifyDBInstance', message));
  return h;
}

describe('reconcile: a password RDS rejects', () => {
  it('is not sent again; the Secret is named as what to fix, and a new password in it is sent', async () => {
    const h = await rotationRdsRejects('The parameter MasterUserPassword is not a valid password.');
    await h.converge();
    await h.reconcile();
    expect(passwordCalls(h)).toHaveLength(1);
    expect(h.status()?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'CredentialsRejected',
      message: expect.stringMatching(/RDS rejected the password in Secret servio-credentials: .*not a valid password.* Write another password to the Secret\./),
    });

    rotate(h, 'Another-Password-0123456789');
    await h.converge();
    expect(h.rds.passwords.get(BASE)).toBe('Another-Password-0123456789');
    expect(h.status()?.credentials).toEqual({ appliedPasswordFingerprint: fingerprintOf(h, 'Another-Password-0123456789') });
    expect(h.status()?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  });

  it('sends a corrected password even when the Secret was fixed before the next reconcile', async () => {
    const h = await rotationRdsRejects('not a valid password');
    await h.reconcile();
    rotate(h, 'Another-Password-0123456789');
    await h.converge();
    expect(h.rds.passwords.get(BASE)).toBe('Another-Password-0123456789');
  });
});

describe('reconcile: the Secret for envFrom', () => {
  it('creates the Secret with DB_USERNAME and DB_PASSWORD beside username and password', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    expect(h.kube.secrets.get(SECRET)?.data).toEqual({
      username: 'servio',
      password: GENERATED_PASSWORD,
      DB_USERNAME: 'servio',
      DB_PASSWORD: GENERATED_PASSWORD,
      [KEY]: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('copies a rotated password to DB_PASSWORD, and adds the copies to a Secret a person created', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.kube.createSecret({ namespace: 'prod', name: 'servio-credentials' }, { username: 'servio', password: 'Chosen-By-A-Person-42' }, {});
    await h.converge();
    expect(h.kube.secrets.get(SECRET)?.data).toMatchObject({ DB_USERNAME: 'servio', DB_PASSWORD: 'Chosen-By-A-Person-42' });
    rotate(h, ROTATED);
    await h.converge();
    expect(h.kube.secrets.get(SECRET)?.data).toMatchObject({ password: ROTATED, DB_PASSWORD: ROTATED });
  });
});

describe('reconcile: the Secret names the master user', () => {
  it('reports a Secret whose username is not spec.masterUsername and creates nothing', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.kube.createSecret({ namespace: 'prod', name: 'servio-credentials' }, { username: 'admin', password: 'Chosen-By-A-Person-42' }, {});
    await h.converge();
    expect(h.rds.calls.filter((c) => c.operation === 'CreateDBInstance')).toEqual([]);
    expect(h.status()?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'CredentialsUsernameMismatch',
      message: expect.stringMatching(/Secret servio-credentials has username "admin", but spec\.masterUsername is "servio"/),
    });
  });

  it('sends no rotated password while the username disagrees', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    const secret = h.kube.secrets.get(SECRET)!;
    secret.data = { ...secret.data, username: 'admin', password: ROTATED };
    await h.reconcile();
    expect(passwordCalls(h)).toEqual([]);
    expect(h.status()?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'CredentialsUsernameMismatch' });
  });
});
