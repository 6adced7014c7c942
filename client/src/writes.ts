// Work on the primary: writes, transactions, connections for drizzle, and the WAL position a session needs
// after each of its commits.
import type pg from 'pg';
import type { QueryText, QueryValues, Row, TransactionOptions } from './query.js';
import { isConnectionError } from './errors.js';
import type { Endpoint } from './endpoint.js';
import { insertLsnToRecordEnd, lsnColumn, type Lsn } from './lsn.js';
import { sendTogether } from './pipeline.js';
import type { RoutingState } from './routing-state.js';
import { SharedProbe } from './shared-probe.js';

const INSERT_LSN_SQL = 'SELECT pg_current_wal_insert_lsn()::text AS lsn';
/** Prepared once per connection, for the position asked after session writes (behind the write, or shared on the
 * monitoring connection): the primary neither parses nor plans it again. */
const INSERT_LSN_QUERY = { name: 'rsdb_insert_lsn', text: INSERT_LSN_SQL };

const ISOLATION_LEVELS: ReadonlyArray<TransactionOptions['isolationLevel']> = ['read committed', 'repeatable read', 'serializable'];

/** The BEGIN of a transaction. The isolation level goes into the SQL text, so only the known ones are accepted:
 * a value from configuration or a JavaScript caller is not held to the type. */
