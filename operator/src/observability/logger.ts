// The operator's structured logger: pino JSON on stdout, one object per line, secrets redacted by configuration.
import { randomUUID } from 'node:crypto';
import { objectKey, type ObjectRef } from '@servio/controller-runtime';
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import { REDACTED, redactPaths } from './redaction.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  /** Defaults to stdout; tests pass a stream that collects lines. */
  destination?: DestinationStream;
}

export function createLogger({ level, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      // Level names instead of numbers, and ISO timestamps: log pipelines (Loki, CloudWatch Logs, Elastic)
      // filter on these without a pino-specific mapping.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: stdTimeFunctions.isoTime,
      base: { component: 'replicasetdb-operator' },
      redact: { paths: redactPaths(), censor: REDACTED },
    },
    destination,
  );
}

/** A child logger for one reconcile: every line it writes carries the object key and a reconcile id, so the
 * lines of one pass can be told apart from those of the next pass over the same object. */
export function reconcileLogger(parent: Logger, ref: ObjectRef, reconcileId: string = randomUUID()): Logger {
  return parent.child({ reconcileId, key: objectKey(ref), namespace: ref.namespace, name: ref.name });
}
