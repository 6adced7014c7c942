import { describe, expect, it } from 'vitest';
import { passwordFingerprint, uidKeyedPasswordFingerprint } from '../credentials.js';
import { BASE, CLASS_CHANGE_HELD, FINGERPRINT_KEY, aReplicaSetDB, aWorld, SECRET_PASSWORD, UID, usableCredentials } from '../testing/fixtures.js';
import { plan, stepOf, stepsOf } from '../testing/plan-helpers.js';
import type { CredentialsState } from '../observed.js';
import { appliedPasswordFingerprint, rejectedPasswordFingerprint } from './credentials.js';

const ROTATED = 'RotatedByAPerson0123456789';
const applied = (password: string) => ({ credentials: { appliedPasswordFingerprint: passwordFingerprint(password, FINGERPRINT_KEY) } });

/** A world in sync whose status recorded `recorded` as applied and whose Secret now holds `current`. */
function world(recorded: string | undefined, current: string, primaryStatus = 'available') {
  const db = aReplicaSetDB().withReplicas(1);
  if (recorded !== undefined) db.withStatus(applied(recorded));
  return aWorld(db).inSync().withPrimary({ status: primaryStatus }).withCredentials(usableCredentials(current)).build();
}

describe('plan: the master password', () => {
  it('plans nothing when the Secret holds the password RDS was given', () => {
    const p = plan(world(SECRET_PASSWORD, SECRET_PASSWORD));
    expect(stepsOf(p)).toEqual([]);
    expect(p.pendingChanges).toEqual([]);
  });

  it('sends a new password although a change of another field of the primary is held', () => {
    const db = aReplicaSetDB()
      .withReplicas(1)
      .withStatus({ ...applied(SECRET_PASSWORD), heldChanges: [CLASS_CHANGE_HELD] });
    const p = plan(aWorld(db).inSync().withCredentials(usableCredentials(ROTATED)).build());
    expect(stepsOf(p)).toContain(`applyMasterPassword ${BASE}`);
  });

  it('sends the new password to the primary, and only to it, when the fingerprints differ and it is available', () => {
    const p = plan(world(SECRET_PASSWORD, ROTATED));
    expect(stepsOf(p)).toEqual([`applyMasterPassword ${BASE}`]);
    expect(stepOf(p, 'applyMasterPassword')).toEqual({
      kind: 'applyMasterPassword',
      identifier: BASE,
      secret: { namespace: 'prod', name: 'servio-credentials' },
      passwordFingerprint: passwordFingerprint(ROTATED, FINGERPRINT_KEY),
    });
  });

  it.each(['modifying', 'backing-up', 'resetting-master-credentials', 'storage-full', 'creating'])('waits while the primary is %s', (status) => {
    const p = plan(world(SECRET_PASSWORD, ROTATED, status));
    expect(stepsOf(p)).not.toContain(`applyMasterPassword ${BASE}`);
    expect(p.pendingChanges).toContain(`${BASE}: the master password from Secret servio-credentials (once available)`);
  });

  it('sends nothing for an object without a recorded fingerprint, and records the Secret as applied', () => {
    const observed = world(undefined, ROTATED);
    expect(stepsOf(plan(observed))).toEqual([]);
    expect(appliedPasswordFingerprint(observed, {})).toBe(passwordFingerprint(ROTATED, FINGERPRINT_KEY));
  });

  it('records what a call applied over what status held, and nothing before a primary exists', () => {
    const observed = world(SECRET_PASSWORD, ROTATED);
    expect(appliedPasswordFingerprint(observed, {})).toBe(passwordFingerprint(SECRET_PASSWORD, FINGERPRINT_KEY));
    expect(appliedPasswordFingerprint(observed, { appliedPasswordFingerprint: 'hmac-sha256/secret-key:x' })).toBe('hmac-sha256/secret-key:x');
    const empty = aWorld(aReplicaSetDB()).withCredentials(usableCredentials()).build();
    expect(appliedPasswordFingerprint(empty, {})).toBeUndefined();
  });

  it('never puts a password in the observed snapshot, the plan or the fingerprint', () => {
    const observed = world(SECRET_PASSWORD, ROTATED);
    const p = plan(observed);
    const text = JSON.stringify([observed.world.credentials, observed.previousStatus, p, appliedPasswordFingerprint(observed, {})]);
    expect(text).not.toContain(ROTATED);
    expect(text).not.toContain(SECRET_PASSWORD);
    expect(text).not.toContain(FINGERPRINT_KEY);
    expect(text).toContain(passwordFingerprint(ROTATED, FINGERPRINT_KEY));
  });

  it('holds a password RDS rejected until the Secret holds another', () => {
    const status = {
      credentials: {
        appliedPasswordFingerprint: passwordFingerprint(SECRET_PASSWORD, FINGERPRINT_KEY),
        rejectedPasswordFingerprint: passwordFingerprint(ROTATED, FINGERPRINT_KEY),
      },
    };
    const held = plan(aWorld(aReplicaSetDB().withStatus(status)).inSync().withCredentials(usableCredentials(ROTATED)).build());
    expect(stepsOf(held)).toEqual([]);
    expect(held.blocker).toEqual({
      reason: 'CredentialsRejected',
      message: 'RDS rejected the password in Secret servio-credentials. Write another password to the Secret.',
    });
    const next = plan(aWorld(aReplicaSetDB().withStatus(status)).inSync().withCredentials(usableCredentials('Third-Password-0123456789')).build());
    expect(next.blocker).toBeUndefined();
    expect(stepsOf(next)).toEqual([`applyMasterPassword ${BASE}`]);
  });

  it('fingerprints differ per key for the same password, and never take the uid-keyed format', () => {
    expect(passwordFingerprint(ROTATED, FINGERPRINT_KEY)).not.toBe(passwordFingerprint(ROTATED, 'another-key'));
    expect(passwordFingerprint(ROTATED, FINGERPRINT_KEY)).toMatch(/^hmac-sha256\/secret-key:[A-Za-z0-9_-]{43}$/);
    expect(passwordFingerprint(ROTATED, UID)).not.toBe(uidKeyedPasswordFingerprint(ROTATED, UID));
  });
});

