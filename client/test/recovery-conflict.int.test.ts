// A read a replica cancels because replaying the primary's WAL needed the lock it held ("canceling statement due to
// conflict with recovery"), on real PostgreSQL streaming replicas: the read runs again elsewhere, and the replica
// stays in rotation. The replica is told not to wait for the read at all (max_standby_streaming_delay = 0) so that
// the conflict cancels it at once; RDS's default waits 30 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicaRouter } from '../src/index.js';
import { cluster, clusterTopology, createClusterRouter, lagChecks, onNode, replicasCaughtUp, twoReplicas } from './support.js';

const TABLE = 'client_conflict_items';

describe('a read cancelled by a recovery conflict', () => {
  const pgc = cluster();
  const [conflicting] = twoReplicas(pgc);
  let db: ReplicaRouter;

  const setStandbyDelay = (value: string | undefined) =>
    onNode(conflicting, async (c) => {
      await c.query(value === undefined ? 'ALTER SYSTEM RESET max_standby_streaming_delay' : `ALTER SYSTEM SET max_standby_streaming_delay = '${value}'`);
      await c.query('SELECT pg_reload_conf()');
    });

  beforeAll(async () => {
    // Only the conflicting replica is published: the read's second try goes to the primary.
    const topology = clusterTopology(pgc);
    db = await createClusterRouter(pgc, { topology: { ...topology, replicas: topology.replicas.filter((r) => r.port === conflicting.port) } });
    await db.write(`DROP TABLE IF EXISTS ${TABLE}`);
    await db.write(`CREATE TABLE ${TABLE} (id int PRIMARY KEY)`);
    await db.write(`INSERT INTO ${TABLE} SELECT generate_series(1, 10)`);
    await replicasCaughtUp(pgc);
    await setStandbyDelay('0');
    await lagChecks(db, 1);
  });

  afterAll(async () => {
    await setStandbyDelay(undefined);
    await db?.write(`DROP TABLE IF EXISTS ${TABLE}`);
    await db?.close();
  });

  it('runs again elsewhere, and the replica stays in rotation', async () => {
    const replicaStats = () => db.stats().endpoints.find((e) => e.port === conflicting.port);
    const movedBefore = replicaStats()?.retriedElsewhere ?? 0;
    // Holds the table's lock on the replica for a second.
    const read = db.read<{ n: number; port: number }>(`SELECT count(*)::int AS n, inet_server_port() AS port FROM ${TABLE}, pg_sleep(1)`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Replaying this lock conflicts with the read's; the replica cancels the read rather than wait.
    await db.transaction(async (tx) => {
      await tx.query(`LOCK TABLE ${TABLE} IN ACCESS EXCLUSIVE MODE`);
    });
    const { rows } = await read;
    expect(rows[0]).toEqual({ n: 10, port: pgc.primary.port });
    expect(replicaStats()).toMatchObject({ healthy: true, retriedElsewhere: movedBefore + 1 });
    const { rows: next } = await db.read<{ port: number }>('SELECT inet_server_port() AS port');
    expect(next[0]?.port).toBe(conflicting.port);
  });
});
