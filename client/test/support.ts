// Helpers for the client's integration tests against the shared PostgreSQL primary + 2 streaming replicas.
import { connect, createServer, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { PostgresCluster, PostgresNode } from '../../test/env/contract.js';
import { pgConnection, testEnv } from '../../test/env/helpers.js';
import { createReplicaRouter, type ReplicaRouter, type ReplicaRouterOptions, type TopologyInput } from '../src/index.js';
import { aTopology } from './fixtures.js';

export function cluster(): PostgresCluster {
  return testEnv().postgres;
}

export function clusterTopology(pgc: PostgresCluster, overrides: Partial<TopologyInput> = {}): TopologyInput {
  return aTopology({
    database: pgc.database,
    primary: { id: 'primary', host: pgc.primary.host, port: pgc.primary.port },
    replicas: pgc.replicas.map((r, i) => ({ id: `replica-${i + 1}`, host: r.host, port: r.port, state: 'active' as const })),
    ...overrides,
  });
}

export type RouterOverrides = Partial<Omit<ReplicaRouterOptions, 'credentials'>>;

export function createClusterRouter(pgc: PostgresCluster, overrides: RouterOverrides = {}): Promise<ReplicaRouter> {
  const source = overrides.topologyFile === undefined ? { topology: overrides.topology ?? clusterTopology(pgc) } : {};
  return createReplicaRouter({
    credentials: { username: pgc.user, password: pgc.password },
    lagCheckIntervalMs: 200,
    ...source,
    ...overrides,
  });
}

/** A superuser connection to one node, for pausing replay and checking the truth behind the router's back. */
export async function adminClient(node: PostgresNode): Promise<pg.Client> {
  const client = new pg.Client(pgConnection(node));
  await client.connect();
  return client;
}

export async function onNode<T>(node: PostgresNode, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await adminClient(node);
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Returns once replay has actually stopped, not merely been asked to. */
export function pauseReplay(node: PostgresNode): Promise<void> {
  return onNode(node, async (c) => {
    await c.query('SELECT pg_wal_replay_pause()');
    await waitFor(`replay to pause on :${node.port}`, async () => {
      const r = await c.query<{ state: string }>('SELECT pg_get_wal_replay_pause_state() AS state');
      return r.rows[0]?.state === 'paused';
    });
  });
}

/** Always called in afterEach/finally: the cluster is shared with every other test file. */
export function resumeReplay(node: PostgresNode): Promise<void> {
  return onNode(node, async (c) => {
    await c.query('SELECT pg_wal_replay_resume()');
  });
}

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resolves once the router has completed `count` more lag-check rounds. */
export async function lagChecks(router: ReplicaRouter, count: number): Promise<void> {
  const target = router.stats().lagChecks + count;
  await waitFor(`${count} lag checks`, () => router.stats().lagChecks >= target);
}

/** Waits until every replica has replayed everything the primary has written so far. */
export async function replicasCaughtUp(pgc: PostgresCluster): Promise<void> {
  const lsn = await onNode(pgc.primary, async (c) => (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]?.lsn);
  for (const replica of pgc.replicas) {
    await onNode(replica, async (c) => {
      await waitFor(`replica :${replica.port} to replay ${lsn}`, async () => {
        const r = await c.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]);
        return r.rows[0]?.ok === true;
      });
    });
  }
}

export const WHERE_AM_I = 'SELECT inet_server_port() AS port, pg_is_in_recovery() AS standby';
export interface WhereAmI {
  port: number;
  standby: boolean;
}

/** The cluster's two replicas, for tests that treat them differently. */
export function twoReplicas(pgc: PostgresCluster): [PostgresNode, PostgresNode] {
  const [first, second] = pgc.replicas;
  if (!first || !second) throw new Error('the test cluster needs two replicas');
  return [first, second];
}

/**
 * For one describe block: a router made with `overrides` and a fresh `table (id int PRIMARY KEY, v int NOT NULL)`
 * that every replica has replayed. Replay is resumed after each test; the table is dropped and the router closed
 * after the last. Returns the router once beforeAll has run.
 */
export function useRouterWithTable(pgc: PostgresCluster, table: string, overrides: () => RouterOverrides): () => ReplicaRouter {
  let db: ReplicaRouter | undefined;
  beforeAll(async () => {
    db = await createClusterRouter(pgc, overrides());
    await db.write(`DROP TABLE IF EXISTS ${table}`);
    await db.write(`CREATE TABLE ${table} (id int PRIMARY KEY, v int NOT NULL)`);
    await replicasCaughtUp(pgc);
  });
  afterEach(async () => {
    for (const r of pgc.replicas) await resumeReplay(r);
  });
  afterAll(async () => {
    for (const r of pgc.replicas) await resumeReplay(r);
    await db?.write(`DROP TABLE IF EXISTS ${table}`);
    await db?.close();
  });
  return () => db as ReplicaRouter;
}

/** A TCP relay to `node` whose handling of new connections a test can change while those it relays keep working:
 * refused (a replica whose connection limit is reached, a port that closed) or held open and never answered (a
 * peer that vanished from the network). */
export async function relayTo(node: PostgresNode): Promise<{ port: number; refuseNew: () => void; holdNew: () => void; destroy: () => void }> {
  const sockets = new Set<Socket>();
  let hold = false;
  const server = createServer((inbound) => {
    sockets.add(inbound);
    inbound.on('error', () => undefined);
    inbound.on('close', () => sockets.delete(inbound));
    if (hold) return;
    const outbound = connect(node.port, node.host);
    sockets.add(outbound);
    for (const [from, to] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    // Stops listening at once; the connections already relayed stay.
    refuseNew: () => void server.close(),
    holdNew: () => {
      hold = true;
    },
    destroy: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
