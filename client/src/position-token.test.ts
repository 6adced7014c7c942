import { describe, expect, it } from 'vitest';
import { checkPositionKey, signPosition, verifyPosition } from './position-token.js';
import { parseLsn } from './lsn.js';

const KEY = 'k'.repeat(32);
const LSN = parseLsn('16/B374D848');

describe('signed read-your-writes positions', () => {
  it('gives back the position of a token it signed', () => {
    const token = signPosition(LSN, KEY);
    expect(token).toMatch(/^[A-Za-z0-9_-]{54}$/);
    expect(verifyPosition(token, KEY)).toBe(LSN);
    expect(verifyPosition(signPosition(0xffffffffffffffffn, Buffer.from(KEY)), KEY)).toBe(0xffffffffffffffffn);
  });

  it('refuses a token whose position or signature was changed', () => {
    const bytes = Buffer.from(signPosition(LSN, KEY), 'base64url');
    for (const index of [0, 7, 8, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[index] = (tampered[index] as number) ^ 1;
      expect(verifyPosition(tampered.toString('base64url'), KEY)).toBeUndefined();
    }
  });

  it('refuses a token signed with another key', () => {
    expect(verifyPosition(signPosition(LSN, 'x'.repeat(32)), KEY)).toBeUndefined();
  });

  it('refuses truncated, extended, unsigned and malformed tokens', () => {
    const token = signPosition(LSN, KEY);
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
      expect(verifyPosition(bad, KEY)).toBeUndefined();
    }
  });

  it('refuses keys shorter than 32 bytes', () => {
    expect(() => checkPositionKey('short')).toThrow(/at least 32 bytes/);
    expect(() => checkPositionKey(new Uint8Array(32))).not.toThrow();
  });
});
