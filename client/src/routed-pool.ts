// A pg.Pool look-alike that hands every statement to the router, so that drizzle (which accepts a pg.Pool)
// gets the router's routing, lag checks, read-your-writes and hot reload instead of a fixed server.
import pg from 'pg';
import type { QueryText, QueryValues } from './query.js';

export interface RoutedPoolTarget {
  query(text: QueryText, values: QueryValues): Promise<pg.QueryResult>;
  /** Absent for read pools: transactions belong on the primary. */
  connect?(): Promise<pg.PoolClient>;
}

export class RoutedPool extends pg.Pool {
  readonly #target: RoutedPoolTarget;

  constructor(target: RoutedPoolTarget) {
    // The base pool is never used to connect; it only makes this object a pg.Pool for drizzle's type and
    // `instanceof Pool` check (which decides that transactions call connect()).
    super({ max: 1 });
    this.#target = target;
  }

  // One signature for all of pg.Pool's overloads; callbacks and submittables (cursors) are not routed.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(text: unknown, values?: unknown, callback?: unknown): any {
    if (typeof values === 'function' || typeof callback === 'function') {
      throw new TypeError('the router pool supports promise-style query(text, values) only');
    }
    if (typeof text !== 'string' && (typeof text !== 'object' || text === null || typeof (text as { submit?: unknown }).submit === 'function')) {
      throw new TypeError('the router pool routes query text or a query config; cursors and streams need a client of their own');
    }
    return this.#target.query(text as QueryText, values as QueryValues);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override connect(callback?: unknown): any {
    if (callback !== undefined) throw new TypeError('the router pool supports promise-style connect() only');
    if (!this.#target.connect) {
      return Promise.reject(new Error('a reader pool has no connections to hand out; run transactions on the writer pool'));
    }
    return this.#target.connect();
  }

  /** The router owns the pools: close the router, not this. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override end(): any {
    return Promise.resolve();
  }
}
