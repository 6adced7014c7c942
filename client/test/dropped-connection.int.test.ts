// A connection the server ends while the router has it checked out (a restart, a failover, an administrator): the
// statement in flight fails with a connection error, and nothing else. pg reports the drop as an 'error' event on
// the client as well, which pg-pool stops listening for while a client is out; unheard, it would end the process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConnectionError } from '../src/errors.js';
import type { ReplicaRouter } from '../src/index.js';
import { cluster, clusterTopology, createClusterRouter, replicasCaughtUp } from './support.js';

const TERMINATE_SELF = 'SELECT pg_terminate_backend(pg_backend_pid())';

describe('a connection the server ends while the router has it checked out', () => {
  const pgc = cluster();
  let db: ReplicaRouter;

  beforeAll(async () => {
    db = await createClusterRouter(pgc, { topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600 } }), lagCheckIntervalMs: 600_000 });
    db.on('error', () => undefined);
    await db.write('CREATE TABLE IF NOT EXISTS client_dropped_items (id int PRIMARY KEY)');
    await replicasCaughtUp(pgc);
  });

  afterAll(async () => {
    await db?.write('DROP TABLE IF EXISTS client_dropped_items').catch(() => undefined);
    await db?.close();
  });

  it('fails the transaction with a connection error, and the router serves the next one', async () => {
    const failure: unknown = await db.transaction((tx) => tx.query(TERMINATE_SELF)).catch((err: unknown) => err);
    expect(isConnectionError(failure), String(failure)).toBe(true);
    // Long enough for the client to see the socket close after the error.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(db.transaction(async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one)).resolves.toBe(1);
  });

  it('fails a session read sent behind a replay check with a connection error, and the router serves the next one', async () => {
    const session = db.session();
    await session.write('INSERT INTO client_dropped_items VALUES (1) ON CONFLICT DO NOTHING');
    // The read ends its own connection on the replica; dropped unseen there, it then ends a connection of the primary.
    const failure: unknown = await session.read(TERMINATE_SELF).catch((err: unknown) => err);
    expect(isConnectionError(failure), String(failure)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(db.stats().readYourWrites.discarded).toBeGreaterThanOrEqual(1);
    await expect(db.session().read<{ one: number }>('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });
});
