import { describe, expect, it } from 'vitest';
import { formatLsn, insertLsnToRecordEnd, lsnColumn, parseLsn } from './lsn.js';

describe('parseLsn / formatLsn', () => {
  it.each([
    ['0/0', 0n],
    ['0/1', 1n],
    ['16/B374D848', (0x16n << 32n) | 0xb374d848n],
    ['FFFFFFFF/FFFFFFFF', 0xffffffffffffffffn],
    ['1/0', 1n << 32n],
  ])('%s <-> %s', (text, value) => {
    expect(parseLsn(text)).toBe(value);
    expect(formatLsn(value)).toBe(text);
  });

  it('accepts lower case and orders across the high half', () => {
    expect(parseLsn('0/ffffffff')).toBeLessThan(parseLsn('1/0'));
    expect(parseLsn('a/1')).toBe(parseLsn('A/00000001'));
  });

  it.each(['', '0', '0/', '/0', '0/123456789', 'G/0', ' 0/0', '0/0 ', '0\\0'])('rejects %j', (text) => {
    expect(() => parseLsn(text)).toThrow(/not a WAL position/);
  });

  it('rejects out-of-range numbers when formatting', () => {
    expect(() => formatLsn(-1n)).toThrow(/out of range/);
    expect(() => formatLsn(1n << 64n)).toThrow(/out of range/);
  });
});

describe('insertLsnToRecordEnd', () => {
  const block = 8192n;
  it('moves a position just past a short or long page header back to the page boundary', () => {
    expect(insertLsnToRecordEnd(3n * block + 24n, block)).toBe(3n * block);
    expect(insertLsnToRecordEnd(2048n * block + 40n, block)).toBe(2048n * block);
  });

  it('leaves every other position alone', () => {
    for (const offset of [0n, 8n, 16n, 32n, 48n, 8184n]) {
      expect(insertLsnToRecordEnd(5n * block + offset, block)).toBe(5n * block + offset);
    }
  });
});

describe('lsnColumn', () => {
  it('reads the lsn column of the first row', () => {
    expect(lsnColumn({ rows: [{ lsn: '0/3000060' }] })).toBe(0x3000060n);
  });

  it('refuses a missing or NULL position (a replica that has replayed nothing reports NULL)', () => {
    expect(() => lsnColumn({ rows: [] })).toThrow(/no WAL position/);
    expect(() => lsnColumn({ rows: [{ lsn: null }] })).toThrow(/no WAL position/);
  });
});
