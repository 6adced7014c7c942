import { describe, expect, it } from 'vitest';
import { isConnectionError, isPoolSaturated, isReadOnlyViolation, isRecoveryConflict, ReadOnlyQueryError } from './errors.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isConnectionError', () => {
  it.each([
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5', 'ECONNREFUSED')],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['admin shutdown', withCode('terminating connection due to administrator command', '57P01')],
    ['starting up', withCode('the database system is starting up', '57P03')],
    ['connection exception class', withCode('connection failure', '08006')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['query timeout', new Error('Query read timeout')],
  ])('%s is a connection error', (_name, err) => {
    expect(isConnectionError(err)).toBe(true);
  });

  it.each([
    ['read-only', withCode('cannot execute INSERT in a read-only transaction', '25006')],
    ['syntax', withCode('syntax error at or near "SELEC"', '42601')],
    ['unique', withCode('duplicate key value violates unique constraint', '23505')],
    ['recovery conflict', withCode('canceling statement due to conflict with recovery', '40001')],
    ['statement mentioning a connection', withCode('relation "Connection terminated" does not exist', '42P01')],
    ['not an error', 'Connection terminated'],
    ['null', null],
  ])('%s is not', (_name, err) => {
    expect(isConnectionError(err)).toBe(false);
  });
});

describe('recovery conflicts', () => {
  it('are the cancellations a read-only statement gets on a hot standby, and nothing else', () => {
    expect(isRecoveryConflict(withCode('canceling statement due to conflict with recovery', '40001'))).toBe(true);
    expect(isRecoveryConflict(withCode('canceling statement due to conflict with recovery', '40P01'))).toBe(true);
    expect(isRecoveryConflict(withCode('canceling statement due to user request', '57014'))).toBe(false);
    expect(isRecoveryConflict(withCode('cannot execute INSERT in a read-only transaction', '25006'))).toBe(false);
    expect(isRecoveryConflict({ code: '40001' })).toBe(false);
  });
});

describe('read-only violations', () => {
  it('recognises SQLSTATE 25006 only', () => {
    expect(isReadOnlyViolation(withCode('cannot execute UPDATE in a read-only transaction', '25006'))).toBe(true);
    expect(isReadOnlyViolation(withCode('x', '25P02'))).toBe(false);
    expect(isReadOnlyViolation(undefined)).toBe(false);
  });

  it('names the endpoint, keeps the server error as cause and the SQLSTATE', () => {
    const cause = withCode('cannot execute INSERT in a read-only transaction', '25006');
    const err = new ReadOnlyQueryError('db-r1', cause);
    expect(err.message).toContain('db-r1');
    expect(err.message).toContain('cannot execute INSERT');
    expect(err.message).toContain('write()');
    expect(err.code).toBe('25006');
    expect(err.cause).toBe(cause);
  });
});

describe('isPoolSaturated', () => {
  it("is pg-pool's timeout while waiting in its queue of a full pool", () => {
    expect(isPoolSaturated(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it.each([
    ['a connect that timed out', new Error('Connection terminated due to connection timeout')],
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5', 'ECONNREFUSED')],
    ['too many connections on the server', withCode('sorry, too many clients already', '53300')],
    ['a statement error', withCode('timeout exceeded when trying to connect', '42601')],
    ['not an error', 'timeout exceeded when trying to connect'],
  ])('is not %s', (_name, err) => {
    expect(isPoolSaturated(err)).toBe(false);
  });
});
