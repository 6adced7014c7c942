// The master password: generated once and kept in the Secret, which stays its source of truth: a password a person
// writes there is applied to RDS (ModifyDBInstance). RDS accepts 8 to 128 printable
// ASCII characters other than / " @ ' and space for PostgreSQL; letters and digits alone are safe in any
// connection string without escaping, and 40 of them carry about 238 bits.
import { createHmac, randomBytes } from 'node:crypto';
import { SERVIO_ENV_KEYS } from '@servio/replicasetdb-contract';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const GENERATED_PASSWORD_LENGTH = 40;

/** Uniform over the alphabet: bytes at or above the largest multiple of its size are dropped, not folded, so no
 * character is likelier than another. */
export function generateMasterPassword(length = GENERATED_PASSWORD_LENGTH): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

/** Why RDS would refuse this password, or undefined when it is acceptable. Never mentions the value. */
export function masterPasswordProblem(password: string | undefined): string | undefined {
  if (password === undefined || password === '') return 'it has no password key';
  if (password.length < 8 || password.length > 128) return 'the password must be 8 to 128 characters long';
  if (!/^[\x21-\x7e]+$/.test(password) || /[/"@']/.test(password)) {
    return 'the password may only contain printable ASCII characters other than / " @ \' and space';
  }
  return undefined;
}

/** Replaces every occurrence of each secret in `text`. For messages built from AWS errors, which should never
 * echo a password, but a log line is not the place to find out. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

/** Keys of the credentials Secret: `username`/`password` are the source of truth (what a person edits to rotate);
 * the contract's environment keys (`DB_USERNAME`/`DB_PASSWORD`) are copies for `envFrom`, in the environment the
 * Servio applications read. */
export const SECRET_USERNAME_KEY = 'username';
export const SECRET_PASSWORD_KEY = 'password';
/** Each environment copy and the key it copies. */
export const ENVIRONMENT_KEYS: Readonly<Record<string, string>> = {
  [SERVIO_ENV_KEYS.username]: SECRET_USERNAME_KEY,
  [SERVIO_ENV_KEYS.password]: SECRET_PASSWORD_KEY,
};

/** The Secret's data as the operator creates it: the source keys, their environment copies and the fingerprint key. */
export function credentialsSecretData(username: string, password: string, fingerprintKey: string): Record<string, string> {
  return {
    [SECRET_USERNAME_KEY]: username,
    [SECRET_PASSWORD_KEY]: password,
    [SERVIO_ENV_KEYS.username]: username,
    [SERVIO_ENV_KEYS.password]: password,
    [SECRET_FINGERPRINT_KEY]: fingerprintKey,
  };
}

/** The environment keys whose value differs from the key they copy (absent counts as different), with the value
 * they should take. Empty when the copies are in sync, or when there is nothing to copy. */
export function staleEnvironmentKeys(data: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [copy, source] of Object.entries(ENVIRONMENT_KEYS)) {
    const value = data[source];
    if (value !== undefined && data[copy] !== value) out[copy] = value;
  }
  return out;
}

/** The Secret key holding the key of the password's fingerprint: 32 random bytes the operator writes beside the
 * password. Whoever may read it may read the password too, so it gives nothing away. */
export const SECRET_FINGERPRINT_KEY = 'password_fingerprint_key';

export function generateFingerprintKey(): string {
  return randomBytes(32).toString('base64url');
}

const FINGERPRINT_PREFIX = 'hmac-sha256/secret-key:';
const UID_KEYED_FINGERPRINT_PREFIX = 'hmac-sha256:';

/** What the status records about a password: an HMAC-SHA256 keyed with the key kept in the Secret. It tells whether
 * the Secret changed since the password was applied, and it tells nobody who may read the object but not the
 * Secret anything about the password: without the key, a guess cannot be checked against it. */
export function passwordFingerprint(password: string, fingerprintKey: string): string {
  return `${FINGERPRINT_PREFIX}${createHmac('sha256', fingerprintKey).update(password, 'utf8').digest('base64url')}`;
}

/** The fingerprint earlier operators recorded, keyed with the object's uid. The uid is public, so a recorded one let
 * anyone who may read the object test guesses of a password a person chose; it is only recognised, to be replaced
 * by `passwordFingerprint` without sending the password again. */
export function uidKeyedPasswordFingerprint(password: string, uid: string): string {
  return `${UID_KEYED_FINGERPRINT_PREFIX}${createHmac('sha256', uid).update(password, 'utf8').digest('base64url')}`;
}

/** A password as the Secret holds it, for comparing with what status recorded. */
export interface PasswordIdentity {
  /** Keyed with the Secret's fingerprint key; undefined while the Secret has none. */
  passwordFingerprint?: string;
  /** Only for recognising a record in the earlier format; never recorded again. */
  uidKeyedFingerprint: string;
}

/** Whether `recorded` (a status fingerprint, of either format) is the fingerprint of this password. */
export function isFingerprintOf(recorded: string, password: PasswordIdentity): boolean {
  if (recorded.startsWith(UID_KEYED_FINGERPRINT_PREFIX)) return recorded === password.uidKeyedFingerprint;
  return password.passwordFingerprint !== undefined && recorded === password.passwordFingerprint;
}

/** Whether `recorded` is in the uid-keyed format of earlier operators. */
export function isUidKeyedFingerprint(recorded: string): boolean {
  return recorded.startsWith(UID_KEYED_FINGERPRINT_PREFIX);
}
