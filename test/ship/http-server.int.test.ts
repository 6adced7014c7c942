// The metrics and probe server over real HTTP on loopback: what the kubelet and Prometheus will see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../operator/src/observability/logger.js';
import { createMetrics } from '../../operator/src/observability/metrics.js';
import { Health } from '../../operator/src/observability/health.js';
import { startHttpServer, type RunningHttpServer } from '../../operator/src/observability/http-server.js';

describe('metrics and health HTTP server', () => {
  const metrics = createMetrics();
  const health = new Health();
  const logLines: string[] = [];
  let server: RunningHttpServer;
  let base: string;

  beforeAll(async () => {
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void logLines.push(l) } });
    server = await startHttpServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, health, logger });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server.close();
  });

  it('binds a free port when asked for port 0 and logs it', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(logLines.map((l) => JSON.parse(l) as { port?: number }).some((r) => r.port === server.port)).toBe(true);
  });

  it('answers /healthz with 200 while every liveness check passes, 503 naming the failure otherwise', async () => {
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('ok\n');
    let broken = false;
    health.addLivenessCheck('informer', () => (broken ? 'watch stalled' : undefined));
    broken = true;
    const bad = await fetch(`${base}/healthz`);
    expect(bad.status).toBe(503);
    expect(await bad.text()).toBe('informer: watch stalled\n');
    broken = false;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers /readyz from the election state and the caches', async () => {
    const status = async () => (await fetch(`${base}/readyz`)).status;
    expect(await status()).toBe(503);
    health.setElection('standby');
    expect(await status()).toBe(200);
    health.setElection('leader');
    expect(await status()).toBe(503);
    health.setCachesSynced(true);
    expect(await status()).toBe(200);
    health.setElection('stopping');
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('shutting down\n');
  });

  it('serves the Prometheus exposition format on /metrics', async () => {
    metrics.observeReconcile('success', 0.1);
    metrics.observeAwsCall('rds', 'DescribeDBInstances', 'success', 0.02);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).toContain('rsdb_reconcile_total{result="success"} 1');
    expect(body).toContain('rsdb_aws_api_calls_total{service="rds",operation="DescribeDBInstances",outcome="success"} 1');
    expect(body).toContain('# TYPE rsdb_workqueue_depth gauge');
    expect(body).toContain('process_resident_memory_bytes');
  });

  it('refuses other paths and methods', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('closes even while a client keeps a connection alive', async () => {
    const logger = createLogger({ level: 'silent' });
    const other = await startHttpServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, health, logger });
    const res = await fetch(`http://127.0.0.1:${other.port}/healthz`, { headers: { connection: 'keep-alive' } });
    expect(res.status).toBe(200);
    await other.close();
    await expect(fetch(`http://127.0.0.1:${other.port}/healthz`)).rejects.toThrow();
  });
});
