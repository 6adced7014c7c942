import { describe, expect, it } from 'vitest';
import { Health, type ElectionState } from './health.js';

describe('Health.readiness', () => {
  it.each<[ElectionState, boolean, boolean]>([
    ['starting', false, false],
    ['starting', true, false],
    ['standby', false, true],
    ['standby', true, true],
    ['leader', false, false],
    ['leader', true, true],
    ['stopping', false, false],
    ['stopping', true, false],
  ])('election %s, caches synced %s -> ready %s', (election, synced, ready) => {
    const health = new Health();
    health.setElection(election);
    health.setCachesSynced(synced);
    const result = health.readiness();
    expect(result.ok).toBe(ready);
    expect(result.reasons.length === 0).toBe(ready);
  });
});

describe('Health.liveness', () => {
  it('is live without checks, and names each failing check', () => {
    const health = new Health();
    expect(health.liveness()).toEqual({ ok: true, reasons: [] });
    let stalled = false;
    health.addLivenessCheck('watch', () => (stalled ? 'no event for 10m' : undefined));
    health.addLivenessCheck('other', () => undefined);
    expect(health.liveness().ok).toBe(true);
    stalled = true;
    expect(health.liveness()).toEqual({ ok: false, reasons: ['watch: no event for 10m'] });
  });
});

describe('Health caches check', () => {
  it('reads a check function at every probe', () => {
    const health = new Health();
    let synced = false;
    health.setElection('leader');
    health.setCachesSynced(() => synced);
    expect(health.readiness().ok).toBe(false);
    synced = true;
    expect(health.readiness().ok).toBe(true);
    expect(health.snapshot()).toEqual({ election: 'leader', cachesSynced: true });
  });
});
