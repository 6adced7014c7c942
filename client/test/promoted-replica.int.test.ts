// A replica promoted while the topology still lists it (promoted by hand, or a failover the operator has not
// published yet) must not take a write sent through read(): the operator deletes a promoted replica, so a write
// committed there would be lost. Real PostgreSQL: a primary and one streaming replica of this file's own, since the
// promotion ends that replica's replication for good. The lag check interval is the default.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ReadOnlyQueryError, type ReplicaRouter } from '../src/index.js';
import type { PostgresNode } from '../../test/env/contract.js';
import { testEnv } from '../../test/env/helpers.js';
import { startPostgresCluster, type StartedPostgres } from '../../test/env/postgres.js';
import { createClusterRouter, waitFor } from './support.js';

describe('a replica promoted while still published', () => {
  /** A superuser connection to a node of this file's cluster (its own password, not the shared cluster's). */
  async function connect(node: PostgresNode): Promise<pg.Client> {
    const { user, password, database } = postgres.cluster;
    const client = new pg.Client({ host: node.host, port: node.port, user, password, database });
    await client.connect();
    return client;
  }

  let postgres: StartedPostgres;
  let db: ReplicaRouter;

  beforeAll(async () => {
    postgres = await startPostgresCluster({ replicas: 1, logDir: await mkdtemp(join(testEnv().logDir, 'client-promoted-replica-')) });
    // The library's own lag check interval (1 s), not the shorter one the other client tests use.
    db = await createClusterRouter(postgres.cluster, { lagCheckIntervalMs: undefined });
    db.on('error', () => undefined);
  }, 300_000);

  afterAll(async () => {
    await db?.close();
    await postgres?.stop();
  }, 120_000);

  it('refuses a write sent through read(), before and after the promotion, and writes nothing there', async () => {
    const replica = postgres.cluster.replicas[0]!;
    await db.write('CREATE TABLE promoted_orders (id int)');
    await waitFor('the replica to have the table', async () => (await db.read('SELECT to_regclass($1) AS t', ['promoted_orders'])).rows[0]?.t !== null);
    await expect(db.read('INSERT INTO promoted_orders VALUES (0)')).rejects.toBeInstanceOf(ReadOnlyQueryError);

    const admin = await connect(replica);
    try {
      await admin.query('SELECT pg_promote(true)');
      // Before the next lag check (1 s by default) the router still takes the replica for one.
      const attempt = await db.read('INSERT INTO promoted_orders VALUES (1)').then(
        () => 'written',
        (err: unknown) => (err instanceof ReadOnlyQueryError ? 'refused' : `failed otherwise: ${String(err)}`),
      );
      const written = (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM promoted_orders WHERE id = 1')).rows[0]?.n;
      expect({ attempt, written }).toEqual({ attempt: 'refused', written: 0 });
    } finally {
      await admin.end();
    }
  });
});
