// The error policy through whole reconciles against in-memory ports: what is held, what goes on, what is retried
// and when. The same behaviours against the RDS emulator are in test/integration/reconcile.int.test.ts.
import { describe, expect, it } from 'vitest';
import { RdsError } from '../rds/errors.js';
import { DEFAULT_AWS_ACTION_RETRY_MS } from './error-policy.js';
import { BASE, aReplicaSetDB } from './testing/fixtures.js';
import { aHarness } from './testing/harness.js';

function condition(h: ReturnType<typeof aHarness>, type: string) {
  return h.status()?.conditions?.find((c) => c.type === type);
}

describe('reconcile: a rejected change is held, the rest of the spec goes on', () => {
  it('retires the surplus replica of the same spec change while the rejected class change is held', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(2));
    await h.converge();
    h.rds.failNext('ModifyDBInstance', new RdsError('terminal', 'InvalidParameterValue', 'ModifyDBInstance', 'Invalid DB Instance class: db.r6g.9xlarge'));
    h.update(
      aReplicaSetDB()
        .withReplicas(1)
        .withSpec({ primary: { instanceClass: 'db.r6g.9xlarge' }, replicas: { instanceClass: 'db.r6g.9xlarge' } }),
    );
    // The surplus replica drains for routing.drainSeconds (30 s) first, one second per transitioning resync here.
    await h.converge(60);

    expect([...h.rds.instances.keys()].sort()).toEqual([BASE, `${BASE}-r1`]);
    expect(h.status()?.heldChanges).toEqual([
      {
        subject: `${BASE}-r1`,
        operation: 'ModifyDBInstance',
        fields: ['instanceClass'],
        code: 'InvalidParameterValue',
        message: 'Invalid DB Instance class: db.r6g.9xlarge',
        generation: 2,
      },
    ]);
    expect(condition(h, 'Ready')).toMatchObject({ status: 'False', reason: 'AwsRejected' });
    expect(condition(h, 'Ready')?.message).toContain(`ModifyDBInstance ${BASE}-r1 (instanceClass) was rejected: Invalid DB Instance class`);
    const classChanges = () => h.rds.calls.filter((c) => c.operation === 'ModifyDBInstance').length;
    const before = classChanges();
    await h.reconcile();
    expect(classChanges()).toBe(before);

    h.update(aReplicaSetDB().withReplicas(1));
    await h.converge();
    expect(h.status()?.heldChanges).toBeUndefined();
    expect(h.status()?.phase).toBe('Ready');
  });
});

describe('reconcile: an AWS error a person fixes outside the spec', () => {
  it('says what to fix, retries after the long default interval, and is not held', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1));
    h.rds.failNext(
      'CreateDBInstanceReadReplica',
      new RdsError('action-required', 'InstanceQuotaExceeded', 'CreateDBInstanceReadReplica', 'DB instance quota exceeded'),
    );
    let result = await h.reconcile();
    for (let i = 0; i < 10 && h.rds.calls.every((c) => c.operation !== 'CreateDBInstanceReadReplica'); i++) result = await h.reconcile();

    expect(result).toEqual({ requeueAfterMs: DEFAULT_AWS_ACTION_RETRY_MS });
    expect(condition(h, 'Ready')).toMatchObject({ status: 'False', reason: 'AwsActionRequired' });
    expect(condition(h, 'Ready')?.message).toContain("raise the account's DB instances quota");
    expect(h.status()?.heldChanges).toBeUndefined();
    expect(h.kube.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'AwsActionRequired' });

    await h.converge();
    expect(h.rds.calls.filter((c) => c.operation === 'CreateDBInstanceReadReplica')).toHaveLength(2);
    expect(h.status()?.phase).toBe('Ready');
  });
});
