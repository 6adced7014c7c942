// A read-your-writes position that leaves the process (a cookie, a header) comes back from the caller. Taken as
// is, a forged high position would pin every read of a session to the primary; signed, only positions this
// application handed out are honoured. A WAL position means something only in the database it was read from, so
// the signature also covers which database that is: a position of another ReplicaSetDB signed with the same key, or
// of this one before it was re-created (a new epoch), would pin sessions to the primary just the same.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Lsn } from './lsn.js';

const POSITION_BYTES = 8;
const SIGNATURE_BYTES = 32;
// Binds the signature to this use of the key, so that a MAC the application computes for something else with
// the same key is never a valid position.
const DOMAIN = 'replicasetdb-client/position/v2\0';
const MIN_KEY_BYTES = 32;

export type PositionKey = string | Uint8Array;

export function checkPositionKey(key: PositionKey): void {
  const bytes = typeof key === 'string' ? Buffer.byteLength(key) : key.byteLength;
  if (bytes < MIN_KEY_BYTES) throw new TypeError(`positionKey must be at least ${MIN_KEY_BYTES} bytes, got ${bytes}`);
}

/** The database a position is a position of, as the topology names it: its ReplicaSetDB (namespace and name, which
 * hold no "/"), and the object's uid (`epoch`) where the document carries one. */
export function positionScope(topology: { namespace: string; name: string; epoch?: string | undefined }): string {
  return `${topology.namespace}/${topology.name}/${topology.epoch ?? ''}`;
}

function sign(key: PositionKey, scope: string, position: Buffer): Buffer {
  return createHmac('sha256', key).update(DOMAIN).update(scope).update('\0').update(position).digest();
}

/** base64url of the position (8 bytes, big-endian) followed by its HMAC-SHA256, which also covers `scope`. */
export function signPosition(lsn: Lsn, key: PositionKey, scope: string): string {
  const position = Buffer.alloc(POSITION_BYTES);
  position.writeBigUInt64BE(lsn);
  return Buffer.concat([position, sign(key, scope, position)]).toString('base64url');
}

/** The position a token carries, or undefined when it is not one this key signed for `scope`: the caller gets a
 * fresh session. */
export function verifyPosition(token: unknown, key: PositionKey, scope: string): Lsn | undefined {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // Re-encoding must give the token back: no second spelling of the same bytes is accepted.
  if (bytes.length !== POSITION_BYTES + SIGNATURE_BYTES || bytes.toString('base64url') !== token) return undefined;
  const position = bytes.subarray(0, POSITION_BYTES);
  if (!timingSafeEqual(bytes.subarray(POSITION_BYTES), sign(key, scope, position))) return undefined;
  return position.readBigUInt64BE();
}
