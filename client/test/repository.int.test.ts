import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BaseRepository, type ReplicaRouter, type RepositoryDb } from '../src/index.js';
import { cluster, clusterTopology, createClusterRouter, pauseReplay, replicasCaughtUp, resumeReplay } from './support.js';

// Names that break naive string building: a space, a double quote, and a reserved word as a column.
const TABLE = 'client repo "orders"';
const QUOTED = '"client repo ""orders"""';

interface Order {
  id: number;
  select: string;
  status: string | null;
  total: number;
}

class OrderRepository extends BaseRepository<Order> {
  constructor(db: RepositoryDb) {
    super(db, TABLE);
  }

  findOpen(): Promise<Order[]> {
    return this.findMany({ status: 'open' }, { orderBy: 'id' });
  }
}

describe('BaseRepository on the router', () => {
  const pgc = cluster();
  let db: ReplicaRouter;

  beforeAll(async () => {
    db = await createClusterRouter(pgc, { topology: clusterTopology(pgc, { routing: { maxReplicaLagSeconds: 3600 } }) });
    await db.write(`DROP TABLE IF EXISTS ${QUOTED}`);
    await db.write(`CREATE TABLE ${QUOTED} (id serial PRIMARY KEY, "select" text NOT NULL, status text, total int NOT NULL DEFAULT 0)`);
  });

  afterEach(async () => {
    for (const r of pgc.replicas) await resumeReplay(r);
  });

  afterAll(async () => {
    await db?.write(`DROP TABLE IF EXISTS ${QUOTED}`);
    await db?.close();
  });

  it('inserts, updates, deletes and finds with quoted names and bound values', async () => {
    const orders = new OrderRepository(db);
    const hostile = "x'); DROP TABLE orders; --";
    const a = await orders.insert({ select: hostile, status: 'open', total: 5 });
    const b = await orders.insert({ select: 'b', status: null });
    expect(a).toMatchObject({ select: hostile, status: 'open', total: 5 });
    expect(b.total).toBe(0);

    expect(await orders.update(b.id, { status: 'open', total: 7 })).toMatchObject({ id: b.id, status: 'open', total: 7 });
    expect(await orders.update(-1, { total: 1 })).toBeUndefined();
    await replicasCaughtUp(pgc);

    expect(await orders.findById(a.id)).toEqual(a);
    expect(await orders.findById(a.id, { critical: true })).toEqual(a);
    expect((await orders.findOpen()).map((o) => o.id)).toEqual([a.id, b.id]);
    expect(await orders.findMany({ select: hostile })).toEqual([a]);

    expect(await orders.delete(a.id)).toEqual(a);
    expect(await orders.delete(a.id)).toBeUndefined();
    expect(await orders.findById(a.id, { critical: true })).toBeUndefined();
  });

  it('pages with validated limit and offset in id order', async () => {
    const orders = new OrderRepository(db);
    for (let i = 0; i < 5; i++) await orders.insert({ select: `p${i}`, status: 'paged' });
    await replicasCaughtUp(pgc);
    const page1 = await orders.findMany({ status: 'paged' }, { limit: 2 });
    const page2 = await orders.findMany({ status: 'paged' }, { limit: 2, offset: 2 });
    expect([...page1, ...page2].map((o) => o.select)).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect((await orders.findAll({ limit: 3 })).length).toBe(3);
    await expect(orders.findAll({ limit: -1 })).rejects.toThrow(RangeError);
    await expect(orders.findAll({ limit: 5000 })).rejects.toThrow(/at most 1000/);
  });

  it('on a session, reads its own writes with replay paused', async () => {
    for (const r of pgc.replicas) await pauseReplay(r);
    const orders = new OrderRepository(db.session());
    const created = await orders.insert({ select: 'mine', status: 'fresh' });
    expect(await orders.findById(created.id)).toEqual(created);
    expect(await orders.findMany({ status: 'fresh' })).toEqual([created]);
    // Without the session, the (paused) replica does not have it yet.
    expect(await new OrderRepository(db).findById(created.id)).toBeUndefined();
  });
});
