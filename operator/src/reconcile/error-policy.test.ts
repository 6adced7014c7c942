import { describe, expect, it } from 'vitest';
import type { FailureKind, StepFailure } from './apply.js';
import { DEFAULT_AWS_ACTION_RETRY_MS, deferralMs, errorPolicy, requeueAfterFailureMs, type ErrorAction } from './error-policy.js';
import { desiredPrimary, desiredReplica } from './plan/desired.js';
import type { Step } from './plan/types.js';
import { BASE, aReplicaSetDB, aWorld } from './testing/fixtures.js';

const observed = aWorld(aReplicaSetDB().withSpec({ storageEncrypted: true, kmsKeyId: 'alias/servio', network: { subnetGroupName: 'servio-subnets' } })).build();
const createPrimary: Step = { kind: 'createPrimary', blueprint: desiredPrimary(observed.spec!, observed.names), secret: observed.names.secret };
const createReplica: Step = { kind: 'createReplica', index: 2, input: desiredReplica(observed.spec!, observed.names, 2) };
const modifyClass: Step = {
  kind: 'modifyInstance',
  identifier: BASE,
  role: 'primary',
  changes: { instanceClass: 'db.x1.huge' },
  delta: [{ field: 'instanceClass', from: 'db.r6g.large', to: 'db.x1.huge' }],
  applyImmediately: true,
};

function failure(kind: FailureKind, code: string, step: Step = modifyClass, operation = 'ModifyDBInstance'): StepFailure {
  return { step, kind, code, operation, message: `${code} happened` };
}

const LIVE = { deleting: false, region: 'eu-west-1' };
const DELETING = { deleting: true, region: 'eu-west-1' };

describe('errorPolicy: every failure kind, live and deleting', () => {
  const table: Array<[FailureKind, string, typeof LIVE, ErrorAction['action'], string | undefined]> = [
    ['retryable', 'Throttling', LIVE, 'backoff', undefined],
    ['retryable', 'Throttling', DELETING, 'backoff', undefined],
    ['kubernetes', 'KubernetesError', LIVE, 'backoff', undefined],
    ['kubernetes', 'KubernetesError', DELETING, 'backoff', undefined],
    ['invalid-state', 'InvalidDBInstanceState', LIVE, 'retry', undefined],
    ['invalid-state', 'InvalidDBInstanceState', DELETING, 'retry', undefined],
    ['not-found', 'DBInstanceNotFound', LIVE, 'retry', undefined],
    ['not-found', 'DBInstanceNotFound', DELETING, 'retry', undefined],
    ['already-exists', 'DBInstanceAlreadyExists', LIVE, 'retry', undefined],
    ['already-exists', 'DBInstanceAlreadyExists', DELETING, 'retry', undefined],
    ['terminal', 'InvalidParameterValue', LIVE, 'hold', 'AwsRejected'],
    ['terminal', 'InvalidParameterCombination', LIVE, 'hold', 'AwsRejected'],
    // A deleting object's intent cannot be corrected by a spec change the same way: looked at again at the steady
    // interval, as before.
    ['terminal', 'InvalidParameterCombination', DELETING, 'retry', 'AwsRejected'],
    ['action-required', 'InstanceQuotaExceeded', LIVE, 'retry', 'AwsActionRequired'],
    ['action-required', 'InstanceQuotaExceeded', DELETING, 'retry', 'AwsActionRequired'],
    // The spec is right and nobody needs to act: the change waits for RDS, with no condition of its own.
    ['cooldown', 'InvalidParameterCombination', LIVE, 'defer', undefined],
    ['cooldown', 'InvalidParameterCombination', DELETING, 'retry', undefined],
  ];

  it.each(table)('%s (%s), deleting=%o -> %s with reason %s', (kind, code, context, action, reason) => {
    const decision = errorPolicy(failure(kind, code), context);
    expect(decision.action).toBe(action);
    expect(decision.condition?.reason).toBe(reason);
  });

  it('covers every failure kind', () => {
    // A Record over FailureKind: a new kind does not compile until it is listed here.
    const kinds: Record<FailureKind, true> = {
      retryable: true,
      kubernetes: true,
      'invalid-state': true,
      'not-found': true,
      'already-exists': true,
      terminal: true,
      'action-required': true,
      cooldown: true,
    };
    expect(new Set(table.map(([kind]) => kind))).toEqual(new Set(Object.keys(kinds)));
  });
});

