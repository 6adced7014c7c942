import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerRouterMetrics } from './prometheus.js';
import type { EndpointStats, RouterStats } from './stats.js';

function endpoint(id: string, readYourWrites: number): EndpointStats {
  return { id, role: 'primary', readYourWrites } as unknown as EndpointStats;
}

/** Router figures as stats() gives them, with only what these tests read filled in. */
function stats(primary: EndpointStats, onPrimary: number): RouterStats {
  return {
    topology: { revision: 1, reloads: 0, epochChanges: 0, ignored: 0, rejected: 0 },
    lagChecks: 0,
    fallback: { inFlight: 0, limit: 10, total: 0, rejected: 0 },
    readYourWrites: { onReplica: 0, afterWait: 0, checkedWithRead: 0, discarded: 0, sharedPosition: 0, onPrimary },
    endpoints: [{ ...primary, pool: { total: 0, idle: 0, waiting: 0 } }],
  } as unknown as RouterStats;
}

describe('registerRouterMetrics', () => {
  it('never lets the read-your-writes reads served by the primary go back when the primary is replaced', async () => {
    let current = stats(endpoint('db-a', 500), 500);
    const registry = new Registry();
    registerRouterMetrics({ stats: () => current }, { registry });
    const primaryReads = async () =>
      (await registry.getSingleMetric('rsdb_client_read_your_writes_reads_total')!.get()).values.find((v) => v.labels.outcome === 'primary')?.value;
    expect(await primaryReads()).toBe(500);
    // A failover: the new primary has served 3 such reads, the router 503 in all.
    current = stats(endpoint('db-b', 3), 503);
    expect(await primaryReads()).toBe(503);
  });
});
