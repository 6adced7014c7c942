// Deletion protection is sent in a ModifyDBInstance of its own, so that a change RDS rejects in the same spec edit
// (held until the spec changes, with every field of its request) never holds the protection back with it.
import { describe, expect, it } from 'vitest';
import { RdsError } from '../rds/errors.js';
import { aHarness, type Harness } from './testing/harness.js';
import { BASE, aReplicaSetDB } from './testing/fixtures.js';

const ROLE = 'arn:aws:iam::123456789012:role/rds-monitoring-missing';
const rejected = () =>
  new RdsError(
    'terminal',
    'InvalidParameterValue',
    'ModifyDBInstance',
    'IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING',
  );

async function passes(h: Harness, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const r = await h.reconcile();
    h.clock.now = new Date(h.clock.now.getTime() + (r.requeueAfterMs ?? 0));
  }
}

describe('reconcile: deletion protection and a rejected change of the same spec edit', () => {
  it('turns protection on for the primary although RDS rejects the monitoring role asked with it', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(0));
    await h.converge();
    h.update(
      aReplicaSetDB()
        .withReplicas(0)
        .withSpec({ deletionProtection: true, monitoring: { enhancedMonitoringIntervalSeconds: 60, monitoringRoleArn: ROLE } }),
    );
    h.rds.rejectModificationsWhen((changes) => changes.monitoringRoleArn !== undefined || changes.monitoringIntervalSeconds !== undefined, rejected);
    await passes(h, 6);
    expect(h.rds.instances.get(BASE)!.deletionProtection).toBe(true);
    expect(h.status()?.heldChanges?.map((c) => c.fields)).toEqual([expect.not.arrayContaining(['deletionProtection'])]);
  });

  it('turns protection on for a replica although RDS rejects the monitoring role asked with it', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1));
    await h.converge();
    h.update(
      aReplicaSetDB()
        .withReplicas(1)
        .withSpec({ deletionProtection: true, monitoring: { enhancedMonitoringIntervalSeconds: 60, monitoringRoleArn: ROLE } }),
    );
    h.rds.rejectModificationsWhen((changes) => changes.monitoringRoleArn !== undefined || changes.monitoringIntervalSeconds !== undefined, rejected);
    await passes(h, 10);
    expect(h.rds.instances.get(`${BASE}-r1`)!.deletionProtection).toBe(true);
    expect(h.rds.instances.get(BASE)!.deletionProtection).toBe(true);
  });
});
