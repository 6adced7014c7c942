// A read-your-writes scope, typically one per request: after its write or transaction commits, its reads go
// only to replicas that have replayed that commit, else to the primary.
import type pg from 'pg';
import type { RouterCore } from './core.js';
import type { QueryText, QueryValues, Row, TransactionOptions } from './query.js';
import { isConnectionError } from './errors.js';
import { formatLsn, type Lsn } from './lsn.js';
import { positionScope, signPosition, verifyPosition, type PositionKey } from './position-token.js';
import { readRequirement, type ReadOptions, type TransactionClient } from './read-options.js';
import { RoutedPool } from './routed-pool.js';

export interface SessionOptions {
  /** Resume from the position an earlier session handed out (`session.position`), e.g. carried in a cookie. A
   * token this router's positionKey did not sign is ignored: the session starts fresh. */
  position?: string | undefined;
}

export class Session {
  #lsn: Lsn | undefined;
  // A write may have committed without us learning where: the next read first asks the primary for a position.
  #unknown = false;
  // Bumped each time a commit of unknown position happens: a position asked for before it does not cover it.
  #unknownCommits = 0;

  constructor(
    private readonly core: RouterCore,
    options: SessionOptions = {},
  ) {
    if (options.position === undefined) return;
    const lsn = verifyPosition(options.position, requirePositionKey(core), positionScope(core.topology));
    if (lsn === UNKNOWN_POSITION) this.#markUnknown();
    else this.#lsn = lsn;
  }

  /** WAL position of this session's last commit ("16/B374D848"), undefined before any write. For diagnostics:
   * carry `position` between requests. */
  get lsn(): string | undefined {
    return this.#lsn === undefined ? undefined : formatLsn(this.#lsn);
  }

  /** This session's position, signed with the router's positionKey, for the next request to resume from
   * (`router.session({ position })`); undefined before any write. */
  get position(): string | undefined {
    // A commit whose position is not known yet travels as such: the next request asks the primary before reading.
    const scope = positionScope(this.core.topology);
    if (this.#unknown) return signPosition(UNKNOWN_POSITION, requirePositionKey(this.core), scope);
    return this.#lsn === undefined ? undefined : signPosition(this.#lsn, requirePositionKey(this.core), scope);
  }

  #tracks(): boolean {
    return this.core.topology.routing.readYourWrites === 'lsn';
  }

  /** Called with the position of a commit, or undefined when the commit's position could not be learnt. */
  observeCommit(lsn: Lsn | undefined): void {
    if (lsn === undefined) {
      this.#markUnknown();
      return;
    }
    if (this.#lsn === undefined || lsn > this.#lsn) this.#lsn = lsn;
  }

  #markUnknown(): void {
    this.#unknown = true;
    this.#unknownCommits++;
  }

