import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ReplicaRouter, Session } from '../src/index.js';
import { pgConnection } from '../../test/env/helpers.js';
import { cluster, clusterTopology, createClusterRouter, pauseReplay, replicasCaughtUp, resumeReplay, useRouterWithTable, waitFor } from './support.js';

const TABLE = 'client_ryw_items';
const CYCLES = 1_000;
const WORKERS = 8;

/** The Servio DatabaseManager's routing: one pool per server, round-robin reads, no notion of freshness. */
class PlainRoundRobin {
  readonly primary: pg.Pool;
  readonly replicas: pg.Pool[];
  #next = 0;
  constructor(pgc: ReturnType<typeof cluster>) {
    this.primary = new pg.Pool({ ...pgConnection(pgc.primary), max: WORKERS });
    this.replicas = pgc.replicas.map((r) => new pg.Pool({ ...pgConnection(r), max: WORKERS }));
  }
  write(text: string, values: unknown[]) {
    return this.primary.query(text, values);
  }
  read(text: string, values: unknown[]) {
    const pool = this.replicas[this.#next] as pg.Pool;
    this.#next = (this.#next + 1) % this.replicas.length;
    return pool.query(text, values);
  }
  async end() {
    await Promise.all([this.primary, ...this.replicas].map((p) => p.end()));
  }
}

interface Outcome {
  violations: number;
  onReplica: number;
}

/** `cycles` write-then-read pairs over `WORKERS` concurrent workers; a violation is a read that misses its own write. */
async function writeThenRead(
  cycles: number,
  firstId: number,
  cycle: (id: number) => Promise<{ found: boolean; port: number }>,
  replicaPorts: number[],
): Promise<Outcome> {
  let next = 0;
  const outcome: Outcome = { violations: 0, onReplica: 0 };
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < cycles) {
        const { found, port } = await cycle(firstId + next++);
        if (!found) outcome.violations++;
        if (replicaPorts.includes(port)) outcome.onReplica++;
      }
    }),
  );
  return outcome;
}

const INSERT = `INSERT INTO ${TABLE} (id, v) VALUES ($1, $1)`;
const SELECT = `SELECT v, inet_server_port() AS port FROM ${TABLE} WHERE id = $1`;

async function sessionCycle(s: Session, id: number, viaTransaction: boolean) {
  if (viaTransaction) {
    await s.transaction(async (tx) => {
      await tx.query(INSERT, [id]);
    });
  } else {
    await s.write(INSERT, [id]);
  }
  const { rows } = await s.read<{ v: number; port: number }>(SELECT, [id]);
  return { found: rows[0]?.v === id, port: rows[0]?.port ?? 0 };
}

