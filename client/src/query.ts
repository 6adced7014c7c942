// What callers hand the router: statements, their values, the rows they get back, and transaction modes.
import type pg from 'pg';

export type QueryText = string | pg.QueryConfig;
export type QueryValues = unknown[] | undefined;
export type Row = pg.QueryResultRow;

export interface TransactionOptions {
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
  readOnly?: boolean;
  deferrable?: boolean;
}
