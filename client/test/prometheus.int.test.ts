import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplicaRouter } from '../src/index.js';
import { registerRouterMetrics } from '../src/prometheus.js';
import { cluster, clusterTopology, createClusterRouter, replicasCaughtUp, WHERE_AM_I } from './support.js';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of one metric in Prometheus text exposition. */
function samples(exposition: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of exposition.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    out.push({ labels, value: Number(match[3]) });
  }
  return out;
}

function value(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(exposition, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('Prometheus metrics of a router, scraped after real queries', () => {
  const pgc = cluster();
  const routers: ReplicaRouter[] = [];

  afterEach(async () => {
    for (const r of routers.splice(0)) await r.close();
  });

  it('reports routed queries, read-your-writes outcomes, lag and pools per endpoint', async () => {
    await replicasCaughtUp(pgc);
    const db = await createClusterRouter(pgc);
    routers.push(db);
    const registry = new Registry();
    registerRouterMetrics(db, { registry });

    await db.write('SELECT 1');
    await db.criticalRead('SELECT 1');
    const ports: number[] = [];
    for (let i = 0; i < 6; i++) ports.push((await db.read<{ port: number }>(WHERE_AM_I)).rows[0]?.port ?? 0);
    const s = db.session();
    await s.write('SELECT pg_current_xact_id()');
    await s.read('SELECT 1');

    const text = await registry.metrics();
    expect(text).toContain('# TYPE rsdb_client_queries_total counter');
    expect(text).toContain('# TYPE rsdb_client_replica_lag_seconds gauge');
    // Writes (plain and the session's), the critical read: all on the primary, routed.
    expect(value(text, 'rsdb_client_queries_total', { endpoint: 'primary', role: 'primary', kind: 'routed' })).toBe(3);
    // The session's read went to a replica once one was seen to replay its write, else to the primary.
    const ryw = samples(text, 'rsdb_client_read_your_writes_reads_total');
    expect(ryw.map((x) => x.labels.outcome).sort()).toEqual(['primary', 'replica', 'replica_after_wait']);
    expect(ryw.reduce((sum, x) => sum + x.value, 0)).toBe(1);
    const sessionOnReplica = ryw.filter((x) => x.labels.outcome !== 'primary').reduce((sum, x) => sum + x.value, 0);
    expect(value(text, 'rsdb_client_queries_total', { endpoint: 'primary', kind: 'read_your_writes' })).toBe(1 - sessionOnReplica);
    const onReplicas = samples(text, 'rsdb_client_queries_total').filter((x) => x.labels.role === 'replica' && x.labels.kind === 'routed');
    expect(onReplicas.map((x) => x.labels.endpoint).sort()).toEqual(['replica-1', 'replica-2']);
    expect(onReplicas.reduce((sum, x) => sum + x.value, 0)).toBe(6 + sessionOnReplica);
    expect(value(text, 'rsdb_client_queries_total', { endpoint: 'replica-1', kind: 'routed' })).toBeGreaterThanOrEqual(
      ports.filter((p) => p === pgc.replicas[0]?.port).length,
    );
    for (const id of ['replica-1', 'replica-2']) {
      const lag = value(text, 'rsdb_client_replica_lag_seconds', { endpoint: id, role: 'replica' });
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(1);
      expect(value(text, 'rsdb_client_endpoint_up', { endpoint: id })).toBe(1);
    }
    expect(value(text, 'rsdb_client_replica_lag_seconds', { endpoint: 'primary' })).toBeUndefined();
    expect(value(text, 'rsdb_client_pool_connections', { endpoint: 'primary', pool: 'main' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'rsdb_client_pool_connections', { endpoint: 'primary', pool: 'read_only' })).toBe(1);
    expect(value(text, 'rsdb_client_pool_waiting_requests', { endpoint: 'replica-1', pool: 'main' })).toBe(0);
    expect(value(text, 'rsdb_client_lag_checks_total')).toBe(db.stats().lagChecks);
    expect(value(text, 'rsdb_client_fallback_limit')).toBe(10);

    // Values are read at scrape time: the next scrape sees the next queries, with no timer in between.
    await db.read('SELECT 1');
    const again = await registry.metrics();
    const replicaReads = samples(again, 'rsdb_client_queries_total').filter((x) => x.labels.role === 'replica' && x.labels.kind === 'routed');
    expect(replicaReads.reduce((sum, x) => sum + x.value, 0)).toBe(7 + sessionOnReplica);
  });

  it('reports failures, fallbacks, rejections and pool back-pressure', async () => {
    const replica = pgc.replicas[0];
    if (!replica) throw new Error('the test needs a replica');
    // One live replica with a single connection, and one that refuses connections.
    const db = await createClusterRouter(pgc, {
      topology: clusterTopology(pgc, {
        replicas: [
          { id: 'replica-1', host: replica.host, port: replica.port, state: 'active' },
          { id: 'gone', host: '127.0.0.1', port: 1, state: 'active' },
        ],
      }),
      pool: { max: 1, connectionTimeoutMillis: 1_000 },
      maxFallbackConcurrency: 1,
    });
    routers.push(db);
    db.on('error', () => undefined);
    const registry = new Registry();
    const metrics = registerRouterMetrics(db, { registry, prefix: 'app_db_' });

    // replica-1's only connection open first, so that the slow reads below do not wait for a connect.
    await db.read('SELECT 1');
    // Three slow reads: one holds replica-1's only connection, two wait 1 s for it; then one falls back to the
    // primary and the other finds the fallback bound taken and is refused.
    const reads = await Promise.allSettled([0, 1, 2].map(() => db.read('SELECT pg_sleep(2)')));
    expect(reads.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).name] : []))).toEqual(['FallbackLimitError']);

    const text = await registry.metrics();
    expect(value(text, 'app_db_endpoint_up', { endpoint: 'gone' })).toBe(0);
    expect(value(text, 'app_db_endpoint_failures_total', { endpoint: 'gone' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'app_db_replica_lag_seconds', { endpoint: 'gone' })).toBeUndefined();
    expect(value(text, 'app_db_pool_saturated_total', { endpoint: 'replica-1' })).toBe(2);
    expect(value(text, 'app_db_fallback_reads_total')).toBe(1);
    expect(value(text, 'app_db_queries_total', { endpoint: 'primary', kind: 'fallback' })).toBe(1);
    expect(value(text, 'app_db_fallback_rejected_total')).toBe(1);
    expect(value(text, 'app_db_fallback_limit')).toBe(1);

    metrics.unregister();
    expect(await registry.metrics()).not.toContain('app_db_');
  });
});
