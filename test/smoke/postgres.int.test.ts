// Proves the PostgreSQL cluster really streams: a write on the primary is replayed on both replicas, and a
// replica whose replay is paused falls behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { pgConnection, testEnv } from '../env/helpers.js';

describe('PostgreSQL primary + streaming replicas', () => {
  const { postgres } = testEnv();
  const primary = new pg.Client(pgConnection(postgres.primary));
  const replicas = postgres.replicas.map((node) => new pg.Client(pgConnection(node)));

  beforeAll(async () => {
    await Promise.all([primary, ...replicas].map((c) => c.connect()));
    await primary.query('CREATE TABLE IF NOT EXISTS smoke_marks (id serial PRIMARY KEY, mark text NOT NULL)');
  });

  afterAll(async () => {
    for (const r of replicas) await r.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
    await primary.query('DROP TABLE IF EXISTS smoke_marks');
    await Promise.all([primary, ...replicas].map((c) => c.end()));
  });

  it('has two replicas in recovery and a primary that is not', async () => {
    expect(postgres.replicas).toHaveLength(2);
    expect((await primary.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(false);
    for (const r of replicas) expect((await r.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);
  });

  it('replays a write on the primary on both replicas', async () => {
    const mark = `m-${Date.now()}`;
    await primary.query('INSERT INTO smoke_marks (mark) VALUES ($1)', [mark]);
    for (const r of replicas) {
      await expect
        .poll(async () => (await r.query('SELECT count(*)::int AS n FROM smoke_marks WHERE mark = $1', [mark])).rows[0].n, { timeout: 10_000 })
        .toBe(1);
    }
  });

  it('shows lag on a replica whose replay is paused, and catches up after resume', async () => {
    const replica = replicas[0]!;
    await replica.query('SELECT pg_wal_replay_pause()');
    await expect.poll(async () => (await replica.query('SELECT pg_get_wal_replay_pause_state() AS s')).rows[0].s, { timeout: 10_000 }).toBe('paused');

    const mark = `lag-${Date.now()}`;
    await primary.query('INSERT INTO smoke_marks (mark) VALUES ($1)', [mark]);
    const primaryLsn = (await primary.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn as string;
    // The paused replica receives the WAL but does not apply it; the other replica does.
    await expect
      .poll(async () => (await replicas[1]!.query('SELECT count(*)::int AS n FROM smoke_marks WHERE mark = $1', [mark])).rows[0].n, { timeout: 10_000 })
      .toBe(1);
    const behind = await replica.query(
      'SELECT count(*)::int AS n, pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()) > 0 AS behind FROM smoke_marks WHERE mark = $2',
      [primaryLsn, mark],
    );
    expect(behind.rows[0]).toEqual({ n: 0, behind: true });

    await replica.query('SELECT pg_wal_replay_resume()');
    await expect
      .poll(async () => (await replica.query('SELECT count(*)::int AS n FROM smoke_marks WHERE mark = $1', [mark])).rows[0].n, { timeout: 10_000 })
      .toBe(1);
  });
});
