// The record of every AWS call that crossed the proxy. Passwords never enter it: the proxy keeps the master
// password a CreateDBInstance carried apart, for the one check that needs it.

export interface JournalEntry {
  seq: number;
  /** Epoch ms when the call reached the proxy. */
  at: number;
  durationMs: number;
  /** RDS Action, or `other <path>` for a non-RDS call (CloudWatch). */
  operation: string;
  identifiers: string[];
  /** The operator process that made it (`AWS_SDK_UA_APP_ID`), undefined for a client without one (a test). */
  process: string | undefined;
  status: number;
  /** `ok`, the error code answered, or `dropped` when the call was cut off before the emulator saw it. */
  outcome: string;
  /** The connection was cut with no answer (a held call the test dropped); `executed` says whether RDS did it. */
  dropped?: boolean;
  /** Why the proxy answered an error itself; undefined when the emulator answered. */
  injected?: 'throttle' | 'server-error' | 'scripted' | 'lifecycle';
  /** Whether the emulator saw the call (a call dropped or failed before it is not executed). */
  executed: boolean;
  /** Tags sent with a create. */
  tags?: Record<string, string>;
}

export const MUTATING_OPERATIONS = new Set([
  'CreateDBInstance',
  'CreateDBInstanceReadReplica',
  'ModifyDBInstance',
  'DeleteDBInstance',
  'RebootDBInstance',
  'AddTagsToResource',
  'RemoveTagsFromResource',
  'CreateDBParameterGroup',
  'ModifyDBParameterGroup',
  'ResetDBParameterGroup',
  'DeleteDBParameterGroup',
]);

export function isMutating(entry: Pick<JournalEntry, 'operation'>): boolean {
  return MUTATING_OPERATIONS.has(entry.operation);
}

/** Calls by operation, for the figures. */
export function countByOperation(entries: readonly JournalEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) out[e.operation] = (out[e.operation] ?? 0) + 1;
  return out;
}
