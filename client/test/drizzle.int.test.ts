// The documented way to use drizzle with the router (client/README.md): drizzle gets pg.Pool look-alikes
// that hand every statement to the router, and withReplicas splits drizzle's reads from its writes.
import { DrizzleQueryError, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { withReplicas } from 'drizzle-orm/pg-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReadOnlyQueryError, type ReplicaRouter } from '../src/index.js';
import { cluster, clusterTopology, createClusterRouter, pauseReplay, replicasCaughtUp, resumeReplay } from './support.js';

const orders = pgTable('client_drizzle_orders', {
  id: serial('id').primaryKey(),
  note: text('note').notNull(),
  qty: integer('qty').notNull().default(1),
});

const PORT = sql<number>`inet_server_port()`;

describe('drizzle on the router', () => {
  const pgc = cluster();
  const replicaPorts = pgc.replicas.map((r) => r.port);
  let db: ReplicaRouter;

  const ormOf = (source: Pick<ReplicaRouter, 'writerPool' | 'readerPool'>) =>
    withReplicas(drizzle({ client: source.writerPool() }), [drizzle({ client: source.readerPool() })]);
  /** The whole order with this id, selected through `orm` (which picks the pool). */
  const orderById = (orm: ReturnType<typeof ormOf>, id: number | undefined) =>
    orm
      .select()
      .from(orders)
      .where(eq(orders.id, id ?? 0));

  beforeAll(async () => {
    db = await createClusterRouter(pgc, { topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600 } }) });
    await db.write('DROP TABLE IF EXISTS client_drizzle_orders');
    await db.write('CREATE TABLE client_drizzle_orders (id serial PRIMARY KEY, note text NOT NULL, qty int NOT NULL DEFAULT 1)');
    await replicasCaughtUp(pgc);
  });

  afterEach(async () => {
    for (const r of pgc.replicas) await resumeReplay(r);
  });

  afterAll(async () => {
    await db?.write('DROP TABLE IF EXISTS client_drizzle_orders');
    await db?.close();
  });

  it('writes on the primary, selects on replicas, runs transactions on the primary', async () => {
    const orm = ormOf(db);
    const [inserted] = await orm.insert(orders).values({ note: 'first' }).returning({ id: orders.id, port: PORT });
    expect(inserted?.port).toBe(pgc.primary.port);
    await replicasCaughtUp(pgc);

    const seen = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const [row] = await orm
        .select({ note: orders.note, port: PORT })
        .from(orders)
        .where(eq(orders.id, inserted?.id ?? 0));
      expect(row?.note).toBe('first');
      seen.add(row?.port ?? 0);
    }
    expect([...seen].sort()).toEqual([...replicaPorts].sort());

    const port = await orm.transaction(async (tx) => {
      await tx
        .update(orders)
        .set({ qty: 2 })
        .where(eq(orders.id, inserted?.id ?? 0));
      const [row] = await tx.select({ port: PORT }).from(orders).limit(1);
      return row?.port;
    });
    expect(port).toBe(pgc.primary.port);
    await expect(
      orm.transaction(async (tx) => {
        await tx.update(orders).set({ qty: 99 });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const [after] = await orm.$primary
      .select({ qty: orders.qty })
      .from(orders)
      .where(eq(orders.id, inserted?.id ?? 0));
    expect(after?.qty).toBe(2);
  });

  it('surfaces a write sent through the reader instead of running it', async () => {
    const reader = drizzle({ client: db.readerPool() });
    // drizzle wraps driver errors in DrizzleQueryError; the router's error is its cause.
    const attempt = reader.execute(sql`INSERT INTO client_drizzle_orders (note) VALUES ('nope')`);
    await expect(attempt).rejects.toBeInstanceOf(DrizzleQueryError);
    await expect(attempt.catch((err: Error) => Promise.reject(err.cause))).rejects.toBeInstanceOf(ReadOnlyQueryError);
    expect((await db.criticalRead<{ n: number }>(`SELECT count(*)::int AS n FROM client_drizzle_orders WHERE note = 'nope'`)).rows[0]?.n).toBe(0);
    await expect(reader.transaction(async () => undefined)).rejects.toThrow(/writer pool/);
  });

  it('on a session, sees its own inserts and transactions with replay paused', async () => {
    for (const r of pgc.replicas) await pauseReplay(r);
    const session = db.session();
    const orm = ormOf(session);

    const [a] = await orm.insert(orders).values({ note: 'session-insert' }).returning();
    expect(await orderById(orm, a?.id)).toEqual([a]);

    const lsnBefore = session.lsn;
    const b = await orm.transaction(async (tx) => (await tx.insert(orders).values({ note: 'session-tx' }).returning())[0]);
    expect(session.lsn).not.toBe(lsnBefore);
    expect(await orderById(orm, b?.id)).toEqual([b]);

    // The same select outside the session hits a paused replica that lacks the rows.
    expect(await orderById(ormOf(db), b?.id)).toEqual([]);
  });
});
