import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { Endpoint, heardWhileOut } from './endpoint.js';
import type { EndpointSpec } from './endpoint-plan.js';

const spec: EndpointSpec = { key: 'replica:r1@h:1/db', id: 'r1', role: 'replica', host: 'h', port: 1, database: 'db', state: 'active', tls: 'verify-full' };

function fakePool(log: string[], name: string): pg.Pool {
  return {
    end: async () => {
      log.push(`end ${name}`);
    },
    on: () => undefined,
  } as unknown as pg.Pool;
}

function anEndpoint(log: string[] = []): Endpoint {
  return new Endpoint(spec, { main: fakePool(log, 'main'), readOnly: undefined, monitor: fakePool(log, 'monitor') });
}

describe('Endpoint health', () => {
  it('is not eligible before its first check, then healthy with the observed lag and position', () => {
    const ep = anEndpoint();
    expect(ep.healthy).toBe(false);
    ep.recordCheck(10, 12, { lagSeconds: 0.2, replayLsn: 100n });
    expect(ep).toMatchObject({ healthy: true, lagSeconds: 0.2, replayLsn: 100n, checkedAt: 12 });
  });

  it('ignores a check that started before a failure: it cannot vouch for the endpoint', () => {
    const ep = anEndpoint();
    ep.recordCheck(0, 1, { lagSeconds: 0, replayLsn: 100n });
    ep.markFailed(new Error('Connection terminated unexpectedly'), 50);
    ep.recordCheck(40, 60, { lagSeconds: 0, replayLsn: 120n });
    expect(ep).toMatchObject({ healthy: false, replayLsn: undefined, lagSeconds: Infinity, lastError: 'Connection terminated unexpectedly' });
    ep.recordCheck(70, 75, { lagSeconds: 0, replayLsn: 90n });
    expect(ep).toMatchObject({ healthy: true, replayLsn: 90n, lastError: undefined });
  });

  it('reports an outage once, including one found by the first check', () => {
    const ep = anEndpoint();
    expect(ep.markFailed(new Error('a'), 1)).toBe(true);
    expect(ep.markFailed(new Error('b'), 2)).toBe(false);
    ep.recordCheck(3, 4, { lagSeconds: 0, replayLsn: undefined });
    expect(ep.markFailed(new Error('c'), 5)).toBe(true);
    expect(ep.counters.failures).toBe(3);
  });

  it('only moves its known replay position forward for readings that overlap the one it came from', () => {
    const ep = anEndpoint();
    ep.recordCheck(0, 10, { lagSeconds: 0, replayLsn: 200n });
    // Began before the 200 was answered: an older reading, not a step back.
    expect(ep.noteProbedReplayLsn(5, 150n, 12)).toBe(true);
    expect(ep.replayLsn).toBe(200n);
  });

  it('takes a lower replay position read after the higher one was answered: the replica restarted behind it', () => {
    const ep = anEndpoint();
    ep.recordCheck(0, 10, { lagSeconds: 0, replayLsn: 200n });
    ep.recordCheck(20, 21, { lagSeconds: 0, replayLsn: 150n });
    expect(ep.replayLsn).toBe(150n);
    ep.noteProbedReplayLsn(30, 120n, 31);
    expect(ep.replayLsn).toBe(120n);
  });
});

describe('Endpoint retirement', () => {
  it('ends its pools at once when idle', async () => {
    const log: string[] = [];
    await anEndpoint(log).retire();
    expect(log.sort()).toEqual(['end main', 'end monitor']);
  });

  it('ends its pools only after in-flight queries, and takes the removed state at once', async () => {
    const log: string[] = [];
    const ep = anEndpoint(log);
    ep.begin();
    ep.begin();
    const retired = ep.retire();
    expect(ep.state).toBe('removed');
    await Promise.resolve();
    ep.end();
    await Promise.resolve();
    expect(log).toEqual([]);
    ep.end();
    await retired;
    expect(log.sort()).toEqual(['end main', 'end monitor']);
    expect(ep.retire()).toBe(retired);
  });
});

describe('heardWhileOut', () => {
  it("hears a checked-out client's error event while it is out, and stops listening at its release", () => {
    const released: unknown[] = [];
    const client = Object.assign(new EventEmitter(), { release: (err?: unknown) => void released.push(err) }) as unknown as pg.PoolClient;
    heardWhileOut(client);
    expect(() => client.emit('error', new Error('Connection terminated unexpectedly'))).not.toThrow();
    const lost = new Error('lost');
    client.release(lost);
    expect(released).toEqual([lost]);
    expect(client.listenerCount('error')).toBe(0);
  });
});
