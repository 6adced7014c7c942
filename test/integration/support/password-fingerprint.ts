// What status.credentials.appliedPasswordFingerprint holds for a password, computed here rather than by the
// operator's own function so that a change of its format fails the tests.
import { createHmac } from 'node:crypto';

export function passwordFingerprint(password: string, uid: string): string {
  return `hmac-sha256:${createHmac('sha256', uid).update(password, 'utf8').digest('base64url')}`;
}