  async write<R extends Row = Row>(text: QueryText, values?: QueryValues): Promise<pg.QueryResult<R>> {
    if (!this.#tracks()) return this.core.writes.write<R>(text, values);
    try {
      const { result, lsn } = await this.core.writes.writeForSession<R>(text, values);
      this.observeCommit(lsn);
      return result;
    } catch (err) {
      if (isConnectionError(err)) this.#markUnknown();
      throw err;
    }
  }

  async read<R extends Row = Row>(text: QueryText, values?: QueryValues, options?: ReadOptions): Promise<pg.QueryResult<R>> {
    const need = readRequirement(this.core, options);
    if (this.#tracks()) {
      if (this.#unknown) {
        const covered = this.#unknownCommits;
        let position: Lsn;
        try {
          position = await this.core.writes.positionAfterNow();
        } catch {
          // The primary holds every commit there is; the position is asked for again at the next read.
          this.core.assertOpen();
          return this.core.reads.readOnPrimary<R>(text, values, 'read-your-writes');
        }
        this.observeCommit(position);
        // A commit of unknown position that happened while the position was asked may lie past it.
        if (this.#unknownCommits === covered) this.#unknown = false;
      }
      need.minLsn = this.#lsn;
    }
    return this.core.reads.read<R>(text, values, need);
  }

  criticalRead<R extends Row = Row>(text: QueryText, values?: QueryValues): Promise<pg.QueryResult<R>> {
    return this.core.reads.criticalRead<R>(text, values);
  }

  async transaction<T>(fn: (tx: TransactionClient) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const tracks = this.#tracks();
    try {
      const { result, lsn } = await this.core.writes.transaction(fn, options, tracks);
      if (tracks) this.observeCommit(lsn);
      return result;
    } catch (err) {
      if (tracks && isConnectionError(err)) this.#markUnknown();
      throw err;
    }
  }

  /** For drizzle: writes and transactions on the primary, commits tracked by this session. */
  writerPool(): pg.Pool {
    return new RoutedPool({
      query: (text, values) => this.write(text, values),
      connect: () => this.#connectTracked(),
    });
  }

  /** For drizzle: reads that see this session's writes. */
  readerPool(options?: ReadOptions): pg.Pool {
    return new RoutedPool({ query: (text, values) => this.read(text, values, options) });
  }

  // drizzle runs BEGIN ... COMMIT itself on the connection it is given; other callers (Kysely, code holding a checked
  // out client) send statements that commit on their own. Whenever a statement may have committed (it was sent outside
  // a transaction block, or it ends one), the insert position is read on that connection before the statement's
  // result is handed back, so the caller's next read already depends on it.
  async #connectTracked(): Promise<pg.PoolClient> {
    const client = await this.core.writes.connectPrimary();
    if (!this.#tracks()) return client;
    const query = async (config: QueryText, values?: QueryValues) => {
      // Queued behind statements not answered yet, a statement may find the connection in another state than this:
      // a guess of "outside a block" only makes the tracking more careful.
      const sentInBlock = isInBlock(client);
      let result: pg.QueryResult;
      try {
        result = await client.query(config, values);
      } catch (err) {
        // A statement that would commit may have been carried out before the connection was lost.
        if ((!sentInBlock || isCommitStatement(config)) && isConnectionError(err)) this.#markUnknown();
        throw err;
      }
      if (mayHaveCommitted(result, sentInBlock, client)) {
        let lsn: Lsn | undefined;
        try {
          lsn = await this.core.writes.insertLsn(client);
        } catch {
          lsn = undefined;
        }
        this.observeCommit(lsn);
      }
      return result;
    };
    return new Proxy(client, {
      get(target, prop) {
        if (prop === 'query') return query;
        return Reflect.get(target, prop, target) as unknown;
      },
    });
  }
}

/** In a transaction block, open or failed ('T', 'E'), as the server last said; outside one ('I') a statement
 * commits on its own. */
function isInBlock(client: pg.ClientBase): boolean {
  const status = client.getTransactionStatus();
  return status === 'T' || status === 'E';
}

/** Whether a statement that succeeded may have committed something: a COMMIT did, whatever the status after it
 * (COMMIT AND CHAIN, or "COMMIT; BEGIN" in one simple query, leave a new block open); otherwise, unless it ran
 * inside a block that is still open, or only opened one. Several statements in one simple query give one result
 * each. */
function mayHaveCommitted(result: pg.QueryResult | pg.QueryResult[], sentInBlock: boolean, client: pg.ClientBase): boolean {
  const results = Array.isArray(result) ? result : [result];
  if (results.some((r) => r.command === 'COMMIT')) return true;
  if (results.length === 1 && (results[0]?.command === 'BEGIN' || results[0]?.command === 'START')) return false;
  return !(sentInBlock && isInBlock(client));
}

function isCommitStatement(config: QueryText): boolean {
  const text = typeof config === 'string' ? config : config.text;
  return /^\s*(commit|end)\b/i.test(text);
}

/** The position a token carries for "a commit was made whose position is not known": no real WAL position is this
 * high, and a session resuming from it asks the primary for one before its first read. */
const UNKNOWN_POSITION: Lsn = 0xffffffffffffffffn;

function requirePositionKey(core: RouterCore): PositionKey {
  const key = core.options.positionKey;
  if (key === undefined) throw new TypeError('carrying a position between sessions needs the positionKey router option');
  return key;
}
