// The settings added through the settings table: each is enforced (or, when RDS cannot change it in place, only
// reported) like the settings before it, with the disruption its row declares.
import { describe, expect, it } from 'vitest';
import { disruptionOf } from '../../rds/settings/disruption.js';
import { BASE, aReplicaSetDB, aWorld } from '../testing/fixtures.js';
import { plan, planWithPrimary, stepOf, stepsOf } from '../testing/plan-helpers.js';
import { desiredPrimary } from './desired.js';
import { instanceDrift } from './drift.js';

const noReplicas = () => aReplicaSetDB().withReplicas(0);
const gp3Provisioned = { primary: { storageType: 'gp3' as const, allocatedStorageGiB: 400, iops: 12000, storageThroughput: 1000 } };

describe('plan: settings from the table', () => {
  it.each([
    ['gp3 storage throughput', gp3Provisioned, { storageThroughput: 500 }, { storageThroughput: 1000 }],
    [
      'Performance Insights retention',
      { monitoring: { performanceInsights: true, performanceInsightsRetentionDays: 31 as const } },
      { performanceInsightsRetentionDays: 7 },
      { performanceInsightsRetentionDays: 31 },
    ],
    ['the port', { port: 5433 }, { port: 5432 }, { port: 5433 }],
    ['auto minor version upgrade', { autoMinorVersionUpgrade: false }, { autoMinorVersionUpgrade: true }, { autoMinorVersionUpgrade: false }],
    [
      'the CA certificate',
      { caCertificateIdentifier: 'rds-ca-rsa2048-g1' },
      { caCertificateIdentifier: 'rds-ca-2019' },
      { caCertificateIdentifier: 'rds-ca-rsa2048-g1' },
    ],
  ])('corrects %s on the primary', (_, spec, observed, changes) => {
    const p = plan(aWorld(noReplicas().withSpec(spec)).inSync().withPrimary(observed).build());
    expect(stepsOf(p)).toEqual([`modifyInstance ${BASE}`]);
    expect(stepOf(p, 'modifyInstance').changes).toEqual(changes);
  });

  it.each([
    ['gp3 storage throughput', gp3Provisioned, { storageThroughput: undefined }],
    [
      'Performance Insights retention',
      { monitoring: { performanceInsights: true, performanceInsightsRetentionDays: 31 as const } },
      { performanceInsightsRetentionDays: undefined },
    ],
    ['auto minor version upgrade', { autoMinorVersionUpgrade: false }, { autoMinorVersionUpgrade: undefined }],
  ])('leaves %s alone where RDS does not report it', (_, spec, observed) => {
    expect(stepsOf(plan(aWorld(noReplicas().withSpec(spec)).inSync().withPrimary(observed).build()))).toEqual([]);
  });

  it('leaves a setting the spec does not set to RDS', () => {
    const p = planWithPrimary(noReplicas(), { port: 6000, autoMinorVersionUpgrade: false, storageThroughput: 250, caCertificateIdentifier: 'rds-ca-2019' });
    expect(stepsOf(p)).toEqual([]);
  });

  it('changes the storage type together with the iops and throughput RDS checks it with', () => {
    const p = plan(
      aWorld(noReplicas().withSpec(gp3Provisioned)).inSync().withPrimary({ storageType: 'gp2', iops: undefined, storageThroughput: undefined }).build(),
    );
    expect(stepOf(p, 'modifyInstance').changes).toEqual({ storageType: 'gp3', iops: 12000, storageThroughput: 1000 });
  });

  it('makes the replicas Multi-AZ when replicas.multiAZ says so, and leaves them as they are when it is unset', () => {
    const multiAZ = aReplicaSetDB()
      .withReplicas(1)
      .withSpec({ replicas: { multiAZ: true } });
    const p = plan(aWorld(multiAZ).inSync().withReplica(1, { multiAZ: false }).build());
    expect(stepOf(p, 'modifyInstance', `${BASE}-r1`).changes).toEqual({ multiAZ: true });
    expect(stepsOf(plan(aWorld(aReplicaSetDB().withReplicas(1)).inSync().withReplica(1, { multiAZ: true }).build()))).toEqual([]);
  });

  it('holds a new CA certificate for the maintenance window as a restart, unless applyImmediately', () => {
    const db = noReplicas().withSpec({ caCertificateIdentifier: 'rds-ca-rsa2048-g1' });
    const p = planWithPrimary(db, { caCertificateIdentifier: 'rds-ca-2019' });
    expect(stepOf(p, 'modifyInstance').applyImmediately).toBe(false);
    expect(disruptionOf(stepOf(p, 'modifyInstance').delta)).toBe('reboot');
    const pending = planWithPrimary(db, { caCertificateIdentifier: 'rds-ca-2019', pending: { caCertificateIdentifier: 'rds-ca-rsa2048-g1' } });
    expect(stepsOf(pending)).toEqual([]);
    expect(pending.pendingChanges).toEqual([`${BASE}: caCertificateIdentifier rds-ca-2019 -> rds-ca-rsa2048-g1 at the next maintenance window`]);
  });

  it('never sends a Performance Insights key RDS cannot change in place', () => {
    const db = noReplicas().withSpec({ monitoring: { performanceInsights: true, performanceInsightsKmsKeyId: 'alias/pi' } });
    expect(stepsOf(planWithPrimary(db, { performanceInsightsKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/other' }))).toEqual([]);
  });
});

describe('the disruption of planned changes', () => {
  it('comes with each change, and the worst one describes a modification', () => {
    const world = aWorld(noReplicas().withSpec({ port: 5433, primary: { instanceClass: 'db.r6g.2xlarge' } })).inSync();
    const observed = world.withPrimary({ port: 5432, instanceClass: 'db.r6g.large', iamDatabaseAuthentication: true }).build();
    const drift = instanceDrift(desiredPrimary(observed.spec!, observed.names), observed.primary()!, 'primary');
    expect(drift.changes.map((c) => [c.change.field, c.disruption])).toEqual([
      ['instanceClass', 'reboot'],
      ['iamDatabaseAuthentication', 'none'],
      ['port', 'reboot'],
    ]);
    expect(disruptionOf(drift.changes.filter((c) => c.group === 'settings').map((c) => c.change))).toBe('reboot');
    const p = plan(observed);
    expect(disruptionOf(stepOf(p, 'modifyInstance').delta)).toBe('reboot');
  });
});
