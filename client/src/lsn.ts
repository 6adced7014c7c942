// PostgreSQL WAL positions ("16/B374D848") as bigints: two 32-bit hex halves, compared numerically.

export type Lsn = bigint;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

export function parseLsn(text: string): Lsn {
  const match = LSN_TEXT.exec(text);
  if (!match) throw new Error(`not a WAL position: ${JSON.stringify(text)}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  if (lsn < 0n || lsn > 0xffffffffffffffffn) throw new Error(`WAL position out of range: ${lsn}`);
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The `lsn` text column of a one-row result, such as `SELECT pg_current_wal_insert_lsn()::text AS lsn`. */
export function lsnColumn(result: { rows: Array<{ lsn?: unknown }> }): Lsn {
  const value = result.rows[0]?.lsn;
  if (typeof value !== 'string') throw new Error('the server returned no WAL position');
  return parseLsn(value);
}

const SHORT_PAGE_HEADER = 24n;
const LONG_PAGE_HEADER = 40n;

/**
 * pg_current_wal_insert_lsn() points past the page header when the last record ended exactly on a page
 * boundary, while a replica that replayed that record reports the boundary itself; without this, an idle
 * primary could keep a session on the primary forever. No record can end inside a page header, so moving the
 * position back to the boundary never lets a session read from a replica that lacks its commit.
 */
export function insertLsnToRecordEnd(lsn: Lsn, walBlockSize: bigint): Lsn {
  const offset = lsn % walBlockSize;
  return offset === SHORT_PAGE_HEADER || offset === LONG_PAGE_HEADER ? lsn - offset : lsn;
}
