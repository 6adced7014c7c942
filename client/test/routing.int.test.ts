import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromEnv, ReadOnlyQueryError, type ReplicaRouter } from '../src/index.js';
import { cluster, clusterTopology, createClusterRouter, replicasCaughtUp, WHERE_AM_I, type WhereAmI } from './support.js';

const TABLE = 'client_routing_items';

describe('routing by role', () => {
  const pgc = cluster();
  let db: ReplicaRouter;

  beforeAll(async () => {
    db = await createClusterRouter(pgc);
    await db.write(`DROP TABLE IF EXISTS ${TABLE}`);
    await db.write(`CREATE TABLE ${TABLE} (id serial PRIMARY KEY, note text NOT NULL)`);
    await replicasCaughtUp(pgc);
  });

  afterAll(async () => {
    await db?.write(`DROP TABLE IF EXISTS ${TABLE}`);
    await db?.close();
  });

  it('sends reads round-robin to both replicas, which are in recovery', async () => {
    const ports = new Map<number, number>();
    for (let i = 0; i < 40; i++) {
      const { rows } = await db.read<WhereAmI>(WHERE_AM_I);
      expect(rows[0]?.standby).toBe(true);
      const port = rows[0]?.port ?? 0;
      ports.set(port, (ports.get(port) ?? 0) + 1);
    }
    expect([...ports.keys()].sort()).toEqual(pgc.replicas.map((r) => r.port).sort());
    expect([...ports.values()]).toEqual([20, 20]);
  });

  it('sends writes, transactions and critical reads to the primary', async () => {
    const written = await db.write<WhereAmI>(`INSERT INTO ${TABLE} (note) VALUES ($1) RETURNING inet_server_port() AS port, pg_is_in_recovery() AS standby`, [
      'w',
    ]);
    expect(written.rows[0]).toEqual({ port: pgc.primary.port, standby: false });
    expect(written.rowCount).toBe(1);

    const inTx = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${TABLE} (note) VALUES ($1)`, ['t']);
      return (await tx.query<WhereAmI>(WHERE_AM_I)).rows[0];
    });
    expect(inTx).toEqual({ port: pgc.primary.port, standby: false });

    const critical = await db.criticalRead<WhereAmI & { n: number }>(
      `SELECT inet_server_port() AS port, pg_is_in_recovery() AS standby, count(*)::int AS n FROM ${TABLE}`,
    );
    expect(critical.rows[0]).toEqual({ port: pgc.primary.port, standby: false, n: 2 });
  });

  it('rolls a transaction back when its callback throws', async () => {
    const before = (await db.criticalRead<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE}`)).rows[0]?.n;
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${TABLE} (note) VALUES ('doomed')`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await db.criticalRead<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE}`)).rows[0]?.n).toBe(before);
  });

  it('keeps the connection when the callback fails with a network error of its own and the rollback succeeds', async () => {
    const pid = async () => db.transaction(async (tx) => (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
    const before = await pid();
    // As an HTTP call made inside the transaction fails: the database connection has nothing to do with it.
    const callersOwn = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await expect(
      db.transaction(async (tx) => {
        expect((await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid).toBe(before);
        throw callersOwn;
      }),
    ).rejects.toBe(callersOwn);
    // pg-pool hands out the connection released last: the same backend, not a new one.
    expect(await pid()).toBe(before);
  });

  it('refuses a write sent through read() or criticalRead(), and never runs it on the primary', async () => {
    const count = async () => (await db.criticalRead<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE} WHERE note = 'sneaky'`)).rows[0]?.n;
    const attempt = db.read(`INSERT INTO ${TABLE} (note) VALUES ('sneaky')`);
    await expect(attempt).rejects.toBeInstanceOf(ReadOnlyQueryError);
    await expect(attempt).rejects.toThrow(/read-only transaction.*write\(\)/);
    await expect(db.criticalRead(`INSERT INTO ${TABLE} (note) VALUES ('sneaky')`)).rejects.toBeInstanceOf(ReadOnlyQueryError);
    expect(await count()).toBe(0);
  });

  it('refuses the write the same way when the read falls back to the primary', async () => {
    const primaryOnly = await createClusterRouter(pgc, { topology: clusterTopology(pgc, { replicas: [] }) });
    try {
      const { rows } = await primaryOnly.read<WhereAmI>(WHERE_AM_I);
      expect(rows[0]).toEqual({ port: pgc.primary.port, standby: false });
      await expect(primaryOnly.read(`INSERT INTO ${TABLE} (note) VALUES ('sneaky')`)).rejects.toBeInstanceOf(ReadOnlyQueryError);
      expect(primaryOnly.stats().endpoints[0]?.fallbacks).toBe(2);
    } finally {
      await primaryOnly.close();
    }
    expect((await db.criticalRead<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE} WHERE note = 'sneaky'`)).rows[0]?.n).toBe(0);
  });

  it('builds the same routing from the Servio environment variables', async () => {
    const env: NodeJS.ProcessEnv = {
      DB_PRIMARY_HOST: pgc.primary.host,
      DB_PRIMARY_PORT: String(pgc.primary.port),
      DB_NAME: pgc.database,
      DB_USERNAME: pgc.user,
      DB_PASSWORD: pgc.password,
      // The shared test cluster listens without TLS.
      DB_TLS_MODE: 'disable',
    };
    pgc.replicas.forEach((r, i) => {
      env[`DB_REPLICA_${i + 1}_HOST`] = r.host;
      env[`DB_REPLICA_${i + 1}_PORT`] = String(r.port);
    });
    const fromEnvRouter = await fromEnv({ env, lagCheckIntervalMs: 200 });
    try {
      const ports = new Set<number>();
      for (let i = 0; i < 4; i++) ports.add((await fromEnvRouter.read<WhereAmI>(WHERE_AM_I)).rows[0]?.port ?? 0);
      expect([...ports].sort()).toEqual(pgc.replicas.map((r) => r.port).sort());
      expect((await fromEnvRouter.write<WhereAmI>(WHERE_AM_I)).rows[0]?.port).toBe(pgc.primary.port);
    } finally {
      await fromEnvRouter.close();
    }
  });

  it('reports per-endpoint state, lag and routed counts', async () => {
    // pg-pool destroys a connection whose query failed, as the refused writes above did: use each replica again.
    await db.read(WHERE_AM_I);
    await db.read(WHERE_AM_I);
    const s = db.stats();
    expect(s.topology).toMatchObject({ revision: 1, source: 'object' });
    expect(s.lagChecks).toBeGreaterThan(0);
    expect(s.endpoints.map((e) => [e.role, e.port, e.state, e.healthy])).toEqual([
      ['primary', pgc.primary.port, 'active', true],
      ...pgc.replicas.map((r) => ['replica', r.port, 'active', true]),
    ]);
    for (const replica of s.endpoints.slice(1)) {
      expect(replica.routed).toBeGreaterThanOrEqual(20);
      expect(replica.lagSeconds).not.toBeNull();
      expect(replica.replayLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      expect(replica.pool.total).toBeGreaterThan(0);
    }
  });
});
