import { describe, expect, it } from 'vitest';
import {
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DBSubnetGroupNotFoundFault,
  InvalidDBInstanceStateFault,
  StorageQuotaExceededFault,
} from '@aws-sdk/client-rds';
import { RdsError, classifyAwsError, retryHintMs, toRdsError, type RdsErrorKind } from './errors.js';

function awsError(name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client') {
  return Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

function withMessage<E extends Error>(err: E, message: string): E {
  err.message = message;
  return err;
}

const meta = { $metadata: { httpStatusCode: 400 } };

describe('classifyAwsError', () => {
  const cases: Array<[string, unknown, RdsErrorKind]> = [
    ['Throttling', awsError('Throttling', 400), 'retryable'],
    ['RequestLimitExceeded', awsError('RequestLimitExceeded', 400), 'retryable'],
    ['HTTP 429', awsError('SomethingNew', 429), 'retryable'],
    ['InternalFailure (500)', awsError('InternalFailure', 500), 'retryable'],
    ['ServiceUnavailable (503)', awsError('ServiceUnavailable', 503), 'retryable'],
    ['ExpiredToken', awsError('ExpiredToken', 403), 'retryable'],
    ['a socket error', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' }), 'retryable'],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'retryable'],
    ['InvalidDBInstanceStateFault', new InvalidDBInstanceStateFault({ message: 'Instance is not available', ...meta }), 'invalid-state'],
    ['InvalidDBInstanceState (query code)', awsError('InvalidDBInstanceState', 400), 'invalid-state'],
    ['DBInstanceAlreadyExistsFault', new DBInstanceAlreadyExistsFault({ message: 'exists', ...meta }), 'already-exists'],
    ['DBParameterGroupAlreadyExists', awsError('DBParameterGroupAlreadyExists', 400), 'already-exists'],
    ['DBInstanceNotFoundFault', new DBInstanceNotFoundFault({ message: 'gone', $metadata: { httpStatusCode: 404 } }), 'not-found'],
    ['InvalidParameterValue', awsError('InvalidParameterValue', 400), 'terminal'],
    ['InvalidParameterCombination', awsError('InvalidParameterCombination', 400), 'terminal'],
    ['StorageQuotaExceededFault', new StorageQuotaExceededFault({ message: 'quota', ...meta }), 'action-required'],
    ['InstanceQuotaExceeded', awsError('InstanceQuotaExceeded', 400), 'action-required'],
    ['InsufficientDBInstanceCapacity', awsError('InsufficientDBInstanceCapacity', 400), 'action-required'],
    ['KMSKeyNotAccessibleFault', awsError('KMSKeyNotAccessibleFault', 400), 'action-required'],
    ['DBSubnetGroupNotFoundFault', new DBSubnetGroupNotFoundFault({ message: 'no subnet group', $metadata: { httpStatusCode: 404 } }), 'action-required'],
    ['AccessDenied', awsError('AccessDenied', 403), 'action-required'],
    ['AccessDeniedException', awsError('AccessDeniedException', 400), 'action-required'],
    ['an unknown 4xx', awsError('SomethingUnheardOf', 400), 'terminal'],
    // RDS's answers to a storage change within its cooldown: the same code as a request it will never take.
    [
      'a storage change within six hours of the previous one',
      withMessage(
        awsError('InvalidParameterCombination', 400),
        "You can't currently modify the storage of this DB instance. Try again after approximately 1 hours.",
      ),
      'cooldown',
    ],
    [
      'a storage change while the previous one is optimized',
      withMessage(
        awsError('InvalidParameterCombination', 400),
        'You cannot modify the storage of this DB instance because the previous storage change is being optimized.',
      ),
      'cooldown',
    ],
    [
      'a storage change RDS will never take',
      withMessage(awsError('InvalidParameterCombination', 400), 'Invalid storage size for engine name postgres and storage type gp3: 10'),
      'terminal',
    ],
  ];

  it.each(cases)('%s -> %s', (_, err, kind) => {
    expect(classifyAwsError(err).kind).toBe(kind);
  });

  it('prefers the query-protocol Code over a generic name', () => {
    const err = Object.assign(new Error('bad'), {
      name: 'RDSServiceException',
      Code: 'InvalidParameterCombination',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(classifyAwsError(err)).toEqual({ kind: 'terminal', code: 'InvalidParameterCombination' });
  });
});

describe('retryHintMs', () => {
  it.each([
    ["You can't currently modify the storage of this DB instance. Try again after approximately 1 hours.", 3_600_000],
    ["You can't currently modify the storage of this DB instance. Try again after approximately 6 hours.", 6 * 3_600_000],
    ['Try again in about 30 minutes.', 30 * 60_000],
    ['You cannot modify the storage of this DB instance because the previous storage change is being optimized.', undefined],
  ])('%s -> %s ms', (message, ms) => {
    expect(retryHintMs(message)).toBe(ms);
  });
});

describe('toRdsError', () => {
  it('keeps the code, the operation, the AWS message and the cause', () => {
    const cause = awsError('InvalidParameterCombination', 400);
    const err = toRdsError(cause, 'ModifyDBInstance');
    expect(err).toBeInstanceOf(RdsError);
    expect(err).toMatchObject({
      kind: 'terminal',
      code: 'InvalidParameterCombination',
      operation: 'ModifyDBInstance',
      message: 'InvalidParameterCombination happened',
    });
    expect(err.cause).toBe(cause);
  });

  it('passes an RdsError through unchanged', () => {
    const err = new RdsError('not-found', 'DBInstanceNotFound', 'DeleteDBInstance', 'gone');
    expect(toRdsError(err, 'Other')).toBe(err);
  });
});