describe('requeueAfterFailureMs', () => {
  const intervals = { steadyMs: 600_000, transitioningMs: 15_000 };

  it.each([
    ['invalid-state', 15_000],
    ['not-found', 15_000],
    ['already-exists', 15_000],
    ['action-required', DEFAULT_AWS_ACTION_RETRY_MS],
  ] as const)('%s: looks again after %i ms', (kind, ms) => {
    expect(requeueAfterFailureMs(errorPolicy(failure(kind, 'X'), LIVE), intervals)).toBe(ms);
  });

  it('a rejection while deleting is looked at again at the steady interval', () => {
    expect(requeueAfterFailureMs(errorPolicy(failure('terminal', 'InvalidParameterCombination'), DELETING), intervals)).toBe(600_000);
  });

  it('a hold waits for the steady resync (a spec change triggers a reconcile through the watch anyway)', () => {
    expect(requeueAfterFailureMs(errorPolicy(failure('terminal', 'InvalidParameterValue'), LIVE), intervals)).toBe(600_000);
  });

  it('the wait after an error fixed outside the spec is minutes by default and configurable', () => {
    expect(DEFAULT_AWS_ACTION_RETRY_MS).toBe(5 * 60_000);
    expect(requeueAfterFailureMs(errorPolicy(failure('action-required', 'InstanceQuotaExceeded'), LIVE), { ...intervals, awsActionRetryMs: 120_000 })).toBe(
      120_000,
    );
  });

  it('a deferral waits as long as RDS said, never less than the AWS retry interval, and at most a steady interval', () => {
    const cooldown = (message: string) => errorPolicy({ ...failure('cooldown', 'InvalidParameterCombination'), message }, LIVE);
    const inAnHour = cooldown("You can't currently modify the storage of this DB instance. Try again after approximately 1 hours.");
    expect(inAnHour).toEqual({ action: 'defer', hintMs: 3_600_000 });
    expect(deferralMs(inAnHour as { hintMs: number }, intervals)).toBe(3_600_000);
    // The next reconcile comes at the steady interval; the hold keeps the request back until its time.
    expect(requeueAfterFailureMs(inAnHour, intervals)).toBe(600_000);
    const optimizing = cooldown('You cannot modify the storage of this DB instance because the previous storage change is being optimized.');
    expect(deferralMs(optimizing as { hintMs?: number }, intervals)).toBe(DEFAULT_AWS_ACTION_RETRY_MS);
    expect(deferralMs(optimizing as { hintMs?: number }, { awsActionRetryMs: 60_000 })).toBe(60_000);
    expect(deferralMs({ hintMs: 1_000 }, intervals)).toBe(DEFAULT_AWS_ACTION_RETRY_MS);
    expect(requeueAfterFailureMs(optimizing, intervals)).toBe(DEFAULT_AWS_ACTION_RETRY_MS);
  });

  it('backoff leaves the delay to the controller', () => {
    expect(requeueAfterFailureMs(errorPolicy(failure('retryable', 'Throttling'), LIVE), intervals)).toBeUndefined();
  });
});

describe('errorPolicy: what to fix and where, for errors fixed outside the spec', () => {
  const advice = (code: string, step: Step, operation: string) => errorPolicy(failure('action-required', code, step, operation), LIVE).condition?.message ?? '';

  it('KMSKeyNotAccessibleFault names the key and the grant', () => {
    const message = advice('KMSKeyNotAccessibleFault', createPrimary, 'CreateDBInstance');
    expect(message).toContain('kms:CreateGrant');
    expect(message).toContain('alias/servio');
    expect(message).toContain("the operator's IAM role");
  });

  it('DBSubnetGroupNotFoundFault names the group and the region', () => {
    const message = advice('DBSubnetGroupNotFoundFault', createPrimary, 'CreateDBInstance');
    expect(message).toContain('create DB subnet group servio-subnets in region eu-west-1');
    expect(message).toContain('spec.network.subnetGroupName');
  });

  it.each([
    ['InstanceQuotaExceeded', 'DB instances quota in eu-west-1'],
    ['StorageQuotaExceeded', 'total storage quota in eu-west-1'],
    ['StorageQuotaExceededFault', 'total storage quota in eu-west-1'],
    ['InsufficientDBInstanceCapacity', 'no capacity for db.r6g.large'],
  ])('%s says what to change', (code, text) => {
    expect(advice(code, createReplica, 'CreateDBInstanceReadReplica')).toContain(text);
  });

  it('AccessDenied names the action to allow', () => {
    expect(advice('AccessDenied', modifyClass, 'ModifyDBInstance')).toContain("allow rds:ModifyDBInstance to the operator's IAM role");
  });

  it('every message carries the AWS message, the call and its subject', () => {
    const message = advice('InstanceQuotaExceeded', createReplica, 'CreateDBInstanceReadReplica');
    expect(message).toContain(`CreateDBInstanceReadReplica ${BASE}-r2 failed: InstanceQuotaExceeded happened`);
  });

  it('a rejection says which change is held and how to release it', () => {
    const decision = errorPolicy(failure('terminal', 'InvalidParameterValue'), LIVE);
    expect(decision.condition?.message).toBe(`ModifyDBInstance ${BASE} was rejected: InvalidParameterValue happened. Change the spec to try again.`);
  });
});
