// The master password after creation. The Secret is its source of truth: when its password no longer has the
// fingerprint status recorded for the password RDS was last given, the new one is sent to the primary
// (ModifyDBInstance MasterUserPassword); read replicas take the primary's password through replication.
//
// An object whose status has no fingerprint yet (created before fingerprints were recorded, or whose status write
// was lost after CreateDBInstance) has its Secret's current fingerprint recorded without sending anything: the
// operator sent that Secret's password at creation and, until now, never changed it. Sending it again would only
// put the primary through `resetting-master-credentials` for nothing. The one case this gets wrong is a Secret
// edited while an older operator ignored edits; docs/operations.md says how to re-apply it.
//
// Fingerprints are keyed with a key the operator keeps in the Secret, written beside the password when the Secret
// has none. A Secret without it (written by a person, or from before the key) gets one before any comparison
// that needs it; a record in the uid-keyed format of earlier operators is compared in that format and, when it
// is this password's, rewritten in the keyed one in the same reconcile, without sending the password again. A
// Secret re-created without its key gets a new one, with which no earlier record can match: the password is
// then sent once more, which costs a `resetting-master-credentials` and locks nobody out.
import { isFingerprintOf, isUidKeyedFingerprint, type PasswordIdentity } from '../credentials.js';
import { isModifiable } from '../instance-states.js';
import type { Observed } from '../observed.js';
import type { Blocker, Plan, Step } from './types.js';

/** The fingerprint of the password RDS was last given, as the previous status recorded it. */
export function recordedPasswordFingerprint(observed: Observed): string | undefined {
  return observed.previousStatus?.credentials?.appliedPasswordFingerprint;
}

/** How a rejected password is reported: what to change is the Secret, not the spec. `message` is redacted. */
export function passwordRejection(step: Step, message: string): Blocker | undefined {
  if (step.kind !== 'applyMasterPassword') return undefined;
  return {
    reason: 'CredentialsRejected',
    message: `RDS rejected the password in Secret ${step.secret.name}: ${message}. Write another password to the Secret.`,
  };
}

/** RDS rejected the Secret's password: it is not sent again, and the Secret (not the spec, as for other
 * rejections) is what to change. Undefined as soon as the Secret holds another password. */
export function rejectedPassword(observed: Observed): Blocker | undefined {
  const rejected = observed.previousStatus?.credentials?.rejectedPasswordFingerprint;
  const credentials = observed.credentials();
  if (rejected === undefined || credentials.state !== 'usable' || !isFingerprintOf(rejected, credentials)) return undefined;
  const ready = observed.previousStatus?.conditions?.find((c) => c.type === 'Ready');
  return {
    reason: 'CredentialsRejected',
    message:
      ready?.reason === 'CredentialsRejected'
        ? ready.message
        : `RDS rejected the password in Secret ${observed.names.secret.name}. Write another password to the Secret.`,
  };
}

/** The Secret names a different master user than the spec: applications would log in as a user RDS does not
 * have, so nothing is created or sent until a person makes them agree. */
export function usernameMismatch(observed: Observed): Blocker | undefined {
  const credentials = observed.credentials();
  const spec = observed.spec;
  if (credentials.state !== 'usable' || spec === undefined || credentials.username === spec.masterUsername) return undefined;
  const secret = observed.names.secret.name;
  const has = credentials.username === undefined ? 'has no username key' : `has username "${credentials.username}"`;
  return {
    reason: 'CredentialsUsernameMismatch',
    message: `Secret ${secret} ${has}, but spec.masterUsername is "${spec.masterUsername}" (RDS cannot rename the master user). Set username in Secret ${secret} to "${spec.masterUsername}".`,
  };
}

