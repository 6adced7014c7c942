import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ReplicaRouter } from '../src/index.js';
import { cluster, clusterTopology, createClusterRouter, onNode, relayTo, replicasCaughtUp, waitFor } from './support.js';

const APP = 'client-back-pressure-test';

describe('a burst of reads larger than the replica pools', () => {
  const pgc = cluster();
  let db: ReplicaRouter | undefined;
  const errors: Error[] = [];

  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  afterAll(async () => {
    // A cut query keeps sleeping on its server after the client is gone.
    for (const node of [pgc.primary, ...pgc.replicas]) {
      await onNode(node, (c) => c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [APP]));
    }
  });

  it('waits for a connection elsewhere instead of calling a full replica failed, and serves every read', async () => {
    await replicasCaughtUp(pgc);
    // Two replicas with two connections each and 20 reads of one second: on each replica reads 7-10 would wait 3 s
    // for a connection, longer than connectionTimeoutMillis, while the other replica frees one sooner.
    db = await createClusterRouter(pgc, { pool: { max: 2, connectionTimeoutMillis: 2_500, application_name: APP } });
    db.on('error', (err) => errors.push(err));
    const reads = await Promise.allSettled(Array.from({ length: 20 }, () => db!.read<{ port: number }>('SELECT pg_sleep(1), inet_server_port() AS port')));

    const failed = reads.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failed).toEqual([]);
    const replicas = db.stats().endpoints.filter((e) => e.role === 'replica');
    expect(replicas.map((e) => ({ id: e.id, healthy: e.healthy, failures: e.failures, lastError: e.lastError }))).toEqual(
      replicas.map((e) => ({ id: e.id, healthy: true, failures: 0, lastError: null })),
    );
    expect(replicas.reduce((sum, e) => sum + e.poolSaturated, 0)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    const ports = new Set(reads.map((r) => (r.status === 'fulfilled' ? r.value.rows[0]?.port : undefined)));
    expect(ports).toEqual(new Set(pgc.replicas.map((r) => r.port)));
  });

  it('close() cuts a query that outlasts closeTimeoutMs (default 10 s) and says what it cut', async () => {
    db = await createClusterRouter(pgc, { pool: { application_name: APP } });
    db.on('error', (err) => errors.push(err));
    const stuck = db.read('SELECT pg_sleep(30)');
    stuck.catch(() => undefined);
    while (!db.stats().endpoints.some((e) => e.inFlight === 1)) await new Promise((resolve) => setTimeout(resolve, 20));

    const startedAt = Date.now();
    const report = await db.close();
    const tookMs = Date.now() - startedAt;

    expect(tookMs).toBeGreaterThanOrEqual(9_900);
    expect(tookMs).toBeLessThan(12_000);
    expect(report).toMatchObject({ timedOut: true, cut: [{ role: 'replica', inFlight: 1 }] });
    await expect(stuck).rejects.toThrow();
  }, 60_000);

  it('close() cuts a connection still being opened to a peer that never answers, at closeTimeoutMs', async () => {
    const [replica] = pgc.replicas;
    if (!replica) throw new Error('the test cluster needs a replica');
    const relay = await relayTo(replica);
    try {
      const topology = clusterTopology(pgc, {
        routing: { maxReplicaLagSeconds: 3600 },
        replicas: [{ id: 'silent', host: '127.0.0.1', port: relay.port, state: 'active' }],
      });
      const router = await createClusterRouter(pgc, { topology, lagCheckIntervalMs: 600_000, closeTimeoutMs: 300, pool: { connectionTimeoutMillis: 20_000 } });
      db = router;
      const reported: Error[] = [];
      router.on('error', (err) => reported.push(err));
      // The lag check's connection is open; the read's own connection meets a peer that accepts and never answers.
      relay.holdNew();
      const stuck = router.read('SELECT 1');
      stuck.catch(() => undefined);
      await waitFor('the read to wait for its connection', () => router.stats().endpoints.some((e) => e.id === 'silent' && e.inFlight === 1));

      const startedAt = Date.now();
      const report = await router.close();
      const tookMs = Date.now() - startedAt;

      expect(tookMs).toBeGreaterThanOrEqual(290);
      expect(tookMs).toBeLessThan(5_000);
      expect(report).toMatchObject({ timedOut: true, cut: [{ id: 'silent', inFlight: 1 }] });
      await expect(stuck).rejects.toThrow();
      // The connections close() destroys are not outages: nothing is reported.
      expect(reported).toEqual([]);
    } finally {
      relay.destroy();
    }
  }, 60_000);

  it('close() also cuts a query that was waiting for a connection of a full pool when the others were cut', async () => {
    const [replica] = pgc.replicas;
    if (!replica) throw new Error('the test cluster needs a replica');
    const onOneReplica = clusterTopology(pgc, { replicas: [{ id: 'replica-1', host: replica.host, port: replica.port, state: 'active' }] });
    const single = await createClusterRouter(pgc, { topology: onOneReplica, closeTimeoutMs: 300, pool: { max: 1, application_name: APP } });
    db = single;
    const running = single.read('SELECT pg_sleep(30)');
    running.catch(() => undefined);
    await waitFor('the first read to run', () => single.stats().endpoints.some((e) => e.id === 'replica-1' && e.inFlight === 1));
    // Queued behind it in the replica's pool of one.
    const queued = single.read('SELECT pg_sleep(5)');
    queued.catch(() => undefined);
    await waitFor('the second read to wait', () => single.stats().endpoints.some((e) => e.id === 'replica-1' && e.inFlight === 2));

    const startedAt = Date.now();
    await single.close();
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    await expect(running).rejects.toThrow();
    await expect(queued).rejects.toThrow();
  }, 60_000);
});
