// Typed failures a caller can act on, and the classification that decides whether a read may be retried.

/** A statement sent through read() / criticalRead() tried to write. It is never re-sent to the primary. */
export class ReadOnlyQueryError extends Error {
  readonly code = '25006';
  constructor(
    readonly endpointId: string,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`read-only endpoint ${endpointId} refused the statement (${detail}); statements that write must use write() or transaction()`, {
      cause,
    });
    this.name = 'ReadOnlyQueryError';
  }
}

/** No replica could serve the read and the primary already carries the configured fallback load. */
export class FallbackLimitError extends Error {
  constructor(readonly limit: number) {
    super(`no eligible replica and ${limit} reads already fall back to the primary (maxFallbackConcurrency); failing fast instead of overloading the primary`);
    this.name = 'FallbackLimitError';
  }
}

export class RouterClosedError extends Error {
  constructor() {
    super('the replica router is closed');
    this.name = 'RouterClosedError';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

// The server is going away or cannot take the connection: admin_shutdown, crash_shutdown, cannot_connect_now,
// too_many_connections. Class 08 is connection_exception.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

// node-postgres and pg-pool report a lost or unobtainable connection with these messages and no code.
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Query read timeout',
  'connect ECONNREFUSED',
];

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when the endpoint, not the statement, failed: the read had no effect and may run elsewhere. A
 * statement error (syntax, constraint, read-only) is never a connection error.
 */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = errorCode(err);
  if (code !== undefined) {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  return CONNECTION_MESSAGES.some((m) => err.message.includes(m));
}

/**
 * pg-pool gave up waiting in its own queue for a connection of a pool that is full (connectionTimeoutMillis): the
 * server is busy with this router's other queries, not down. A connect that times out says "Connection terminated
 * due to connection timeout" instead.
 */
export function isPoolSaturated(err: unknown): boolean {
  return err instanceof Error && errorCode(err) === undefined && err.message === 'timeout exceeded when trying to connect';
}

/**
 * A replica cancelled the statement because replaying the primary's WAL needed what it held (a lock, row versions
 * vacuumed on the primary): serialization_failure or deadlock_detected, the only ones a read-only statement gets on a
 * hot standby (which refuses SERIALIZABLE). The statement had no effect; the replica is healthy.
 */
export function isRecoveryConflict(err: unknown): boolean {
  const code = errorCode(err);
  return err instanceof Error && (code === '40001' || code === '40P01');
}

export function isReadOnlyViolation(err: unknown): boolean {
  return errorCode(err) === '25006';
}

/** Emitted as 'error' when an endpoint stops answering; routing has already moved away from it. */
export class EndpointError extends Error {
  constructor(
    readonly endpointId: string,
    readonly role: 'primary' | 'replica',
    cause: unknown,
  ) {
    super(`${role} ${endpointId} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'EndpointError';
  }
}
