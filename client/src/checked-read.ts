// A session read on a replica not yet known to have replayed the session's commit, sent with the check that can
// prove it has (check-then-read.ts): proving and reading cost one round trip instead of a probe and then the read.
// The read's result is handed out only when the check shows the commit replayed; otherwise it is dropped unseen.
//
// Why a passed check makes the read safe: the server runs the check, then the read; replay only moves forward;
// under READ COMMITTED the read takes its snapshot when it starts, after the check, so the snapshot includes every
// commit the check saw replayed. A connection already inside a transaction is not used.
import type pg from 'pg';
import { checkableRead, checkRow, queryCheckThenRead, type CheckRow } from './check-then-read.js';
import { now } from './clock.js';
import type { QueryText, QueryValues, Row } from './query.js';
import type { Endpoint } from './endpoint.js';
import { isConnectionError } from './errors.js';
import { parseLsn, type Lsn } from './lsn.js';

/** What the check answered. unsafe: a transaction isolation under which the read's snapshot would be the check's. */
export type ReplayCheck = { kind: 'covers'; replayed: Lsn } | { kind: 'behind'; replayed: Lsn } | { kind: 'unsafe'; replayed: Lsn } | { kind: 'unanswered' };

export function judgeReplayCheck(check: CheckRow, minLsn: Lsn): ReplayCheck {
  // NULL: the replica has replayed nothing since it started.
  if (typeof check.lsn !== 'string') return { kind: 'unanswered' };
  let replayed: Lsn;
  try {
    replayed = parseLsn(check.lsn);
  } catch {
    return { kind: 'unanswered' };
  }
  if (check.isolation !== 'read committed') return { kind: 'unsafe', replayed };
  return replayed >= minLsn ? { kind: 'covers', replayed } : { kind: 'behind', replayed };
}

/**
 * served: the check covered the commit; the read's result is the caller's. discarded: the read's result, or its
 * error, must never reach the caller (`why`; `lost` is the connection error met, if any). skipped: nothing sent.
 */
export type CheckedRead<R extends Row> =
  { kind: 'served'; result: pg.QueryResult<R> } | { kind: 'discarded'; why: 'behind' | 'unsafe' | 'unanswered'; lost: Error | undefined } | { kind: 'skipped' };

/** Only an idle connection runs the read in a transaction that begins with the check (status 'I' of the last
 * ReadyForQuery). */
export function mayReadBehindCheck(transactionStatus: string | null | undefined): boolean {
  return transactionStatus === 'I';
}

/** Sends the check and the read on one connection of `ep`'s main pool. Connecting errors are thrown. */
export async function readBehindReplayCheck<R extends Row>(ep: Endpoint, text: QueryText, values: QueryValues, minLsn: Lsn): Promise<CheckedRead<R>> {
  const read = checkableRead(text, values);
  if (read === undefined) return { kind: 'skipped' };
  const client = await ep.checkOut();
  let lost: Error | undefined;
  try {
    if (!mayReadBehindCheck(client.getTransactionStatus())) return { kind: 'skipped' };
    const startedAt = now();
    let results: [pg.QueryResult, pg.QueryResult<R>];
    try {
      results = await queryCheckThenRead<R>(client, read);
    } catch (err) {
      // Either statement failed; the check's answer, if there was one, is lost with it.
      if (isConnectionError(err)) lost = err as Error;
      return { kind: 'discarded', why: 'unanswered', lost };
    }
    const verdict = judgeReplayCheck(checkRow(results[0]), minLsn);
    if (verdict.kind !== 'unanswered') ep.noteProbedReplayLsn(startedAt, verdict.replayed, now());
    if (verdict.kind === 'covers') return { kind: 'served', result: results[1] };
    return { kind: 'discarded', why: verdict.kind, lost: undefined };
  } finally {
    // A connection that lost its server is destroyed, not handed out again.
    client.release(lost);
    ep.end();
  }
}
