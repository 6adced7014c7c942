import { describe, expect, it } from 'vitest';
import { FaultScheduler, NO_FAULTS, seededRandom } from './faults.js';

describe('FaultScheduler', () => {
  it('injects throttling and 5xx at about their rates, the same way for the same seed', () => {
    const plan = { ...NO_FAULTS, throttleRate: 0.3, serverErrorRate: 0.05, seed: 42 };
    const run = () => {
      const s = new FaultScheduler(plan, 0);
      return Array.from({ length: 10_000 }, (_, i) => s.decide('DescribeDBInstances', {}, i));
    };
    const first = run();
    expect(run()).toEqual(first);
    const throttled = first.filter((d) => d.kind === 'error' && d.code === 'Throttling').length;
    const server = first.filter((d) => d.kind === 'error' && d.status >= 500).length;
    expect(throttled / 10_000).toBeGreaterThan(0.28);
    expect(throttled / 10_000).toBeLessThan(0.32);
    // 5 % of the calls that were not throttled.
    expect(server / 10_000).toBeGreaterThan(0.05 * 0.7 - 0.01);
    expect(server / 10_000).toBeLessThan(0.05 * 0.7 + 0.01);
  });

  it('passes everything without a plan', () => {
    const s = new FaultScheduler(NO_FAULTS, 0);
    for (let i = 0; i < 100; i++) expect(s.decide('CreateDBInstance', {}, i)).toEqual({ kind: 'pass', delayMs: 0 });
  });

  it('adds latency by operation, with a default', () => {
    const s = new FaultScheduler({ ...NO_FAULTS, latencyMs: { CreateDBInstance: 800, default: 50 } }, 0);
    expect(s.decide('CreateDBInstance', {}, 0).delayMs).toBe(800);
    expect(s.decide('DescribeDBInstances', {}, 0).delayMs).toBe(50);
  });

  it('answers scripted errors for the matching calls, in their window, as many times as asked', () => {
    const s = new FaultScheduler(
      {
        ...NO_FAULTS,
        scripted: [
          { operation: 'CreateDBInstanceReadReplica', code: 'InsufficientDBInstanceCapacity', match: { DBInstanceClass: 'db.r6g.large' }, times: 2 },
          { operation: 'ModifyDBInstance', code: 'KMSKeyNotAccessibleFault', fromMs: 1_000, untilMs: 2_000 },
          { operation: '*', code: 'AccessDenied', match: { DBInstanceIdentifier: 'forbidden' } },
        ],
      },
      10_000,
    );
    const large = { DBInstanceClass: 'db.r6g.large' };
    expect(s.decide('CreateDBInstanceReadReplica', large, 10_000)).toMatchObject({
      kind: 'error',
      code: 'InsufficientDBInstanceCapacity',
      status: 400,
      cause: 'scripted',
    });
    expect(s.decide('CreateDBInstanceReadReplica', { DBInstanceClass: 'db.t4g.micro' }, 10_000).kind).toBe('pass');
    expect(s.decide('CreateDBInstanceReadReplica', large, 10_001).kind).toBe('error');
    expect(s.decide('CreateDBInstanceReadReplica', large, 10_002).kind).toBe('pass');
    expect(s.decide('ModifyDBInstance', {}, 10_999).kind).toBe('pass');
    expect(s.decide('ModifyDBInstance', {}, 11_000)).toMatchObject({ code: 'KMSKeyNotAccessibleFault' });
    expect(s.decide('ModifyDBInstance', {}, 12_000).kind).toBe('pass');
    expect(s.decide('DeleteDBInstance', { DBInstanceIdentifier: 'forbidden' }, 10_000)).toMatchObject({ code: 'AccessDenied', status: 403 });
  });

  it('draws numbers in [0, 1)', () => {
    const r = seededRandom(7);
    for (let i = 0; i < 1_000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
