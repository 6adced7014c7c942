import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { RoutedPool } from './routed-pool.js';

describe('RoutedPool', () => {
  const calls: unknown[][] = [];
  const pool = new RoutedPool({
    query: async (text, values) => {
      calls.push([text, values]);
      return { rows: [], rowCount: 0 } as unknown as pg.QueryResult;
    },
  });

  it('is a pg.Pool to drizzle (instanceof and constructor name) and hands statements to the router unchanged', async () => {
    expect(pool).toBeInstanceOf(pg.Pool);
    expect(pool.constructor.name).toContain('Pool');
    const config = { text: 'select $1', rowMode: 'array' as const };
    await pool.query(config, [1]);
    expect(calls.at(-1)).toEqual([config, [1]]);
  });

  it('refuses callbacks and submittables instead of losing them', () => {
    expect(() => pool.query('select 1', () => undefined)).toThrow(/promise-style/);
    expect(() => pool.query({ submit: () => undefined } as unknown as pg.Submittable)).toThrow(/cursors/);
  });

  it('has no connections to hand out when it routes reads, and nothing to end', async () => {
    await expect(pool.connect()).rejects.toThrow(/writer pool/);
    await expect(pool.end()).resolves.toBeUndefined();
  });
});