describe('plan: a Secret without its fingerprint key, and records an earlier operator made', () => {
  const uidKeyed = (password: string) => uidKeyedPasswordFingerprint(password, UID);
  const withRecord = (credentials: Record<string, string>, current: CredentialsState, primaryStatus = 'available') =>
    aWorld(aReplicaSetDB().withReplicas(1).withStatus({ credentials })).inSync().withPrimary({ status: primaryStatus }).withCredentials(current).build();
  const keyWritten = (password: string, key = 'a-key-written-now') => ({
    fingerprintKeyWritten: { passwordFingerprint: passwordFingerprint(password, key), uidKeyedFingerprint: uidKeyed(password) },
  });

  it("rewrites a uid-keyed record of the Secret's password in the keyed format, sending nothing", () => {
    const observed = withRecord({ appliedPasswordFingerprint: uidKeyed(SECRET_PASSWORD) }, usableCredentials(SECRET_PASSWORD));
    expect(stepsOf(plan(observed))).toEqual([]);
    expect(appliedPasswordFingerprint(observed, {})).toBe(passwordFingerprint(SECRET_PASSWORD, FINGERPRINT_KEY));
  });

  it('writes the key first, and rewrites the record with the key written for the same password in that reconcile', () => {
    const observed = withRecord({ appliedPasswordFingerprint: uidKeyed(SECRET_PASSWORD) }, usableCredentials(SECRET_PASSWORD, { withoutFingerprintKey: true }));
    const p = plan(observed);
    expect(stepsOf(p)).toEqual(['completeCredentialsSecret servio-credentials']);
    expect(p.waits).toEqual([]);
    expect(appliedPasswordFingerprint(observed, keyWritten(SECRET_PASSWORD))).toBe(passwordFingerprint(SECRET_PASSWORD, 'a-key-written-now'));
    // Written for a password the Secret took after it was observed: that one was never given to RDS.
    expect(appliedPasswordFingerprint(observed, keyWritten(ROTATED))).toBe(uidKeyed(SECRET_PASSWORD));
    // Not written (the step failed): the record stays as it was.
    expect(appliedPasswordFingerprint(observed, {})).toBe(uidKeyed(SECRET_PASSWORD));
  });

  it('sends a password a person wrote while an earlier operator ran, once the Secret has its key', () => {
    const observed = withRecord({ appliedPasswordFingerprint: uidKeyed(SECRET_PASSWORD) }, usableCredentials(ROTATED));
    expect(stepOf(plan(observed), 'applyMasterPassword')).toMatchObject({ passwordFingerprint: passwordFingerprint(ROTATED, FINGERPRINT_KEY) });
    expect(appliedPasswordFingerprint(observed, {})).toBe(uidKeyed(SECRET_PASSWORD));
  });

  it('waits for a new key, without sending, when the Secret lost the key its record was made with', () => {
    const observed = withRecord(
      { appliedPasswordFingerprint: passwordFingerprint(SECRET_PASSWORD, FINGERPRINT_KEY) },
      usableCredentials(SECRET_PASSWORD, { withoutFingerprintKey: true }),
    );
    const p = plan(observed);
    expect(stepsOf(p)).toEqual(['completeCredentialsSecret servio-credentials']);
    expect(p.waits.map((w) => w.message)).toEqual([
      `the password in Secret servio-credentials is compared with the one ${BASE} was given once the Secret holds its new fingerprint key`,
    ]);
    // The record made with the lost key cannot match the new one: it stays, and the next pass sends the password.
    expect(appliedPasswordFingerprint(observed, keyWritten(SECRET_PASSWORD))).toBe(passwordFingerprint(SECRET_PASSWORD, FINGERPRINT_KEY));
    // The next pass reads the Secret with the key written: its fingerprint differs from the record's.
    const withNewKey: CredentialsState = {
      state: 'usable',
      username: 'servio',
      environmentKeysStale: false,
      passwordFingerprint: passwordFingerprint(SECRET_PASSWORD, 'the-new-key'),
      uidKeyedFingerprint: uidKeyed(SECRET_PASSWORD),
    };
    const next = withRecord({ appliedPasswordFingerprint: passwordFingerprint(SECRET_PASSWORD, FINGERPRINT_KEY) }, withNewKey);
    expect(stepsOf(plan(next))).toEqual([`applyMasterPassword ${BASE}`]);
  });

  it('records the Secret of an object without a record only with a key', () => {
    const observed = withRecord({}, usableCredentials(SECRET_PASSWORD, { withoutFingerprintKey: true }));
    expect(stepsOf(plan(observed))).toEqual(['completeCredentialsSecret servio-credentials']);
    expect(appliedPasswordFingerprint(observed, {})).toBeUndefined();
    expect(appliedPasswordFingerprint(observed, keyWritten(SECRET_PASSWORD))).toBe(passwordFingerprint(SECRET_PASSWORD, 'a-key-written-now'));
  });

  it('keeps a uid-keyed rejection only while the Secret holds that password, in the keyed format', () => {
    const record = { appliedPasswordFingerprint: uidKeyed(SECRET_PASSWORD), rejectedPasswordFingerprint: uidKeyed(ROTATED) };
    const held = withRecord(record, usableCredentials(ROTATED));
    expect(plan(held).blocker?.reason).toBe('CredentialsRejected');
    expect(stepsOf(plan(held))).toEqual([]);
    expect(rejectedPasswordFingerprint(held, {}, undefined)).toBe(passwordFingerprint(ROTATED, FINGERPRINT_KEY));
    const other = withRecord(record, usableCredentials('Third-Password-0123456789'));
    expect(rejectedPasswordFingerprint(other, {}, undefined)).toBeUndefined();
  });
});

