import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointError, FallbackLimitError, RouterClosedError, type ReplicaRouter } from '../src/index.js';
import { cluster, clusterTopology, createClusterRouter } from './support.js';

/** A loopback port with nothing listening: connections to it are refused at once. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const SLOW_READ = 'SELECT inet_server_port() AS port, pg_sleep(0.3)';

describe('fallback to the primary when no replica can serve', () => {
  const pgc = cluster();
  let db: ReplicaRouter;
  const errors: Error[] = [];

  beforeAll(async () => {
    const port = await deadPort();
    const topology = clusterTopology(pgc, { replicas: [{ id: 'gone', host: '127.0.0.1', port, state: 'active' }] });
    db = await createClusterRouter(pgc, { topology, maxFallbackConcurrency: 2 });
    db.on('error', (err) => errors.push(err));
  });

  afterAll(async () => {
    await db?.close();
  });

  it('serves reads from the primary up to the bound and fails fast past it, with a clear error', async () => {
    expect(db.stats().endpoints[1]).toMatchObject({ id: 'gone', healthy: false, lastError: expect.stringMatching(/ECONNREFUSED/) });

    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => db.read<{ port: number }>(SLOW_READ)));
    const served = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(served).toHaveLength(2);
    expect(served.every((o) => o.value.rows[0]?.port === pgc.primary.port)).toBe(true);
    expect(refused).toHaveLength(4);
    for (const o of refused) {
      expect(o.reason).toBeInstanceOf(FallbackLimitError);
      expect((o.reason as Error).message).toMatch(/no eligible replica and 2 reads already fall back to the primary/);
    }
    expect(db.stats().fallback).toEqual({ inFlight: 0, limit: 2, total: 2, rejected: 4 });

    // The bound limits concurrency, not volume: once those finished, reads are served again.
    expect((await db.read<{ port: number }>('SELECT inet_server_port() AS port')).rows[0]?.port).toBe(pgc.primary.port);
  });

  it('does not bound reads when the topology publishes no replica at all', async () => {
    const primaryOnly = await createClusterRouter(pgc, { topology: clusterTopology(pgc, { replicas: [] }), maxFallbackConcurrency: 2 });
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => primaryOnly.read<{ port: number }>(SLOW_READ)));
      expect(results.map((r) => r.rows[0]?.port)).toEqual(Array(6).fill(pgc.primary.port));
      expect(primaryOnly.stats().fallback).toMatchObject({ limit: Infinity, rejected: 0 });
    } finally {
      await primaryOnly.close();
    }
    await expect(primaryOnly.read('SELECT 1')).rejects.toBeInstanceOf(RouterClosedError);
    // Rejected promises, not exceptions thrown at the call: code written as `.catch(...)` sees them.
    const critical = primaryOnly.criticalRead('SELECT 1');
    await expect(critical).rejects.toBeInstanceOf(RouterClosedError);
    await expect(primaryOnly.write('SELECT 1')).rejects.toBeInstanceOf(RouterClosedError);
    expect(() => primaryOnly.session()).toThrow(RouterClosedError);
  });

  it('reported the replica that was down from the start once, to a listener attached after creation', () => {
    const reported = errors.filter((e) => e instanceof EndpointError);
    expect(reported.map((e) => e.message)).toEqual([expect.stringMatching(/^replica gone is unavailable: .*ECONNREFUSED/)]);
    expect(db.stats().endpoints[1]?.failures).toBeGreaterThan(1);
  });
});
