import { describe, expect, it } from 'vitest';
import { checkPositionKey, positionScope, signPosition, verifyPosition } from './position-token.js';
import { parseLsn } from './lsn.js';

const KEY = 'k'.repeat(32);
const LSN = parseLsn('16/B374D848');
const SCOPE = positionScope({ namespace: 'prod', name: 'servio', epoch: '6f1c9a52-3b1e-4c57-9d1a-0f3e2a9b7c11' });

describe('signed read-your-writes positions', () => {
  it('gives back the position of a token it signed', () => {
    const token = signPosition(LSN, KEY, SCOPE);
    expect(token).toMatch(/^[A-Za-z0-9_-]{54}$/);
    expect(verifyPosition(token, KEY, SCOPE)).toBe(LSN);
    expect(verifyPosition(signPosition(0xffffffffffffffffn, Buffer.from(KEY), SCOPE), KEY, SCOPE)).toBe(0xffffffffffffffffn);
  });

  it('refuses a token whose position or signature was changed', () => {
    const bytes = Buffer.from(signPosition(LSN, KEY, SCOPE), 'base64url');
    for (const index of [0, 7, 8, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[index] = (tampered[index] as number) ^ 1;
      expect(verifyPosition(tampered.toString('base64url'), KEY, SCOPE)).toBeUndefined();
    }
  });

  it('refuses a token signed with another key', () => {
    expect(verifyPosition(signPosition(LSN, 'x'.repeat(32), SCOPE), KEY, SCOPE)).toBeUndefined();
  });

  it('refuses truncated, extended, unsigned and malformed tokens', () => {
    const token = signPosition(LSN, KEY, SCOPE);
    const unsigned = Buffer.alloc(8);
    unsigned.writeBigUInt64BE(LSN);
    for (const bad of [
      token.slice(0, -1),
      token.slice(0, 11),
      `${token}A`,
      unsigned.toString('base64url'),
      '16/B374D848',
      `${token}=`,
      '',
      'not+base64/',
      undefined,
      42,
    ]) {
      expect(verifyPosition(bad, KEY, SCOPE)).toBeUndefined();
    }
  });

  it('refuses a token of another database: another ReplicaSetDB, or this one re-created (a new epoch)', () => {
    const token = signPosition(LSN, KEY, SCOPE);
    expect(verifyPosition(token, KEY, positionScope({ namespace: 'prod', name: 'reports', epoch: '6f1c9a52-3b1e-4c57-9d1a-0f3e2a9b7c11' }))).toBeUndefined();
    expect(verifyPosition(token, KEY, positionScope({ namespace: 'staging', name: 'servio', epoch: '6f1c9a52-3b1e-4c57-9d1a-0f3e2a9b7c11' }))).toBeUndefined();
    expect(verifyPosition(token, KEY, positionScope({ namespace: 'prod', name: 'servio', epoch: '0b7e2f4d-9c1a-4e3b-8d2f-5a6b7c8d9e0f' }))).toBeUndefined();
    expect(verifyPosition(token, KEY, positionScope({ namespace: 'prod', name: 'servio' }))).toBeUndefined();
    expect(verifyPosition(token, KEY, positionScope({ namespace: 'prod', name: 'servio', epoch: '6f1c9a52-3b1e-4c57-9d1a-0f3e2a9b7c11' }))).toBe(LSN);
  });

  it('refuses keys shorter than 32 bytes', () => {
    expect(() => checkPositionKey('short')).toThrow(/at least 32 bytes/);
    expect(() => checkPositionKey(new Uint8Array(32))).not.toThrow();
  });
});
