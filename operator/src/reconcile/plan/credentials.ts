// The master password after creation. The Secret is its source of truth: when its password no longer has the
// fingerprint status recorded for the password RDS was last given, the new one is sent to the primary
// (ModifyDBInstance MasterUserPassword); read replicas take the primary's password through replication.
//
// An object whose status has no fingerprint yet (created before fingerprints were recorded, or whose status write
// was lost after CreateDBInstance) has its Secret's current fingerprint recorded without sending anything: the
// operator sent that Secret's password at creation and, until now, never changed it. Sending it again would only
// put the primary through `resetting-master-credentials` for nothing. The one case this gets wrong is a Secret
// edited while an older operator ignored edits; docs/operations.md says how to re-apply it.
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
  if (rejected === undefined || credentials.state !== 'usable' || credentials.passwordFingerprint !== rejected) return undefined;
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
  if (credentials.environmentKeysStale) plan.steps.push({ kind: 'syncCredentialEnvironment', secret });

  const primary = observed.primary();
  const recorded = recordedPasswordFingerprint(observed);
  if (primary === undefined || !observed.isManaged(primary) || recorded === undefined || recorded === credentials.passwordFingerprint) return;
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

/** The fingerprint to keep as rejected: set by a rejection of this reconcile, kept until a password is applied. */
export function rejectedPasswordFingerprint(observed: Observed, appliedNow: string | undefined, rejectedNow: string | undefined): string | undefined {
  if (rejectedNow !== undefined) return rejectedNow;
  return appliedNow !== undefined ? undefined : observed.previousStatus?.credentials?.rejectedPasswordFingerprint;
}

/** What status records after a reconcile: the password just applied, else the one recorded before, else (an
 * object without a record whose primary exists) the Secret's current one, as explained above. */
export function appliedPasswordFingerprint(observed: Observed, appliedNow: string | undefined): string | undefined {
  if (appliedNow !== undefined) return appliedNow;
  const recorded = recordedPasswordFingerprint(observed);
  if (recorded !== undefined) return recorded;
  const credentials = observed.credentials();
  const primary = observed.primary();
  return primary !== undefined && observed.isManaged(primary) && credentials.state === 'usable' ? credentials.passwordFingerprint : undefined;
}
