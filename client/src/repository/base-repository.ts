// The Servio BaseRepository, done safely: the same operations, with identifiers quoted, values bound as
// parameters, and limit/offset validated. Writes go to the primary; reads to a fresh replica. Built on a
// session, its reads see its own writes.
import type pg from 'pg';
import type { QueryText, QueryValues } from '../query.js';
import type { ReadOptions } from '../read-options.js';
import { buildDelete, buildInsert, buildSelect, buildUpdate, quoteIdentifier, quoteTable, type ListOptions, type TableRef } from './sql.js';

/** What a repository runs on: a ReplicaRouter or a Session. */
export interface RepositoryDb {
  write<R extends pg.QueryResultRow>(text: QueryText, values?: QueryValues): Promise<pg.QueryResult<R>>;
  read<R extends pg.QueryResultRow>(text: QueryText, values?: QueryValues, options?: ReadOptions): Promise<pg.QueryResult<R>>;
  criticalRead<R extends pg.QueryResultRow>(text: QueryText, values?: QueryValues): Promise<pg.QueryResult<R>>;
}

export interface RepositoryOptions {
  /** Primary key column. Default `id`. */
  idColumn?: string;
  /** Largest accepted `limit`. Default 1000. */
  maxLimit?: number;
}

export interface FindOptions extends ReadOptions {
  /** Read on the primary (the Servio findByIdCritical). */
  critical?: boolean;
}

export class BaseRepository<Row extends pg.QueryResultRow = pg.QueryResultRow> {
  protected readonly table: TableRef;
  protected readonly idColumn: string;
  readonly #maxLimit: number;

  constructor(
    protected readonly db: RepositoryDb,
    table: TableRef,
    options: RepositoryOptions = {},
  ) {
    // Validate names once, at construction, rather than on the first query.
    quoteTable(table);
    this.idColumn = options.idColumn ?? 'id';
    quoteIdentifier(this.idColumn);
    this.table = table;
    const maxLimit = options.maxLimit ?? 1000;
    // NaN would compare false against every limit, which lifts the cap instead of failing.
    if (!Number.isSafeInteger(maxLimit) || maxLimit < 1) throw new RangeError(`maxLimit must be an integer >= 1, got ${String(maxLimit)}`);
    this.#maxLimit = maxLimit;
  }

  async insert(data: Partial<Row>): Promise<Row> {
    const { text, values } = buildInsert(this.table, data);
    return (await this.db.write<Row>(text, values)).rows[0] as Row;
  }

  /** The updated row, or undefined when no row has this id. */
  async update(id: unknown, changes: Partial<Row>): Promise<Row | undefined> {
    const { text, values } = buildUpdate(this.table, this.idColumn, id, changes);
    return (await this.db.write<Row>(text, values)).rows[0];
  }

  /** The deleted row, or undefined when no row has this id. */
  async delete(id: unknown): Promise<Row | undefined> {
    const { text, values } = buildDelete(this.table, this.idColumn, id);
    return (await this.db.write<Row>(text, values)).rows[0];
  }

  async findById(id: unknown, options: FindOptions = {}): Promise<Row | undefined> {
    const { text, values } = buildSelect(this.table, this.idColumn, { [this.idColumn]: id });
    return (await this.#select(text, values, options))[0];
  }

  /** Rows equal on every given column (null matches NULL). At least one condition is required. */
  async findMany(where: Partial<Row>, options: ListOptions & FindOptions = {}): Promise<Row[]> {
    const { text, values } = buildSelect(this.table, this.idColumn, where, options, this.#maxLimit);
    return this.#select(text, values, options);
  }

  async findAll(options: ListOptions & FindOptions = {}): Promise<Row[]> {
    const { text, values } = buildSelect(this.table, this.idColumn, undefined, options, this.#maxLimit);
    return this.#select(text, values, options);
  }

  async #select(text: string, values: unknown[], options: FindOptions): Promise<Row[]> {
    const result = options.critical
      ? await this.db.criticalRead<Row>(text, values)
      : await this.db.read<Row>(text, values, options.maxLagSeconds === undefined ? undefined : { maxLagSeconds: options.maxLagSeconds });
    return result.rows;
  }
}