export function planCredentials(plan: Plan, observed: Observed): void {
  const credentials = observed.credentials();
  if (credentials.state !== 'usable') return;
  const secret = observed.names.secret;
  if (credentials.environmentKeysStale || credentials.passwordFingerprint === undefined) plan.steps.push({ kind: 'completeCredentialsSecret', secret });

  const primary = observed.primary();
  const recorded = recordedPasswordFingerprint(observed);
  if (primary === undefined || !observed.isManaged(primary) || recorded === undefined || isFingerprintOf(recorded, credentials)) return;
  if (credentials.passwordFingerprint === undefined) {
    // A record made with a key the Secret no longer has: the step above writes a new one, the next pass sends.
    plan.waits.push({
      subject: primary.identifier,
      message: `the password in Secret ${secret.name} is compared with the one ${primary.identifier} was given once the Secret holds its new fingerprint key`,
    });
    return;
  }
  if (isModifiable(primary.status)) {
    plan.steps.push({ kind: 'applyMasterPassword', identifier: primary.identifier, secret, passwordFingerprint: credentials.passwordFingerprint });
  } else {
    plan.waits.push({
      subject: primary.identifier,
      message: `the new password in Secret ${secret.name} is applied once ${primary.identifier} is available (it is ${primary.status})`,
    });
    plan.pendingChanges.push(`${primary.identifier}: the master password from Secret ${secret.name} (once available)`);
  }
}

/** The Secret is gone while the primary exists: applications that read it cannot log in. The operator does not
 * generate a replacement: a new password sent to RDS would lock out every client still holding the current one. The
 * database serves, so this degrades the object without blocking anything. */
export function missingCredentials(observed: Observed): string | undefined {
  const primary = observed.primary();
  if (observed.isDeleting() || primary === undefined || !observed.isManaged(primary) || observed.credentials().state !== 'absent') return undefined;
  const secret = observed.names.secret.name;
  // Without a recorded fingerprint (adopted, or from before fingerprints) the Secret's password is taken to be RDS's.
  const password =
    recordedPasswordFingerprint(observed) !== undefined
      ? `the master password ${primary.identifier} has now, or a new one, which the operator sends to RDS`
      : `the master password RDS has now for ${primary.identifier}`;
  return `Secret ${secret} does not exist, so applications that read it cannot log in; the operator does not replace it. Create it with keys username and password (${password}); it is seen at the next resync, or at once after any change to this ReplicaSetDB`;
}

/** What apply reports about the password: the fingerprint of one it gave RDS, and the Secret's password as it was
 * when apply wrote the Secret's first fingerprint key. */
export interface AppliedCredentials {
  appliedPasswordFingerprint?: string;
  fingerprintKeyWritten?: PasswordIdentity & { passwordFingerprint: string };
}

/** The Secret's password in the keyed format: as observed, or with the key this reconcile wrote, if it wrote it for
 * the password observed. */
function keyedFingerprint(observed: Observed, applied: AppliedCredentials): string | undefined {
  const credentials = observed.credentials();
  if (credentials.state !== 'usable') return undefined;
  if (credentials.passwordFingerprint !== undefined) return credentials.passwordFingerprint;
  const written = applied.fingerprintKeyWritten;
  return written !== undefined && written.uidKeyedFingerprint === credentials.uidKeyedFingerprint ? written.passwordFingerprint : undefined;
}

/** The fingerprint to keep as rejected: set by a rejection of this reconcile, kept until a password is applied. One
 * in the uid-keyed format is kept only while the Secret holds that password, rewritten in the keyed format. */
export function rejectedPasswordFingerprint(observed: Observed, applied: AppliedCredentials, rejectedNow: string | undefined): string | undefined {
  if (rejectedNow !== undefined) return rejectedNow;
  if (applied.appliedPasswordFingerprint !== undefined) return undefined;
  const rejected = observed.previousStatus?.credentials?.rejectedPasswordFingerprint;
  if (rejected === undefined || !isUidKeyedFingerprint(rejected)) return rejected;
  const credentials = observed.credentials();
  if (credentials.state !== 'usable' || !isFingerprintOf(rejected, credentials)) return undefined;
  return keyedFingerprint(observed, applied) ?? rejected;
}

/** What status records after a reconcile: the password just applied, else the one recorded before (rewritten in
 * the keyed format when it is the Secret's password), else (an object without a record whose primary exists) the
 * Secret's current one, as explained above. */
export function appliedPasswordFingerprint(observed: Observed, applied: AppliedCredentials): string | undefined {
  if (applied.appliedPasswordFingerprint !== undefined) return applied.appliedPasswordFingerprint;
  const credentials = observed.credentials();
  const keyed = keyedFingerprint(observed, applied);
  const recorded = recordedPasswordFingerprint(observed);
  if (recorded !== undefined) return keyed !== undefined && credentials.state === 'usable' && isFingerprintOf(recorded, credentials) ? keyed : recorded;
  const primary = observed.primary();
  return primary !== undefined && observed.isManaged(primary) ? keyed : undefined;
}