describe('read-your-writes by WAL position', () => {
  const pgc = cluster();
  const replicaPorts = pgc.replicas.map((r) => r.port);
  // A generous lag bound keeps paused replicas eligible for plain reads: only the LSN rule protects sessions.
  // Session reads sent to the primary count against the fallback bound: it admits the 8 concurrent workers.
  const router = useRouterWithTable(pgc, TABLE, () => ({
    topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600 } }),
    maxFallbackConcurrency: WORKERS,
    positionKey: 'a-test-signing-key-of-at-least-32-bytes',
  }));
  let db: ReplicaRouter;
  beforeEach(() => {
    db = router();
  });

  it(`has no violation in ${CYCLES} write-then-read cycles with replay paused, where plain round-robin has many`, async () => {
    for (const r of pgc.replicas) await pauseReplay(r);
    const sessions: Session[] = [];

    const routed = await writeThenRead(
      CYCLES,
      0,
      (id) => {
        const s = db.session();
        if (id % 100 === 0) sessions.push(s);
        return sessionCycle(s, id, id % 2 === 1);
      },
      replicaPorts,
    );

    const naive = new PlainRoundRobin(pgc);
    let plain: Outcome;
    try {
      plain = await writeThenRead(
        CYCLES,
        100_000,
        async (id) => {
          await naive.write(INSERT, [id]);
          const { rows } = await naive.read(SELECT, [id]);
          return { found: rows[0]?.v === id, port: (rows[0] as { port?: number } | undefined)?.port ?? 0 };
        },
        replicaPorts,
      );
    } finally {
      await naive.end();
    }

    expect(routed.violations).toBe(0);
    // Concurrent session writes shared their position queries: the path with no query of its own was taken too.
    expect(db.stats().readYourWrites.sharedPosition).toBeGreaterThan(0);
    expect(plain.violations).toBeGreaterThan(CYCLES / 2);
    expect(db.stats().fallback).toMatchObject({ total: 0, rejected: 0 });
    expect(db.stats().endpoints[0]?.readYourWrites).toBeGreaterThanOrEqual(CYCLES - routed.onReplica);
    // Plain reads without a session still use the (paused, but within the bound) replicas.
    const { rows } = await db.read<{ port: number }>('SELECT inet_server_port() AS port');
    expect(replicaPorts).toContain(rows[0]?.port);

    // After resume, sessions that wrote during the pause read from replicas again once those have caught up.
    for (const r of pgc.replicas) await resumeReplay(r);
    await replicasCaughtUp(pgc);
    for (const s of sessions) {
      await waitFor('a paused-era session to read from a replica', async () => {
        const read = await s.read<{ v: number; port: number }>(SELECT, [0]);
        return replicaPorts.includes(read.rows[0]?.port ?? 0);
      });
    }
  });

  it('reads its own writes from replicas while they keep up, without waiting for the next lag check', async () => {
    // Only the start-up check runs: what moves sessions back to replicas is the on-demand replay probe.
    const slow = await createClusterRouter(pgc, { lagCheckIntervalMs: 600_000 });
    try {
      const outcome = await writeThenRead(400, 200_000, (id) => sessionCycle(slow.session(), id, id % 2 === 0), replicaPorts);
      expect(outcome.violations).toBe(0);
      expect(outcome.onReplica).toBeGreaterThan(0);
      const s = slow.session();
      await s.write(INSERT, [300_000]);
      await waitFor('the session to read its write from a replica', async () => {
        const { rows } = await s.read<{ v: number; port: number }>(SELECT, [300_000]);
        expect(rows[0]?.v).toBe(300_000);
        return replicaPorts.includes(rows[0]?.port ?? 0);
      });
      expect(slow.stats().lagChecks).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('serves nearly all session reads from replicas right after their writes while replicas keep up, at the default settings', async () => {
    await replicasCaughtUp(pgc);
    // The defaults throughout (check interval, replica wait), not the harness's short interval.
    const defaults = await createClusterRouter(pgc, { lagCheckIntervalMs: undefined });
    try {
      const cycles = 400;
      const outcome = await writeThenRead(cycles, 600_000, (id) => sessionCycle(defaults.session(), id, id % 2 === 0), replicaPorts);
      expect(outcome.violations).toBe(0);
      expect(outcome.onReplica / cycles).toBeGreaterThanOrEqual(0.9);
      expect(defaults.stats().lagChecks).toBeLessThanOrEqual(5);
    } finally {
      await defaults.close();
    }
  });

  it('tracks nothing when the topology turns read-your-writes off', async () => {
    const off = await createClusterRouter(pgc, {
      topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600, readYourWrites: 'off' } }),
    });
    try {
      for (const r of pgc.replicas) await pauseReplay(r);
      const s = off.session();
      await s.write(INSERT, [500_000]);
      expect(s.lsn).toBeUndefined();
      expect((await s.read(SELECT, [500_000])).rows).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it('tracks what a statement commits on its own on a connection the writer pool hands out (as Kysely runs every query)', async () => {
    for (const r of pgc.replicas) await pauseReplay(r);
    const session = db.session();
    const writeOn = async (statements: Array<[string, unknown[]?]>) => {
      const client = await session.writerPool().connect();
      try {
        for (const [text, values] of statements) await client.query(text, values);
      } finally {
        client.release();
      }
    };
    const readBack = async (id: number) => (await session.read<{ v: number; port: number }>(SELECT, [id])).rows[0];
    await writeOn([[INSERT, [700_000]]]);
    expect(await readBack(700_000)).toEqual({ v: 700_000, port: pgc.primary.port });
    await writeOn([['BEGIN'], [INSERT, [700_001]], ['COMMIT']]);
    expect(await readBack(700_001)).toEqual({ v: 700_001, port: pgc.primary.port });
  });

  it('tracks a commit that leaves the connection in a new transaction (COMMIT AND CHAIN, or COMMIT; BEGIN at once)', async () => {
    for (const r of pgc.replicas) await pauseReplay(r);
    const session = db.session();
    const client = await session.writerPool().connect();
    const readBack = async (id: number) => (await session.read<{ v: number; port: number }>(SELECT, [id])).rows[0];
    try {
      // A batch that commits in chunks: each chunk's rows are committed while the next transaction is already open.
      await client.query('BEGIN');
      await client.query(INSERT, [710_000]);
      await client.query('COMMIT AND CHAIN');
      expect(await readBack(710_000)).toEqual({ v: 710_000, port: pgc.primary.port });
      await client.query(`INSERT INTO ${TABLE} (id, v) VALUES (710001, 710001)`);
      await client.query('COMMIT; BEGIN');
      expect(await readBack(710_001)).toEqual({ v: 710_001, port: pgc.primary.port });
    } finally {
      await client.query('COMMIT').catch(() => undefined);
      client.release();
    }
  });

  it('carries a position from one session to the next', async () => {
    const first = db.session();
    expect(first.lsn).toBeUndefined();
    await first.write(INSERT, [400_000]);
    expect(first.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    for (const r of pgc.replicas) await pauseReplay(r);
    await first.write(INSERT, [400_001]);
    const resumed = db.session({ position: first.position });
    const { rows } = await resumed.read<{ v: number }>(SELECT, [400_001]);
    expect(rows[0]?.v).toBe(400_001);
  });
});
