import { describe, expect, it } from 'vitest';
import { checkableRead, checkRow, type CheckRow } from './check-then-read.js';
import { judgeReplayCheck, mayReadBehindCheck } from './checked-read.js';

const RC = 'read committed';

describe('judgeReplayCheck', () => {
  it.each<[string, CheckRow, string]>([
    ['replayed past the commit', { lsn: '0/3E9', isolation: RC }, 'covers'],
    ['replayed exactly the commit', { lsn: '0/3E8', isolation: RC }, 'covers'],
    ['one byte short of the commit', { lsn: '0/3E7', isolation: RC }, 'behind'],
    // The read would share the check's snapshot, taken before the check read the replay position.
    ['replayed past it, under REPEATABLE READ', { lsn: '0/3E9', isolation: 'repeatable read' }, 'unsafe'],
    ['replayed past it, under SERIALIZABLE', { lsn: '0/3E9', isolation: 'serializable' }, 'unsafe'],
    ['nothing replayed since start (NULL)', { lsn: null, isolation: RC }, 'unanswered'],
    ['no row at all', { lsn: undefined, isolation: undefined }, 'unanswered'],
    ['not a WAL position', { lsn: 'soon', isolation: RC }, 'unanswered'],
  ])('%s: %s', (_, check, kind) => {
    expect(judgeReplayCheck(check, 1000n).kind).toBe(kind);
  });

  it('reports the replay position it read, whatever the verdict on the read', () => {
    expect(judgeReplayCheck({ lsn: '1/0', isolation: 'repeatable read' }, 1n)).toEqual({ kind: 'unsafe', replayed: 1n << 32n });
  });
});

describe('mayReadBehindCheck', () => {
  it.each<[string | null, boolean]>([
    ['I', true],
    // Inside a transaction the read would run on the transaction's snapshot, possibly older than the check.
    ['T', false],
    ['E', false],
    [null, false],
  ])('transaction status %s: %s', (status, allowed) => {
    expect(mayReadBehindCheck(status)).toBe(allowed);
  });
});

describe('checkableRead', () => {
  it('carries text, values, row mode and type parsers', () => {
    const types = { getTypeParser: () => String };
    expect(checkableRead('SELECT 1', undefined)).toEqual({ text: 'SELECT 1', values: [] });
    expect(checkableRead('SELECT $1', [1])).toEqual({ text: 'SELECT $1', values: [1] });
    expect(checkableRead({ text: 'SELECT $1', values: [2], rowMode: 'array', types } as never, undefined)).toEqual({
      text: 'SELECT $1',
      values: [2],
      rowMode: 'array',
      types,
    });
    expect(checkableRead({ text: 'SELECT $1', values: [2] }, [3])).toEqual({ text: 'SELECT $1', values: [3] });
  });

  it('leaves a prepared statement, binary results or row batches to the ordinary path', () => {
    expect(checkableRead({ text: 'SELECT 1', name: 'mine' }, undefined)).toBeUndefined();
    expect(checkableRead({ text: 'SELECT 1', binary: true } as never, undefined)).toBeUndefined();
    expect(checkableRead({ text: 'SELECT 1', rows: 10 } as never, undefined)).toBeUndefined();
  });
});

describe('checkRow', () => {
  it('reads the check in either row mode', () => {
    const result = (row: unknown) => ({ rows: [row] }) as never;
    expect(checkRow(result({ lsn: '0/1', isolation: RC }))).toEqual({ lsn: '0/1', isolation: RC });
    expect(checkRow(result(['0/1', RC]))).toEqual({ lsn: '0/1', isolation: RC });
    expect(checkRow({ rows: [] } as never)).toEqual({ lsn: undefined, isolation: undefined });
  });
});
