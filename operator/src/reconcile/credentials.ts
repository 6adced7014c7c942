// The master password: generated once, kept in the Secret, sent to RDS once. RDS accepts 8 to 128 printable
// ASCII characters other than / " @ ' and space for PostgreSQL; letters and digits alone are safe in any
// connection string without escaping, and 40 of them carry about 238 bits.
import { randomBytes } from 'node:crypto';

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
