// What status.credentials.appliedPasswordFingerprint holds for a password, computed here rather than by the
// operator's own function so that a change of its format fails the tests.
import { createHmac, createHash } from 'node:crypto';

/** The key the operator keeps beside the password in the credentials Secret. */
export const FINGERPRINT_KEY = 'password_fingerprint_key';

export function passwordFingerprint(password: string, key: string): string {
  return `hmac-sha256/secret-key:${createHmac('sha256', key).update(password, 'utf8').digest('base64url')}`;
}

/** The format operators before the Secret's key wrote: keyed with the object's uid, which anyone who may read the
 * object sees. Kept to write such a status in an upgrade test. */
export function uidKeyedPasswordFingerprint(password: string, uid: string): string {
  return `hmac-sha256:${createHmac('sha256', uid).update(password, 'utf8').digest('base64url')}`;
}

/** The guesses in `guesses` that a fingerprint gives away to someone who knows only `visible` (what the object
 * shows): each tried as the HMAC key, and a plain SHA-256. */
export function guessesConfirmedBy(fingerprint: string, guesses: readonly string[], visible: readonly string[]): string[] {
  const digest = fingerprint.slice(fingerprint.lastIndexOf(':') + 1);
  return guesses.filter(
    (guess) =>
      createHash('sha256').update(guess, 'utf8').digest('base64url') === digest ||
      visible.some((key) => createHmac('sha256', key).update(guess, 'utf8').digest('base64url') === digest),
  );
}
