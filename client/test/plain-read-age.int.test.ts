import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicaRouter } from '../src/index.js';
import { cluster, clusterTopology, createClusterRouter, lagChecks, pauseReplay, replicasCaughtUp, resumeReplay, twoReplicas, waitFor } from './support.js';

const TABLE = 'client_read_age_ticks';
// At the defaults: the contract's maxReplicaLagSeconds (1 s) and the router's lagCheckIntervalMs (1 s).
const BOUND_MS = 1_000;
const CHECK_MS = 1_000;
/** Where in the check cycle replay stops: the worst case is just after a round has seen the replica caught up. */
const PAUSE_PHASES_MS = [0, 250, 500, 750];

interface AgedRead {
  port: number;
  /** From the newest write the read saw to the moment its answer arrived: at least the age of what it missed. */
  ageMs: number;
}

describe('the age of what a plain read returns', () => {
  const pgc = cluster();
  const [paused] = twoReplicas(pgc);
  let db: ReplicaRouter;
  let writing = true;
  let writer: Promise<void> = Promise.resolve();

  const pausedStats = () => db.stats().endpoints.find((e) => e.port === paused.port);

  async function agedRead(): Promise<AgedRead> {
    const { rows } = await db.read<{ newest: Date; port: number }>(`SELECT max(at) AS newest, inet_server_port() AS port FROM ${TABLE}`);
    const row = rows[0];
    if (!row) throw new Error('no row');
    return { port: row.port, ageMs: Date.now() - row.newest.getTime() };
  }

  /** The largest gap between two consecutive writes so far: a read's measured age overstates what it missed by up
   * to this much. */
  async function largestWriteGapMs(): Promise<number> {
    const { rows } = await db.criticalRead<{ gap: number }>(
      `SELECT coalesce(max(gap), 0)::float8 AS gap FROM (SELECT EXTRACT(EPOCH FROM at - lag(at) OVER (ORDER BY at)) * 1000 AS gap FROM ${TABLE}) g`,
    );
    return rows[0]?.gap ?? 0;
  }

  beforeAll(async () => {
    db = await createClusterRouter(pgc, {
      topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: BOUND_MS / 1000 } }),
      lagCheckIntervalMs: CHECK_MS,
    });
    await db.write(`DROP TABLE IF EXISTS ${TABLE}`);
    await db.write(`CREATE TABLE ${TABLE} (at timestamptz NOT NULL DEFAULT clock_timestamp()) WITH (autovacuum_enabled = off)`);
    await db.write(`INSERT INTO ${TABLE} DEFAULT VALUES`);
    await replicasCaughtUp(pgc);
    writer = (async () => {
      while (writing) {
        await db.write(`INSERT INTO ${TABLE} DEFAULT VALUES`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
  });

  afterAll(async () => {
    writing = false;
    await writer;
    await resumeReplay(paused);
    await db?.write(`DROP TABLE IF EXISTS ${TABLE}`);
    await db?.close();
  });

  it('is at most the lag bound plus one check interval and one check round trip, wherever in the cycle replay stops', async () => {
    const pausedAges: number[] = [];
    for (const phaseMs of PAUSE_PHASES_MS) {
      await resumeReplay(paused);
      await waitFor('the replica to be back in rotation', () => (pausedStats()?.lagSeconds ?? Infinity) <= BOUND_MS / 1000);
      await lagChecks(db, 1);
      await new Promise((resolve) => setTimeout(resolve, phaseMs));
      const pausedAt = Date.now();
      await pauseReplay(paused);
      // Reads run without pause until the replica has been out of rotation for a while.
      let outSince: number | undefined;
      const ages: number[] = [];
      while (outSince === undefined || Date.now() - outSince < 300) {
        const read = await agedRead();
        if (read.port === paused.port) ages.push(read.ageMs);
        if (outSince === undefined && (pausedStats()?.lagSeconds ?? 0) > BOUND_MS / 1000) outSince = Date.now();
        if (Date.now() - pausedAt > 10_000) throw new Error('the paused replica never left rotation');
      }
      expect(ages.length).toBeGreaterThan(0);
      pausedAges.push(Math.max(...ages));
    }
    const gapMs = await largestWriteGapMs();
    // The replica served reads older than the bound alone: between rounds nobody knows it stopped.
    expect(Math.max(...pausedAges)).toBeGreaterThan(BOUND_MS);
    // A check round costs a few milliseconds here; 100 ms stands for its round trip on a loaded machine.
    for (const age of pausedAges) expect(age).toBeLessThanOrEqual(BOUND_MS + CHECK_MS + 100 + gapMs);
  }, 120_000);
});
