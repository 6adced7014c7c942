// AWS errors sorted by what the reconciler should do about them. The kind, not the AWS code, drives the
// decision; the code and message are kept for the condition and the Event.

/**
 * - `retryable`: throttling, 5xx, network, expired credentials: retry with backoff; the spec is fine.
 * - `terminal`: RDS refuses the request as specified (InvalidParameter*, impossible combinations): report it
 *   and retry only once the spec changes.
 * - `action-required`: the request is right but something outside the spec stops it (a quota, capacity, a KMS
 *   key or a subnet group the operator cannot use, a missing IAM permission): say what to fix, retry slowly.
 * - `invalid-state`: the resource is busy (InvalidDBInstanceState): wait and try again.
 * - `cooldown`: RDS takes the request only later: a storage change within about six hours of the previous one, or
 *   while that one is still being optimized. The spec is fine; send it again when RDS says (`retryHintMs`).
 * - `already-exists`: a create found the resource; an idempotent create treats it as done.
 * - `not-found`: the resource the call is about does not exist.
 */
export type RdsErrorKind = 'retryable' | 'terminal' | 'action-required' | 'invalid-state' | 'cooldown' | 'already-exists' | 'not-found';

export class RdsError extends Error {
  override readonly name = 'RdsError';
  constructor(
    readonly kind: RdsErrorKind,
    /** The AWS error code, e.g. InvalidParameterCombination. */
    readonly code: string,
    /** The RDS API operation, e.g. CreateDBInstance. */
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'PriorRequestNotComplete',
]);

// Credentials that are being rotated or refreshed: they heal by themselves, so retried with the usual backoff.
const CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'IncompleteSignature',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);

// The spec is fine, but a person must act outside it (raise a quota, grant a permission, create a resource) or AWS
// must find capacity: retrying at the usual pace only burns API calls.
const ACTION_REQUIRED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InsufficientDBInstanceCapacity',
  'InsufficientDBInstanceCapacityFault',
  'InstanceQuotaExceeded',
  'InstanceQuotaExceededFault',
  'StorageQuotaExceeded',
  'StorageQuotaExceededFault',
  'SnapshotQuotaExceeded',
  'SnapshotQuotaExceededFault',
  'DBParameterGroupQuotaExceeded',
  'DBParameterGroupQuotaExceededFault',
  'KMSKeyNotAccessibleFault',
  'DBSubnetGroupNotFoundFault',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

const INVALID_STATE = new Set([
  'InvalidDBInstanceState',
  'InvalidDBInstanceStateFault',
  'InvalidDBParameterGroupState',
  'InvalidDBParameterGroupStateFault',
  'InvalidDBSnapshotState',
  'InvalidDBSnapshotStateFault',
  'DBInstanceNotReady',
  'DBInstanceNotReadyFault',
]);

const ALREADY_EXISTS = new Set([
  'DBInstanceAlreadyExists',
  'DBInstanceAlreadyExistsFault',
  'DBParameterGroupAlreadyExists',
  'DBParameterGroupAlreadyExistsFault',
]);

const NOT_FOUND = new Set([
  'DBInstanceNotFound',
  'DBInstanceNotFoundFault',
  'DBParameterGroupNotFound',
  'DBParameterGroupNotFoundFault',
  'DBSnapshotNotFound',
  'DBSnapshotNotFoundFault',
]);

// RDS answers these with InvalidParameterCombination, like a request it will never take; only the message tells
// that the same request is taken once the storage cooldown has passed.
const STORAGE_COOLDOWN = /can(?:'|no)t currently modify the storage|previous storage change is being optimized/i;

/** How long RDS said to wait before sending the request again ("Try again after approximately 1 hours"), in ms;
 * undefined when the message names no time. */
export function retryHintMs(message: string): number | undefined {
  const hint = /try again (?:after|in) (?:approximately |about )?(\d+(?:\.\d+)?) ?(hour|minute)s?/i.exec(message);
  if (hint === null) return undefined;
  return Number(hint[1]) * (hint[2]!.toLowerCase() === 'hour' ? 3_600_000 : 60_000);
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function errorCode(err: SdkErrorShape): string {
  for (const candidate of [err.Code, err.name, err.code]) {
    if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
  }
  return 'UnknownError';
}

export function classifyAwsError(err: unknown): { kind: RdsErrorKind; code: string } {
  if (err instanceof RdsError) return { kind: err.kind, code: err.code };
  if (typeof err !== 'object' || err === null) return { kind: 'retryable', code: 'UnknownError' };
  const shape = err as SdkErrorShape;
  const code = errorCode(shape);
  const nodeCode = typeof shape.code === 'string' ? shape.code : undefined;
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;

  if (THROTTLING.has(code) || status === 429) return { kind: 'retryable', code };
  if (CREDENTIALS.has(code)) return { kind: 'retryable', code };
  if (ACTION_REQUIRED.has(code)) return { kind: 'action-required', code };
  if (NETWORK_NAMES.has(code) || (nodeCode !== undefined && NETWORK_CODES.has(nodeCode))) return { kind: 'retryable', code: nodeCode ?? code };
  if (INVALID_STATE.has(code)) return { kind: 'invalid-state', code };
  if (ALREADY_EXISTS.has(code)) return { kind: 'already-exists', code };
  if (NOT_FOUND.has(code)) return { kind: 'not-found', code };
  if (shape.$fault === 'server' || (status !== undefined && status >= 500)) return { kind: 'retryable', code };
  // No HTTP response at all: the request never reached RDS (DNS, socket, TLS), so nothing was decided.
  if (status === undefined && shape.$fault === undefined) return { kind: 'retryable', code };
  if (typeof shape.message === 'string' && STORAGE_COOLDOWN.test(shape.message)) return { kind: 'cooldown', code };
  // Everything else is RDS saying no to this request as specified: InvalidParameterValue,
  // InvalidParameterCombination, ...
  return { kind: 'terminal', code };
}

export function toRdsError(err: unknown, operation: string): RdsError {
  if (err instanceof RdsError) return err;
  const { kind, code } = classifyAwsError(err);
  const message = err instanceof Error ? err.message : String(err);
  return new RdsError(kind, code, operation, message || code, { cause: err });
}

export function isRdsError(err: unknown, kind?: RdsErrorKind): err is RdsError {
  return err instanceof RdsError && (kind === undefined || err.kind === kind);
}
