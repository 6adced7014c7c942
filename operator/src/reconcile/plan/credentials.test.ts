import { describe, expect, it } from 'vitest';
import { passwordFingerprint } from '../credentials.js';
import { BASE, CLASS_CHANGE_HELD, aReplicaSetDB, aWorld, SECRET_PASSWORD, UID, usableCredentials } from '../testing/fixtures.js';
import { plan, stepOf, stepsOf } from '../testing/plan-helpers.js';
import { appliedPasswordFingerprint } from './credentials.js';

const ROTATED = 'RotatedByAPerson0123456789';
const applied = (password: string) => ({ credentials: { appliedPasswordFingerprint: passwordFingerprint(password, UID) } });

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
      passwordFingerprint: passwordFingerprint(ROTATED, UID),
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
    expect(appliedPasswordFingerprint(observed, undefined)).toBe(passwordFingerprint(ROTATED, UID));
  });

  it('records what a call applied over what status held, and nothing before a primary exists', () => {
    const observed = world(SECRET_PASSWORD, ROTATED);
    expect(appliedPasswordFingerprint(observed, undefined)).toBe(passwordFingerprint(SECRET_PASSWORD, UID));
    expect(appliedPasswordFingerprint(observed, 'hmac-sha256:x')).toBe('hmac-sha256:x');
    const empty = aWorld(aReplicaSetDB()).withCredentials(usableCredentials()).build();
    expect(appliedPasswordFingerprint(empty, undefined)).toBeUndefined();
  });

  it('never puts a password in the observed snapshot, the plan or the fingerprint', () => {
    const observed = world(SECRET_PASSWORD, ROTATED);
    const p = plan(observed);
    const text = JSON.stringify([observed.world.credentials, observed.previousStatus, p, appliedPasswordFingerprint(observed, undefined)]);
    expect(text).not.toContain(ROTATED);
    expect(text).not.toContain(SECRET_PASSWORD);
    expect(text).toContain(passwordFingerprint(ROTATED, UID));
  });

  it('holds a password RDS rejected until the Secret holds another', () => {
    const status = {
      credentials: { appliedPasswordFingerprint: passwordFingerprint(SECRET_PASSWORD, UID), rejectedPasswordFingerprint: passwordFingerprint(ROTATED, UID) },
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

  it('fingerprints differ per object for the same password', () => {
    expect(passwordFingerprint(ROTATED, UID)).not.toBe(passwordFingerprint(ROTATED, 'another-uid'));
    expect(passwordFingerprint(ROTATED, UID)).toMatch(/^hmac-sha256:[A-Za-z0-9_-]{43}$/);
  });
});

describe('plan: the Secret', () => {
  it('copies username and password to the environment keys when they are stale, whatever the primary does', () => {
    const db = aReplicaSetDB().withStatus(applied(SECRET_PASSWORD));
    const stale = usableCredentials(SECRET_PASSWORD, { environmentKeysStale: true });
    expect(stepsOf(plan(aWorld(db).inSync().withPrimary({ status: 'modifying' }).withCredentials(stale).build()))).toEqual([
      'syncCredentialEnvironment servio-credentials',
    ]);
    expect(stepsOf(plan(aWorld(aReplicaSetDB()).withCredentials(stale).build()))).toContain('syncCredentialEnvironment servio-credentials');
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
