import { beforeEach, describe, expect, it } from 'vitest';
import type { ReplicaRouter } from '../src/index.js';
import {
  cluster,
  clusterTopology,
  createClusterRouter,
  pauseReplay,
  relayTo,
  replicasCaughtUp,
  resumeReplay,
  twoReplicas,
  useRouterWithTable,
} from './support.js';

const TABLE = 'client_checked_read_items';
const INSERT = `INSERT INTO ${TABLE} (id, v) VALUES ($1, $1)`;
const SELECT = `SELECT v, inet_server_port() AS port FROM ${TABLE} WHERE id = $1`;

describe('a session read sent behind a check of the replica replay position', () => {
  const pgc = cluster();
  const replicaPorts = pgc.replicas.map((r) => r.port);
  // No lag check after the first and no waiting for replay: a session read right after its write can reach a
  // replica only through the check sent with it. The lag bound keeps paused replicas eligible for plain reads.
  const router = useRouterWithTable(pgc, TABLE, () => ({
    topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600 } }),
    lagCheckIntervalMs: 600_000,
    readYourWritesWaitMs: 0,
  }));
  let db: ReplicaRouter;
  beforeEach(() => {
    db = router();
  });

  it('reads a write from a replica in the round trip of the check that shows the replica has replayed it', async () => {
    const before = db.stats().readYourWrites;
    let onReplica = 0;
    for (let id = 1; id <= 100; id++) {
      const s = db.session();
      await s.write(INSERT, [id]);
      const { rows } = await s.read<{ v: number; port: number }>(SELECT, [id]);
      expect(rows[0]?.v).toBe(id);
      if (replicaPorts.includes(rows[0]?.port ?? 0)) onReplica++;
    }
    const after = db.stats().readYourWrites;
    expect(onReplica).toBeGreaterThan(0);
    expect(after.afterWait).toBe(before.afterWait);
    expect(after.checkedWithRead - before.checkedWithRead).toBeGreaterThan(0);
    expect(after.onReplica - before.onReplica).toBe(onReplica);
  });

  it('prepares the check again on a connection whose prepared statements were discarded', async () => {
    // One connection per replica, so that the DISCARD ALL and the next session read meet on it.
    const single = await createClusterRouter(pgc, {
      topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600 } }),
      lagCheckIntervalMs: 600_000,
      readYourWritesWaitMs: 0,
      pool: { max: 1 },
    });
    try {
      const cycle = async (id: number) => {
        const s = single.session();
        await s.write(INSERT, [id]);
        await replicasCaughtUp(pgc);
        return (await s.read<{ v: number; port: number }>(SELECT, [id])).rows[0];
      };
      for (let id = 3_001; id <= 3_004; id++) expect(replicaPorts).toContain((await cycle(id))?.port);
      for (let i = 0; i < pgc.replicas.length; i++) await single.read('DISCARD ALL');
      for (let id = 3_005; id <= 3_008; id++) await cycle(id);
      const before = single.stats().readYourWrites.checkedWithRead;
      for (let id = 3_009; id <= 3_012; id++) expect(replicaPorts).toContain((await cycle(id))?.port);
      expect(single.stats().readYourWrites.checkedWithRead - before).toBe(4);
    } finally {
      await single.close();
    }
  });

  it('does not let the check vouch for a read whose transaction would take its snapshot before the check', async () => {
    // Under REPEATABLE READ the check and the read would share the check's snapshot.
    const repeatable = await createClusterRouter(pgc, {
      topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600 } }),
      lagCheckIntervalMs: 600_000,
      readYourWritesWaitMs: 0,
      pool: { options: '-c default_transaction_isolation=repeatable\\ read' },
    });
    try {
      for (let id = 2_001; id <= 2_020; id++) {
        const s = repeatable.session();
        await s.write(INSERT, [id]);
        const { rows } = await s.read<{ v: number; port: number }>(SELECT, [id]);
        expect(rows[0]?.v).toBe(id);
      }
      const { checkedWithRead, discarded } = repeatable.stats().readYourWrites;
      expect(checkedWithRead).toBe(0);
      // Once per replica: after that the router sends no read behind a check there.
      expect(discarded).toBeGreaterThanOrEqual(1);
      expect(discarded).toBeLessThanOrEqual(pgc.replicas.length);
    } finally {
      await repeatable.close();
    }
  });

  it('drops what the read found on a replica that has not replayed the commit, and serves it from the primary', async () => {
    for (const r of pgc.replicas) await pauseReplay(r);
    const before = db.stats();
    const s = db.session();
    // The table exists only on the primary while replay is paused: on a replica the read fails, and that failure
    // must not reach the session either.
    await s.write(`CREATE TABLE ${TABLE}_paused (id int PRIMARY KEY)`);
    await s.write(`INSERT INTO ${TABLE}_paused VALUES (7)`);
    for (let i = 0; i < 10; i++) {
      const { rows } = await s.read<{ id: number; port: number }>(`SELECT id, inet_server_port() AS port FROM ${TABLE}_paused`);
      expect(rows).toEqual([{ id: 7, port: pgc.primary.port }]);
    }
    const id = 1_000;
    await s.write(INSERT, [id]);
    const { rows } = await s.read<{ v: number; port: number }>(SELECT, [id]);
    expect(rows[0]).toEqual({ v: id, port: pgc.primary.port });

    const after = db.stats();
    expect(after.readYourWrites.discarded - before.readYourWrites.discarded).toBe(11);
    expect(after.readYourWrites.onReplica).toBe(before.readYourWrites.onReplica);
    expect((after.endpoints[0]?.readYourWrites ?? 0) - (before.endpoints[0]?.readYourWrites ?? 0)).toBe(11);
    // A dropped read is not counted as a read the replica served.
    const routedOnReplicas = (stats: typeof before) => stats.endpoints.filter((e) => e.role === 'replica').reduce((sum, e) => sum + e.routed, 0);
    expect(routedOnReplicas(after)).toBe(routedOnReplicas(before));

    for (const r of pgc.replicas) await resumeReplay(r);
    await replicasCaughtUp(pgc);
    const replayed = await s.read<{ id: number; port: number }>(`SELECT id, inet_server_port() AS port FROM ${TABLE}_paused`);
    expect(replayed.rows[0]?.id).toBe(7);
    expect(replicaPorts).toContain(replayed.rows[0]?.port);
    await db.write(`DROP TABLE ${TABLE}_paused`);
  });

  it('waits for another replica to replay the commit when the check cannot connect to its replica', async () => {
    const [gone, other] = twoReplicas(pgc);
    const relay = await relayTo(gone);
    // Lag checks and replay probes keep their open connection to `gone`; new connections to it are refused.
    const topology = clusterTopology(pgc, {
      routing: { maxReplicaLagSeconds: 3600 },
      replicas: [
        { id: 'gone', host: '127.0.0.1', port: relay.port, state: 'active' },
        { id: 'other', host: other.host, port: other.port, state: 'active' },
      ],
    });
    const twoWay = await createClusterRouter(pgc, { topology, lagCheckIntervalMs: 600_000, readYourWritesWaitMs: 5_000 });
    try {
      // `gone` never replays the commits below: only `other` can be shown to have them.
      await pauseReplay(gone);
      relay.refuseNew();
      const ports: number[] = [];
      for (let id = 4_001; id <= 4_020; id++) {
        const s = twoWay.session();
        await s.write(INSERT, [id]);
        const { rows } = await s.read<{ v: number; port: number }>(SELECT, [id]);
        expect(rows[0]?.v).toBe(id);
        ports.push(rows[0]?.port ?? 0);
      }
      const stats = twoWay.stats();
      expect(stats.endpoints.find((e) => e.id === 'gone')).toMatchObject({ healthy: false, lastError: expect.stringMatching(/ECONNREFUSED/) });
      // The read whose check met the refused connection waited for `other` instead of going to the primary.
      expect(ports).toEqual(Array(ports.length).fill(other.port));
      expect(stats.fallback.total).toBe(0);
      expect(stats.endpoints[0]?.readYourWrites).toBe(0);
    } finally {
      await resumeReplay(gone);
      await twoWay.close();
      relay.destroy();
    }
  });
});
