// The one place that decides what a failed step means for the next reconcile (kube-rs's `error_policy`):
//
// - `backoff`: throttling, 5xx, the network, the API server. The controller retries with exponential backoff.
// - `retry`: look again after a fixed interval. Soon for a resource that is busy, absent or already there (the
//   next observation sees its real state); the steady interval for a deletion RDS refuses; the long
//   `awsActionRetryMs` for an error a person fixes outside the spec (a quota, capacity, KMS, a subnet group, IAM),
//   with a condition that says what to fix and where.
// - `hold`: RDS refused the request as specified. Only that change is held (recorded in status.heldChanges) until
//   the spec changes; everything else in the plan goes on.
// - `defer`: RDS takes the request, only not yet (the storage cooldown). The change is held like a rejected one,
//   but only until the time RDS named (or `awsActionRetryMs`), and is then sent again without a spec change.
import { retryHintMs } from '../rds/errors.js';
import { stepSubject } from './describe-step.js';
import type { StepFailure } from './apply.js';
import type { Step } from './plan/types.js';

export const AWS_REJECTED_REASON = 'AwsRejected';
export const AWS_ACTION_REQUIRED_REASON = 'AwsActionRequired';

/** Default wait before retrying a call that failed on something only a person (or AWS capacity) fixes. */
export const DEFAULT_AWS_ACTION_RETRY_MS = 5 * 60_000;

export interface ErrorCondition {
  reason: typeof AWS_REJECTED_REASON | typeof AWS_ACTION_REQUIRED_REASON;
  message: string;
}

export type ErrorAction =
  | { action: 'backoff'; condition?: undefined }
  | { action: 'retry'; after: 'transitioning' | 'steady' | 'awsAction'; condition?: ErrorCondition }
  | { action: 'hold'; condition: ErrorCondition }
  /** `hintMs`: how long RDS said to wait, when it said. */
  | { action: 'defer'; hintMs?: number; condition?: undefined };

export interface ErrorPolicyContext {
  deleting: boolean;
  /** The operator's AWS region, for messages that name where to create something. */
  region?: string;
}

export interface FailureIntervals {
  steadyMs: number;
  transitioningMs: number;
  /** Default: DEFAULT_AWS_ACTION_RETRY_MS. */
  awsActionRetryMs?: number;
}

export function errorPolicy(failure: StepFailure, context: ErrorPolicyContext): ErrorAction {
  switch (failure.kind) {
    case 'retryable':
    case 'kubernetes':
      return { action: 'backoff' };
    case 'invalid-state':
    case 'not-found':
    case 'already-exists':
      return { action: 'retry', after: 'transitioning' };
    case 'terminal':
      // Deleting, the spec is no longer the intent (the object is going), so holding until it changes would hold
      // forever; the refusal is shown and the deletion looked at again at the steady interval.
      if (context.deleting) {
        return {
          action: 'retry',
          after: 'steady',
          condition: { reason: AWS_REJECTED_REASON, message: `${failure.operation} ${stepSubject(failure.step)} was rejected: ${failure.message}` },
        };
      }
      return {
        action: 'hold',
        condition: {
          reason: AWS_REJECTED_REASON,
          message: `${failure.operation} ${stepSubject(failure.step)} was rejected: ${failure.message}. Change the spec to try again.`,
        },
      };
    case 'cooldown': {
      if (context.deleting) return { action: 'retry', after: 'steady' };
      const hintMs = retryHintMs(failure.message);
      return hintMs !== undefined ? { action: 'defer', hintMs } : { action: 'defer' };
    }
    case 'action-required':
      return {
        action: 'retry',
        after: 'awsAction',
        condition: {
          reason: AWS_ACTION_REQUIRED_REASON,
          message: `${failure.operation} ${stepSubject(failure.step)} failed: ${failure.message}. To fix: ${actionAdvice(failure, context.region)}; the operator retries every few minutes.`,
        },
      };
  }
}

/** Milliseconds until the next reconcile after this failure, or undefined when the controller's backoff decides. */
export function requeueAfterFailureMs(decision: ErrorAction, intervals: FailureIntervals): number | undefined {
  if (decision.action === 'backoff') return undefined;
  if (decision.action === 'hold') return intervals.steadyMs;
  if (decision.action === 'defer') return Math.min(deferralMs(decision, intervals), intervals.steadyMs);
  switch (decision.after) {
    case 'transitioning':
      return intervals.transitioningMs;
    case 'steady':
      return intervals.steadyMs;
    case 'awsAction':
      return intervals.awsActionRetryMs ?? DEFAULT_AWS_ACTION_RETRY_MS;
  }
}

/** How long a deferred change waits before it is sent again: what RDS said, and never less than the interval for
 * calls that wait on AWS, so a message without a time (or a short one) does not turn into a tight loop. */
export function deferralMs(decision: { hintMs?: number }, intervals: Partial<FailureIntervals>): number {
  return Math.max(decision.hintMs ?? 0, intervals.awsActionRetryMs ?? DEFAULT_AWS_ACTION_RETRY_MS);
}

function kmsKeyOf(step: Step): string | undefined {
  if (step.kind === 'createPrimary') return step.blueprint.kmsKeyId;
  return undefined;
}

function subnetGroupOf(step: Step): string | undefined {
  if (step.kind === 'createPrimary') return step.blueprint.subnetGroupName;
  if (step.kind === 'createReplica') return step.input.subnetGroupName;
  if (step.kind === 'modifyInstance') return step.changes.subnetGroupName;
  return undefined;
}

function instanceClassOf(step: Step): string | undefined {
  if (step.kind === 'createPrimary') return step.blueprint.instanceClass;
  if (step.kind === 'createReplica') return step.input.instanceClass;
  if (step.kind === 'modifyInstance') return step.changes.instanceClass;
  return undefined;
}

function actionAdvice(failure: StepFailure, region = "the operator's region"): string {
  const code = failure.code.replace(/Fault$/, '');
  switch (code) {
    case 'KMSKeyNotAccessible':
      return `grant kms:CreateGrant and kms:DescribeKey on KMS key ${kmsKeyOf(failure.step) ?? 'spec.kmsKeyId (or the default RDS key)'} to the operator's IAM role, and check that the key is enabled`;
    case 'DBSubnetGroupNotFound': {
      const group = subnetGroupOf(failure.step);
      return `create DB subnet group ${group ?? 'spec.network.subnetGroupName'} in region ${region}, or set spec.network.subnetGroupName to one that exists there`;
    }
    case 'InsufficientDBInstanceCapacity':
      return `AWS has no capacity for ${instanceClassOf(failure.step) ?? 'this instance class'} in the zone right now; wait, or choose another instance class in the spec`;
    case 'InstanceQuotaExceeded':
      return `raise the account's DB instances quota in ${region} (Service Quotas, Amazon RDS) or delete unused instances`;
    case 'StorageQuotaExceeded':
      return `raise the account's total storage quota in ${region} (Service Quotas, Amazon RDS) or free storage`;
    case 'SnapshotQuotaExceeded':
      return `raise the account's manual DB snapshots quota in ${region} or delete old snapshots`;
    case 'DBParameterGroupQuotaExceeded':
      return `raise the account's DB parameter groups quota in ${region} or delete unused parameter groups`;
    case 'AccessDenied':
    case 'AccessDeniedException':
      return `allow rds:${failure.operation} to the operator's IAM role (see iam-policy.json)`;
    default:
      return 'see the AWS message';
  }
}
