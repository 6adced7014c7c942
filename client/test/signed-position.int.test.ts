import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FallbackLimitError, type ReplicaRouter, type SessionOptions } from '../src/index.js';
import { cluster, clusterTopology, createClusterRouter, pauseReplay, replicasCaughtUp, resumeReplay, WHERE_AM_I, type WhereAmI } from './support.js';

const KEY = 'a-test-signing-key-of-at-least-32-bytes';

describe('a read-your-writes position carried between requests', () => {
  const pgc = cluster();
  const replicaPorts = pgc.replicas.map((r) => r.port);
  let db: ReplicaRouter;

  beforeAll(async () => {
    db = await createClusterRouter(pgc, { topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600 } }), positionKey: KEY });
    await replicasCaughtUp(pgc);
  });

  afterEach(async () => {
    for (const r of pgc.replicas) await resumeReplay(r);
  });

  afterAll(async () => {
    for (const r of pgc.replicas) await resumeReplay(r);
    await db?.close();
  });

  async function servedBy(options: SessionOptions): Promise<WhereAmI | undefined> {
    return (await db.session(options).read<WhereAmI>(WHERE_AM_I)).rows[0];
  }

  it('does not trust a bare WAL position from the caller', async () => {
    const before = db.stats().endpoints[0]?.readYourWrites;
    // The highest WAL position there is: no replica will ever replay it. Accepted as is, it sent every read of
    // the session to the primary.
    const where = await servedBy({ lsn: 'FFFFFFFF/FFFFFFFF' } as SessionOptions);
    expect(replicaPorts).toContain(where?.port);
    expect(db.stats().endpoints[0]?.readYourWrites).toBe(before);
  });

  it('does not send reads to the primary when the signature is bad or missing', async () => {
    const before = db.stats().endpoints[0]?.readYourWrites;
    const genuine = db.session();
    await genuine.write('SELECT 1');
    const token = genuine.position as string;
    const tampered = `${token.slice(0, 2)}${token[2] === 'A' ? 'B' : 'A'}${token.slice(3)}`;
    const signedElsewhere = (await createClusterRouter(pgc, { positionKey: 'another-key-another-key-another-key' }).then(async (other) => {
      try {
        const s = other.session();
        await s.write('SELECT 1');
        return s.position;
      } finally {
        await other.close();
      }
    })) as string;
    for (const options of [{ position: tampered }, { position: signedElsewhere }, { position: token.slice(0, 20) }, { position: 'not a token' }]) {
      const where = await servedBy(options);
      expect({ options, port: where?.port }).toEqual({ options, port: expect.toBeOneOf(replicaPorts) });
    }
    expect(db.stats().endpoints[0]?.readYourWrites).toBe(before);
  });

  it('ignores a genuine position of another ReplicaSetDB signed with the same key: it means nothing in this database', async () => {
    const before = db.stats().endpoints[0]?.readYourWrites;
    const other = await createClusterRouter(pgc, { topology: clusterTopology(pgc, { name: 'reports' }), positionKey: KEY });
    try {
      for (const r of pgc.replicas) await pauseReplay(r);
      const s = other.session();
      // WAL the paused replicas do not have, without a table.
      await s.write("SELECT pg_logical_emit_message(false, 'rsdb-test', 'x')");
      // Taken here, it would wait for this database's replicas to reach a position of the other's.
      const where = await servedBy({ position: s.position });
      expect(replicaPorts).toContain(where?.port);
      expect(db.stats().endpoints[0]?.readYourWrites).toBe(before);
    } finally {
      await other.close();
    }
  });

  it('honours a genuine position: the next request reads its write even while replay is paused', async () => {
    const first = db.session();
    await first.write('CREATE TABLE IF NOT EXISTS client_signed_position (id int PRIMARY KEY)');
    await replicasCaughtUp(pgc);
    for (const r of pgc.replicas) await pauseReplay(r);
    await first.write('INSERT INTO client_signed_position VALUES (1) ON CONFLICT DO NOTHING');
    const token = first.position;
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const next = db.session({ position: token });
    expect(next.lsn).toBe(first.lsn);
    const { rows } = await next.read<{ id: number }>('SELECT id FROM client_signed_position WHERE id = 1');
    expect(rows).toEqual([{ id: 1 }]);
    for (const r of pgc.replicas) await resumeReplay(r);
    await db.write('DROP TABLE client_signed_position');
  });

  it('counts session reads forced onto the primary against maxFallbackConcurrency', async () => {
    const bounded = await createClusterRouter(pgc, { topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600 } }), maxFallbackConcurrency: 1 });
    try {
      for (const r of pgc.replicas) await pauseReplay(r);
      const sessions = await Promise.all(
        Array.from({ length: 3 }, async () => {
          const s = bounded.session();
          await s.write('SELECT pg_current_xact_id()');
          return s;
        }),
      );
      // One read takes the primary's only place for 3 s; the others wait for a replica to replay their commit for
      // connectionTimeoutMillis (default 2 s), as for a connection of a full pool, then are refused. A named
      // statement is never sent behind a replay check, so no read first spends its 3 s on a paused replica.
      const startedAt = Date.now();
      const reads = await Promise.all(
        sessions.map((s) =>
          s.read({ name: 'sleep-three-seconds', text: 'SELECT pg_sleep(3)' }).then(
            () => ({ ok: true, ms: Date.now() - startedAt }),
            (err: unknown) => ({ ok: false, ms: Date.now() - startedAt, err }),
          ),
        ),
      );
      const rejected = reads.flatMap((r) => ('err' in r ? [r.err] : []));
      expect(rejected).toHaveLength(2);
      for (const r of reads.filter((x) => !x.ok)) expect(r.ms).toBeGreaterThanOrEqual(1_900);
      for (const err of rejected) expect(err).toBeInstanceOf(FallbackLimitError);
      expect(bounded.stats().fallback).toMatchObject({ inFlight: 0, limit: 1, rejected: 2 });
      expect(bounded.stats().endpoints[0]?.readYourWrites).toBe(1);
    } finally {
      await bounded.close();
    }
  });
});
