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

/** The Secret's data as the operator creates it: the source keys and their environment copies. */
export function credentialsSecretData(username: string, password: string): Record<string, string> {
  return {
    [SECRET_USERNAME_KEY]: username,
    [SECRET_PASSWORD_KEY]: password,
    [SERVIO_ENV_KEYS.username]: username,
    [SERVIO_ENV_KEYS.password]: password,
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

/** What the status records about a password: an HMAC-SHA256 keyed with the object's uid. It tells whether the
 * Secret changed since the password was applied without storing anything a reader could use: the key differs per
 * object (so equal passwords of two objects do not look equal, and no precomputed table applies), and a generated
 * password carries far more entropy than any search could cover. */
export function passwordFingerprint(password: string, uid: string): string {
  return `hmac-sha256:${createHmac('sha256', uid).update(password, 'utf8').digest('base64url')}`;
}
