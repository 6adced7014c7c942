// Statement builders for BaseRepository: every identifier quoted, every value a parameter, every number that
// ends up in the text validated. Pure, so every rule is tested without a server.

export type TableRef = string | { schema: string; table: string };

export interface Statement {
  text: string;
  values: unknown[];
}

export type OrderBy = string | { column: string; direction?: 'asc' | 'desc' };

export interface ListOptions {
  limit?: number;
  offset?: number;
  /** Default: the id column, whenever limit or offset is given, so that pages are stable. */
  orderBy?: OrderBy | OrderBy[];
}

// PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1 bytes), which could make two names the same.
const MAX_IDENTIFIER_BYTES = 63;

export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('an identifier must be a non-empty string');
  if (name.includes('\0')) throw new TypeError('an identifier cannot contain a NUL character');
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES)
    throw new TypeError(`identifier longer than ${MAX_IDENTIFIER_BYTES} bytes: ${name.slice(0, 20)}...`);
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteTable(table: TableRef): string {
  if (typeof table === 'string') {
    // "public.orders" would become one identifier with a dot in it: say so instead of querying the wrong table.
    if (table.includes('.')) throw new TypeError(`table "${table}" contains a dot; pass { schema, table } for a schema-qualified name`);
    return quoteIdentifier(table);
  }
  return `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
}

function definedEntries(data: Record<string, unknown>): Array<[string, unknown]> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('row data must be a plain object');
  return Object.entries(data).filter(([, v]) => v !== undefined);
}

function whereClause(where: Record<string, unknown>, values: unknown[]): string {
  const entries = Object.entries(where);
  if (entries.length === 0) throw new TypeError('a condition object needs at least one column; use findAll() to read every row');
  return entries
    .map(([column, value]) => {
      // A dropped condition would widen the query to more rows than asked for.
      if (value === undefined) throw new TypeError(`condition on ${column} is undefined; use null to match NULL`);
      if (value === null) return `${quoteIdentifier(column)} IS NULL`;
      values.push(value);
      return `${quoteIdentifier(column)} = $${values.length}`;
    })
    .join(' AND ');
}

function nonNegativeInteger(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0, got ${String(value)}`);
  if (value > max) throw new RangeError(`${name} must be at most ${max}, got ${value}`);
  return value;
}

function orderClause(orderBy: OrderBy | OrderBy[]): string {
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  if (list.length === 0) throw new TypeError('orderBy needs at least one column');
  return list
    .map((o) => {
      const { column, direction = 'asc' } = typeof o === 'string' ? { column: o } : o;
      if (direction !== 'asc' && direction !== 'desc') throw new TypeError(`order direction must be asc or desc, got ${String(direction)}`);
      return `${quoteIdentifier(column)} ${direction.toUpperCase()}`;
    })
    .join(', ');
}

export function buildInsert(table: TableRef, data: Record<string, unknown>): Statement {
  const entries = definedEntries(data);
  if (entries.length === 0) return { text: `INSERT INTO ${quoteTable(table)} DEFAULT VALUES RETURNING *`, values: [] };
  const columns = entries.map(([c]) => quoteIdentifier(c)).join(', ');
  const placeholders = entries.map((_, i) => `$${i + 1}`).join(', ');
  return { text: `INSERT INTO ${quoteTable(table)} (${columns}) VALUES (${placeholders}) RETURNING *`, values: entries.map(([, v]) => v) };
}

export function buildUpdate(table: TableRef, idColumn: string, id: unknown, changes: Record<string, unknown>): Statement {
  const entries = definedEntries(changes);
  if (entries.length === 0) throw new TypeError('update needs at least one column to change');
  const set = entries.map(([c], i) => `${quoteIdentifier(c)} = $${i + 2}`).join(', ');
  return { text: `UPDATE ${quoteTable(table)} SET ${set} WHERE ${quoteIdentifier(idColumn)} = $1 RETURNING *`, values: [id, ...entries.map(([, v]) => v)] };
}

export function buildDelete(table: TableRef, idColumn: string, id: unknown): Statement {
  return { text: `DELETE FROM ${quoteTable(table)} WHERE ${quoteIdentifier(idColumn)} = $1 RETURNING *`, values: [id] };
}

export function buildSelect(
  table: TableRef,
  idColumn: string,
  where: Record<string, unknown> | undefined,
  options: ListOptions = {},
  maxLimit = Number.MAX_SAFE_INTEGER,
): Statement {
  const values: unknown[] = [];
  let text = `SELECT * FROM ${quoteTable(table)}`;
  if (where !== undefined) text += ` WHERE ${whereClause(where, values)}`;
  const paged = options.limit !== undefined || options.offset !== undefined;
  if (options.orderBy !== undefined || paged) text += ` ORDER BY ${orderClause(options.orderBy ?? idColumn)}`;
  if (options.limit !== undefined) {
    values.push(nonNegativeInteger('limit', options.limit, maxLimit));
    text += ` LIMIT $${values.length}`;
  }
  if (options.offset !== undefined) {
    values.push(nonNegativeInteger('offset', options.offset, Number.MAX_SAFE_INTEGER));
    text += ` OFFSET $${values.length}`;
  }
  return { text, values };
}
