import { describe, expect, it } from 'vitest';
import type { TransactionOptions } from './query.js';
import { beginSql } from './writes.js';

describe('beginSql', () => {
  it('names the modes asked for', () => {
    expect(beginSql(undefined)).toBe('BEGIN');
    expect(beginSql({ isolationLevel: 'repeatable read', readOnly: true, deferrable: false })).toBe(
      'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY, NOT DEFERRABLE',
    );
    expect(beginSql({ isolationLevel: 'serializable', readOnly: false })).toBe('BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE');
  });

  it('refuses an isolation level it does not know rather than put it into the SQL', () => {
    const untrusted = { isolationLevel: 'serializable; DROP TABLE orders' } as unknown as TransactionOptions;
    expect(() => beginSql(untrusted)).toThrow(/isolationLevel must be one of read committed, repeatable read, serializable/);
  });
});