describe('plan: the Secret', () => {
  it('copies username and password to the environment keys when they are stale, whatever the primary does', () => {
    const db = aReplicaSetDB().withStatus(applied(SECRET_PASSWORD));
    const stale = usableCredentials(SECRET_PASSWORD, { environmentKeysStale: true });
    expect(stepsOf(plan(aWorld(db).inSync().withPrimary({ status: 'modifying' }).withCredentials(stale).build()))).toEqual([
      'completeCredentialsSecret servio-credentials',
    ]);
    expect(stepsOf(plan(aWorld(aReplicaSetDB()).withCredentials(stale).build()))).toContain('completeCredentialsSecret servio-credentials');
  });

  it('blocks everything, naming the Secret and both users, when its username is not spec.masterUsername', () => {
    const observed = aWorld(aReplicaSetDB().withStatus(applied(SECRET_PASSWORD)))
      .inSync()
      .withCredentials(usableCredentials(ROTATED, { username: 'admin' }))
      .build();
    const p = plan(observed);
    expect(p.steps).toEqual([]);
    expect(p.blocker).toEqual({
      reason: 'CredentialsUsernameMismatch',
      message:
        'Secret servio-credentials has username "admin", but spec.masterUsername is "servio" (RDS cannot rename the master user). Set username in Secret servio-credentials to "servio".',
    });
  });

  it('names a missing username key', () => {
    const p = plan(
      aWorld(aReplicaSetDB())
        .withCredentials(usableCredentials(SECRET_PASSWORD, { username: undefined }))
        .build(),
    );
    expect(p.blocker?.message).toMatch(/^Secret servio-credentials has no username key, but spec\.masterUsername is "servio"/);
    expect(stepsOf(p)).not.toContain(`createPrimary ${BASE}`);
  });

  it('blocks an existing primary when the Secret can no longer supply a password', () => {
    const p = plan(aWorld(aReplicaSetDB()).inSync().withCredentials({ state: 'unusable', reason: 'the password must be 8 to 128 characters long' }).build());
    expect(p.blocker).toEqual({
      reason: 'CredentialsInvalid',
      message: 'Secret servio-credentials cannot supply the master password: the password must be 8 to 128 characters long. Fix the password in the Secret.',
    });
  });
});
