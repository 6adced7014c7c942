import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointError, type ReplicaRouter } from '../src/index.js';
import { testEnv } from '../../test/env/helpers.js';
import { adoptPostgresNodes, startPostgresNode, stopPostgresNode } from '../../test/env/postgres.js';
import { cluster, createClusterRouter, replicasCaughtUp, waitFor, twoReplicas } from './support.js';

const WORKERS = 16;

describe('a replica that stops under read load', () => {
  const pgc = cluster();
  const [victim, survivor] = twoReplicas(pgc);
  let db: ReplicaRouter;
  const errors: Error[] = [];
  let stopped = false;

  beforeAll(async () => {
    await adoptPostgresNodes(pgc, join(testEnv().logDir, 'client-stopped-replica.log'));
    await replicasCaughtUp(pgc);
    db = await createClusterRouter(pgc, { pool: { max: 10 } });
    db.on('error', (err) => errors.push(err));
  });

  afterAll(async () => {
    if (stopped) await startPostgresNode(victim);
    await db?.close();
  });

  it('fails no read: in-flight reads are retried elsewhere and new ones avoid it; it returns once it is back', async () => {
    const counts = { ok: 0, failed: 0, onVictimAfterStop: 0 };
    const failures: unknown[] = [];
    let running = true;
    let stopCompleted = false;
    const load = Array.from({ length: WORKERS }, async () => {
      while (running) {
        try {
          // Long enough that reads are in flight on the victim when it goes down.
          const { rows } = await db.read<{ port: number }>('SELECT inet_server_port() AS port, pg_sleep(0.005)');
          counts.ok++;
          if (stopCompleted && rows[0]?.port === victim.port) counts.onVictimAfterStop++;
        } catch (err) {
          counts.failed++;
          failures.push(err);
        }
      }
    });
    try {
      await waitFor('reads on both replicas', () => (db.stats().endpoints.find((e) => e.port === victim.port)?.routed ?? 0) > 50);
      stopped = true;
      await stopPostgresNode(victim);
      stopCompleted = true;
      const okAtStop = counts.ok;
      await waitFor('reads to go on after the stop', () => counts.ok > okAtStop + 500);
    } finally {
      running = false;
      await Promise.all(load);
    }

    expect(failures).toEqual([]);
    expect(counts.failed).toBe(0);
    expect(counts.onVictimAfterStop).toBe(0);
    const victimStats = db.stats().endpoints.find((e) => e.port === victim.port);
    expect(victimStats).toMatchObject({ healthy: false, state: 'active' });
    expect(victimStats?.failures).toBeGreaterThan(0);
    expect(errors.some((e) => e instanceof EndpointError && e.message.includes('replica-1'))).toBe(true);
    // The outage is reported once, not once per broken connection.
    expect(errors.filter((e) => e instanceof EndpointError && e.message.includes('replica-1'))).toHaveLength(1);

    await startPostgresNode(victim);
    stopped = false;
    await waitFor('the restarted replica to be healthy again', () => db.stats().endpoints.find((e) => e.port === victim.port)?.healthy === true, 60_000);
    const ports = new Set<number>();
    for (let i = 0; i < 10; i++) ports.add((await db.read<{ port: number }>('SELECT inet_server_port() AS port')).rows[0]?.port ?? 0);
    expect(ports).toEqual(new Set([victim.port, survivor.port]));
  });
});
