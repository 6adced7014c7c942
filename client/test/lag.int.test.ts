import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicaRouter } from '../src/index.js';
import {
  cluster,
  clusterTopology,
  createClusterRouter,
  lagChecks,
  onNode,
  pauseReplay,
  replicasCaughtUp,
  resumeReplay,
  waitFor,
  twoReplicas,
} from './support.js';

const TABLE = 'client_lag_ticks';
// At the defaults: the contract's maxReplicaLagSeconds (1 s) and the router's lagCheckIntervalMs (1 s).
const BOUND_SECONDS = 1;
const CHECK_MS = 1_000;

describe('lag-aware replica rotation', () => {
  const pgc = cluster();
  const [paused, other] = twoReplicas(pgc);
  let db: ReplicaRouter;
  let writing = true;
  let writer: Promise<void> = Promise.resolve();

  const replicaStats = () => db.stats().endpoints.find((e) => e.port === paused.port);
  const portsOf = async (reads: number, maxLagSeconds?: number) => {
    const ports = new Set<number>();
    for (let i = 0; i < reads; i++) {
      const { rows } = await db.read<{ port: number }>('SELECT inet_server_port() AS port', [], maxLagSeconds === undefined ? undefined : { maxLagSeconds });
      ports.add(rows[0]?.port ?? 0);
    }
    return ports;
  };

  beforeAll(async () => {
    db = await createClusterRouter(pgc, {
      topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: BOUND_SECONDS } }),
      lagCheckIntervalMs: CHECK_MS,
    });
    await db.write(`DROP TABLE IF EXISTS ${TABLE}`);
    await db.write(`CREATE TABLE ${TABLE} (at timestamptz NOT NULL DEFAULT now()) WITH (autovacuum_enabled = off)`);
    await replicasCaughtUp(pgc);
    // A primary that keeps writing, as in production: a paused replica falls further behind every moment.
    writer = (async () => {
      while (writing) {
        await db.write(`INSERT INTO ${TABLE} DEFAULT VALUES`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
  });

  afterEach(async () => {
    await resumeReplay(paused);
  });

  afterAll(async () => {
    writing = false;
    await writer;
    await resumeReplay(paused);
    await db?.write(`DROP TABLE IF EXISTS ${TABLE}`);
    await db?.close();
  });

  it('takes a paused replica out of rotation within two check intervals of passing the bound, and back after resume', async () => {
    expect(await portsOf(10)).toEqual(new Set([paused.port, other.port]));

    await pauseReplay(paused);
    await db.write(`INSERT INTO ${TABLE} DEFAULT VALUES`);
    // From here on the replica misses a commit made no later than now; past the bound it is too stale.
    await new Promise((resolve) => setTimeout(resolve, BOUND_SECONDS * 1000 + 50));
    const roundsAtBound = db.stats().lagChecks;
    await waitFor('the paused replica to leave rotation', () => (replicaStats()?.lagSeconds ?? Infinity) > BOUND_SECONDS);
    expect(db.stats().lagChecks - roundsAtBound).toBeLessThanOrEqual(2);

    expect(replicaStats()).toMatchObject({ healthy: true, state: 'active' });
    expect(await portsOf(20)).toEqual(new Set([other.port]));
    // A caller that accepts older data may still use it.
    expect(await portsOf(10, 3600)).toEqual(new Set([paused.port, other.port]));

    await resumeReplay(paused);
    await waitFor('the resumed replica to catch up', () => (replicaStats()?.lagSeconds ?? Infinity) <= BOUND_SECONDS);
    await lagChecks(db, 1);
    expect(await portsOf(10)).toEqual(new Set([paused.port, other.port]));
  });

  it('keeps an idle-but-caught-up replica in rotation however old its last replayed transaction is', async () => {
    writing = false;
    await writer;
    await replicasCaughtUp(pgc);
    // Long enough that pg_last_xact_replay_timestamp() is older than the bound on both replicas.
    await new Promise((resolve) => setTimeout(resolve, BOUND_SECONDS * 1000 * 3));
    await lagChecks(db, 2);
    for (const replica of pgc.replicas) {
      const delay = await onNode(replica, async (c) => {
        const r = await c.query<{ s: number }>('SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS s');
        return r.rows[0]?.s ?? 0;
      });
      expect(delay).toBeGreaterThan(BOUND_SECONDS);
      expect(db.stats().endpoints.find((e) => e.port === replica.port)?.lagSeconds).toBeLessThan(BOUND_SECONDS);
    }
    expect(await portsOf(10)).toEqual(new Set([paused.port, other.port]));
  });
});
