import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { RouterCore } from './core.js';
import { Endpoint } from './endpoint.js';
import type { EndpointSpec } from './endpoint-plan.js';
import { isEligible } from './eligibility.js';
import { LagMonitor } from './lag-monitor.js';

function endpoint(role: 'primary' | 'replica', id: string, query: () => Promise<unknown>): Endpoint {
  const spec: EndpointSpec = { key: `${role}:${id}`, id, role, host: id, port: 5432, database: 'db', state: 'active', tls: 'verify-full' };
  const pool = { query, end: async () => undefined, on: () => undefined } as unknown as pg.Pool;
  return new Endpoint(spec, { main: pool, readOnly: undefined, monitor: pool });
}

const primaryAt = (lsn: string) => async () => ({ rows: [{ lsn, wal_block_size: 8192 }] });
const replicaAt = (lsn: string, replayDelaySeconds: number) => async () => ({
  rows: [{ in_recovery: true, replay_lsn: lsn, replay_delay: replayDelaySeconds }],
});

describe('a lag round across a reload that changes the primary', () => {
  it("does not judge the new primary's replicas against the old primary's position", async () => {
    let answerOldPrimary!: (rows: unknown) => void;
    const oldPrimary = endpoint('primary', 'p-old', () => new Promise((resolve) => (answerOldPrimary = resolve)));
    // The new primary is at 0/9000; its replica has replayed up to 0/6000 and nothing for an hour.
    const newPrimary = endpoint('primary', 'p-new', primaryAt('0/9000'));
    const newReplica = endpoint('replica', 'r-new', replicaAt('0/6000', 3600));
    const core = {
      closed: false,
      primary: oldPrimary,
      replicas: [endpoint('replica', 'r-old', replicaAt('0/5000', 0))],
      walBlockSize: 8192n,
      reportFailure: (ep: Endpoint, err: unknown) => ep.markFailed(err, performance.now()),
    };
    const monitor = new LagMonitor(core as unknown as RouterCore, 1000, 300_000, (err) => {
      throw err;
    });
    const round = monitor.checkNow();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The reload lands while the old primary's position is being asked.
    core.primary = newPrimary;
    core.replicas = [newReplica];
    answerOldPrimary({ rows: [{ lsn: '0/5000', wal_block_size: 8192 }] });
    await round;
    // Past the old primary's 0/5000, but not checked against its own primary yet: no reads.
    expect(newReplica.lagSeconds).toBe(Infinity);
    expect(isEligible(newReplica, { maxLagSeconds: 1 })).toBe(false);

    // The round the reload queues sees it an hour behind.
    await monitor.checkNow();
    expect(newReplica.lagSeconds).toBe(3600);
    expect(isEligible(newReplica, { maxLagSeconds: 1 })).toBe(false);
  });
});
