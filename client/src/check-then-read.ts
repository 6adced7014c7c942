// The replay check and a read as one pg query: both statements go out in one write and end with a single Sync, so
// the replica answers both with a single flush. Pipelined as two queries, each with its own Sync, the server would
// flush twice, which on a busy host costs nearly as much as another query.
//
// Under one Sync the two statements share an implicit transaction. Under READ COMMITTED each statement still takes
// its own snapshot when it starts, so the read's is taken after the check has finished; under REPEATABLE READ or
// SERIALIZABLE the transaction's snapshot would be the check's, taken before it read the replay position. The check
// therefore reports the isolation level too, and only READ COMMITTED may vouch for the read.
import pg from 'pg';
import type { Socket } from 'node:net';
import type { QueryText, QueryValues, Row } from './query.js';

export const CHECK_SQL = "SELECT pg_last_wal_replay_lsn()::text AS lsn, current_setting('transaction_isolation') AS isolation";

/** What the check reports, in either row mode. */
export interface CheckRow {
  lsn: unknown;
  isolation: unknown;
}

/** The read as this query can carry it, or undefined for settings it cannot (a prepared statement's name, binary
 * results, row batches): those reads are not sent behind a check. */
export function checkableRead(text: QueryText, values: QueryValues): pg.QueryConfig | undefined {
  if (typeof text === 'string') return { text, values: values ?? [] };
  const { text: sql, values: own, rowMode, types, ...other } = text as pg.QueryConfig & { rowMode?: 'array'; types?: unknown };
  if (Object.values(other).some((v) => v !== undefined)) return undefined;
  return { text: sql, values: values ?? own ?? [], ...(rowMode === undefined ? {} : { rowMode }), ...(types === undefined ? {} : { types }) } as pg.QueryConfig;
}

export function checkRow(result: pg.QueryResult): CheckRow {
  const row: unknown = result.rows[0];
  if (Array.isArray(row)) return { lsn: row[0], isolation: row[1] };
  const named = (row ?? {}) as Partial<CheckRow>;
  return { lsn: named.lsn, isolation: named.isolation };
}

interface ProtocolConnection {
  stream: Socket;
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: unknown[] }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string }): void;
}

interface BaseQuery {
  prepare(connection: ProtocolConnection): void;
}

const CHECK_STATEMENT = 'rsdb_replay_check';
const UNDEFINED_PREPARED_STATEMENT = '26000';
/** Connections whose server has the check prepared. Statements outlive errors and transactions, so once sent it
 * stays for the life of the connection. */
const checkPreparedOn = new WeakSet<ProtocolConnection>();

type QueryCallback = (err: Error | undefined, results: pg.QueryResult | pg.QueryResult[]) => void;
const Query = pg.Query as unknown as new (config: pg.QueryConfig, values: undefined, callback: QueryCallback) => BaseQuery;

/** pg's Query (its pipelining accepts no other kind), sending the check's messages ahead of the read's own. */
class CheckThenReadQuery extends Query {
  sentOn: ProtocolConnection | undefined;

  submit(connection: ProtocolConnection): null {
    this.sentOn = connection;
    connection.stream.cork();
    try {
      // Prepared once per connection: the server then neither parses nor plans the check again.
      if (!checkPreparedOn.has(connection)) {
        connection.parse({ text: CHECK_SQL, name: CHECK_STATEMENT, types: [] });
        checkPreparedOn.add(connection);
      }
      connection.bind({ portal: '', statement: CHECK_STATEMENT, values: [] });
      connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '' });
      // The read's parse, bind, describe and execute, then the Sync that ends both.
      this.prepare(connection);
    } finally {
      connection.stream.uncork();
    }
    return null;
  }
}

/** The check's result and the read's. Rejects with the first error of either statement: the server skips the rest. */
export function queryCheckThenRead<R extends Row>(client: pg.ClientBase, read: pg.QueryConfig): Promise<[pg.QueryResult, pg.QueryResult<R>]> {
  return new Promise((resolve, reject) => {
    const query = new CheckThenReadQuery(read, undefined, (err, results) => {
      // The statement is gone (a DISCARD ALL run through a read): prepare it again next time.
      if (err && (err as { code?: unknown }).code === UNDEFINED_PREPARED_STATEMENT && query.sentOn) checkPreparedOn.delete(query.sentOn);
      if (err) reject(err);
      // Anything but two results (an empty read text answers with none) leaves nothing to vouch for.
      else if (!Array.isArray(results) || results.length !== 2) reject(new Error('the replay check and the read did not return two results'));
      else resolve(results as [pg.QueryResult, pg.QueryResult<R>]);
    });
    void client.query(query as unknown as pg.Submittable);
  });
}
