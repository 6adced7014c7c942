import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.js';

const base = { topologyFile: '/etc/servio/db/topology.json', credentials: { username: 'u', password: 'p' } };

describe('resolveOptions', () => {
  it('applies the Servio pool defaults and derived limits', () => {
    const o = resolveOptions(base);
    expect(o.pool).toEqual({ max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 2_000 });
    expect(o.lagCheckIntervalMs).toBe(1_000);
    expect(o.maxFallbackConcurrency).toBe(10);
    expect(o.lagCheckTimeoutMs).toBe(2_000);
    expect(o.closeTimeoutMs).toBe(10_000);
    // The figures the README gives for the topology file's re-read and a session read's wait for replay.
    expect(o.topologyPollIntervalMs).toBe(10_000);
    expect(o.readYourWritesWaitMs).toBe(5);
  });

  it('keeps other pg pool settings and derives the fallback bound from the pool size', () => {
    const o = resolveOptions({ ...base, pool: { max: 5, ssl: { rejectUnauthorized: true }, application_name: 'orders' } });
    expect(o.pool).toMatchObject({ max: 5, ssl: { rejectUnauthorized: true }, application_name: 'orders', idleTimeoutMillis: 30_000 });
    expect(o.maxFallbackConcurrency).toBe(3);
  });

  it('allows no fallback at all, or an unbounded one', () => {
    expect(resolveOptions({ ...base, maxFallbackConcurrency: 0 }).maxFallbackConcurrency).toBe(0);
    expect(resolveOptions({ ...base, maxFallbackConcurrency: Infinity }).maxFallbackConcurrency).toBe(Infinity);
  });

  it.each([
    ['neither source', { credentials: base.credentials }],
    ['both sources', { ...base, topology: {} as never }],
    ['a fractional interval', { ...base, lagCheckIntervalMs: 2.5 }],
    ['a tiny interval', { ...base, lagCheckIntervalMs: 1 }],
    ['a negative fallback bound', { ...base, maxFallbackConcurrency: -1 }],
    ['a pool of zero', { ...base, pool: { max: 0 } }],
    ['a negative close timeout', { ...base, closeTimeoutMs: -1 }],
  ])('rejects %s', (_name, options) => {
    expect(() => resolveOptions(options)).toThrow(TypeError);
  });

  it('refuses an unbounded wait for a pool connection, naming the setting', () => {
    // pg reads 0 as "wait forever": a query queued behind a full pool would then outlive close() and the lag checks.
    expect(() => resolveOptions({ ...base, pool: { connectionTimeoutMillis: 0 } })).toThrow(/pool\.connectionTimeoutMillis must be an integer >= 1/);
    expect(resolveOptions({ ...base, pool: { connectionTimeoutMillis: 500 } }).pool.connectionTimeoutMillis).toBe(500);
  });

  it('keeps the pool defaults for settings given as undefined', () => {
    const o = resolveOptions({ ...base, pool: { max: undefined, connectionTimeoutMillis: undefined, idleTimeoutMillis: undefined } });
    expect(o.pool).toEqual({ max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 2_000 });
  });

  it.each(['closeTimeoutMs', 'lagCheckIntervalMs', 'topologyPollIntervalMs', 'readYourWritesWaitMs'] as const)(
    'refuses a %s past what a timer can wait (2^31 - 1 ms), which Node would run after 1 ms',
    (name) => {
      expect(() => resolveOptions({ ...base, [name]: 2 ** 31 })).toThrow(name);
    },
  );

  it('refuses a lagCheckIntervalMs past half what a timer can wait: its check may take twice the interval', () => {
    const half = Math.floor((2 ** 31 - 1) / 2);
    expect(resolveOptions({ ...base, lagCheckIntervalMs: half })).toMatchObject({ lagCheckIntervalMs: half, lagCheckTimeoutMs: 2 * half });
    expect(() => resolveOptions({ ...base, lagCheckIntervalMs: half + 1 })).toThrow(`lagCheckIntervalMs must be at most ${half} ms`);
  });

  it('refuses a pool.connectionTimeoutMillis past what a timer can wait', () => {
    expect(() => resolveOptions({ ...base, pool: { connectionTimeoutMillis: 2 ** 31 } })).toThrow('pool.connectionTimeoutMillis');
  });
});