export function beginSql(o: TransactionOptions | undefined): string {
  const modes: string[] = [];
  if (o?.isolationLevel !== undefined && !ISOLATION_LEVELS.includes(o.isolationLevel)) {
    throw new TypeError(`isolationLevel must be one of ${ISOLATION_LEVELS.join(', ')}; got ${JSON.stringify(o.isolationLevel)}`);
  }
  if (o?.isolationLevel) modes.push(`ISOLATION LEVEL ${o.isolationLevel.toUpperCase()}`);
  if (o?.readOnly !== undefined) modes.push(o.readOnly ? 'READ ONLY' : 'READ WRITE');
  if (o?.deferrable !== undefined) modes.push(o.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE');
  return modes.length > 0 ? `BEGIN ${modes.join(', ')}` : 'BEGIN';
}

/** COMMIT of a transaction that already failed rolls back and reports success; callers must not believe it. */
function assertCommitted(result: pg.QueryResult): void {
  if (result.command === 'ROLLBACK') throw new Error('the transaction had failed and was rolled back instead of committed');
}

export class Writes {
  readonly #positions = new WeakMap<Endpoint, SharedProbe<Lsn>>();
  #sessionWritesInFlight = 0;

  constructor(private readonly core: RoutingState) {}

  async write<R extends Row>(text: QueryText, values: QueryValues): Promise<pg.QueryResult<R>> {
    this.core.assertOpen();
    const ep = this.core.primary;
    ep.counters.routed++;
    return ep.run<R>(ep.pools.main, text, values);
  }

  /**
   * Runs `use` on one primary connection; a connection left broken is destroyed, not returned to the pool. A
   * connection error `use` throws breaks it, unless `use` said the connection answered after that error
   * (`markAnswered`): then the error was not the connection's (a transaction callback's own network call).
   */
  async withPrimaryClient<T>(use: (client: pg.PoolClient, markBroken: (err: unknown) => void, markAnswered: () => void) => Promise<T>): Promise<T> {
    this.core.assertOpen();
    const ep = this.core.primary;
    ep.counters.routed++;
    // In flight from here on; without a connection, checkOut() ends the count itself.
    const client = await ep.checkOut();
    let broken: Error | undefined;
    let answered = false;
    const markBroken = (err: unknown) => {
      broken = err instanceof Error ? err : new Error(String(err));
    };
    try {
      return await use(client, markBroken, () => (answered = true));
    } catch (err) {
      if (!answered && isConnectionError(err)) markBroken(err);
      throw err;
    } finally {
      client.release(broken);
      ep.end();
    }
  }

  /** The WAL insert position after everything this connection committed, as a replica reports its replay. */
  async insertLsn(client: pg.ClientBase): Promise<Lsn> {
    return insertLsnToRecordEnd(lsnColumn(await client.query(INSERT_LSN_SQL)), this.core.walBlockSize);
  }

  /**
   * A write and the position of its commit: the insert position is asked for on the same connection right behind
   * the write (pipelined: both leave in one round trip; the server runs them in order), so it is at or past the
   * commit record. `lsn` is undefined when the write committed but the position could not be read: the write
   * must not be reported as failed.
   */
  async writeAndCaptureLsn<R extends Row>(text: QueryText, values: QueryValues): Promise<{ result: pg.QueryResult<R>; lsn: Lsn | undefined }> {
    return this.withPrimaryClient(async (client, markBroken) => {
      const [written, position] = sendTogether(client, () => [client.query<R>(text, values), client.query<{ lsn: string }>(INSERT_LSN_QUERY)] as const);
      let result: pg.QueryResult<R>;
      try {
        result = await written;
      } catch (err) {
        // The connection goes back to the pool only once the position query is done with it too.
        await position.catch(() => undefined);
        throw err;
      }
      try {
        return { result, lsn: insertLsnToRecordEnd(lsnColumn(await position), this.core.walBlockSize) };
      } catch (err) {
        markBroken(err);
        return { result, lsn: undefined };
      }
    });
  }

  /**
   * A session's write and a position at or past its commit, sent the cheaper way for the moment: alone, the
   * position query goes pipelined behind the write (no extra round trip); while other sessions' position queries
   * are out, the write goes alone and joins the next shared one, so a burst of writes costs the primary one
   * position query at a time instead of one each (as a group commit shares a flush).
   */
  async writeForSession<R extends Row>(text: QueryText, values: QueryValues): Promise<{ result: pg.QueryResult<R>; lsn: Lsn | undefined }> {
    const alone = this.#sessionWritesInFlight === 0 && !this.#positionProbe(this.core.primary).busy;
    this.#sessionWritesInFlight++;
    try {
      if (alone) return await this.writeAndCaptureLsn<R>(text, values);
      const result = await this.write<R>(text, values);
      // Committed: an unknown position only sends the session's next read to ask again, never fails the write.
      const lsn = await this.positionAfterNow().catch(() => undefined);
      if (lsn !== undefined) this.core.readYourWrites.sharedPosition++;
      return { result, lsn };
    } finally {
      this.#sessionWritesInFlight--;
    }
  }

  /** The primary's WAL insert position, read by a query that starts after this call: at or past every commit
   * that returned before it, as a replica reports its replay. */
  positionAfterNow(ep: Endpoint = this.core.primary): Promise<Lsn> {
    return this.#positionProbe(ep).next();
  }

  #positionProbe(ep: Endpoint): SharedProbe<Lsn> {
    let probe = this.#positions.get(ep);
    if (!probe) {
      probe = new SharedProbe(async () => insertLsnToRecordEnd(lsnColumn(await ep.pools.monitor.query(INSERT_LSN_QUERY)), this.core.walBlockSize));
      this.#positions.set(ep, probe);
    }
    return probe;
  }

  /** A primary connection for a caller that runs its own statements (drizzle transactions); release() once. */
  async connectPrimary(): Promise<pg.PoolClient> {
    this.core.assertOpen();
    const ep = this.core.primary;
    ep.counters.routed++;
    const client = await ep.checkOut();
    let released = false;
    const release = (err?: Error | boolean) => {
      if (released) return;
      released = true;
      client.release(err);
      ep.end();
    };
    return new Proxy(client, {
      get(target, prop) {
        if (prop === 'release') return release;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  async transaction<T>(
    fn: (client: pg.PoolClient) => Promise<T>,
    options: TransactionOptions | undefined,
    captureLsn: boolean,
  ): Promise<{ result: T; lsn: Lsn | undefined }> {
    return this.withPrimaryClient(async (client, markBroken, markAnswered) => {
      await client.query(beginSql(options));
      let result: T;
      try {
        result = await fn(client);
      } catch (err) {
        try {
          await client.query('ROLLBACK');
          markAnswered();
        } catch (rollbackErr) {
          // The caller's error is the one worth seeing; the connection is in an unknown state and must not be reused.
          markBroken(rollbackErr);
        }
        throw err;
      }
      if (!captureLsn) {
        assertCommitted(await client.query('COMMIT'));
        return { result, lsn: undefined };
      }
      // One round trip: the simple protocol runs both statements in order, so the position is read after the commit.
      const [commit, position] = (await client.query(`COMMIT; ${INSERT_LSN_SQL}`)) as unknown as [pg.QueryResult, pg.QueryResult];
      assertCommitted(commit);
      return { result, lsn: insertLsnToRecordEnd(lsnColumn(position), this.core.walBlockSize) };
    });
  }
}
