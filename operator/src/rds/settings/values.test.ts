import { describe, expect, it } from 'vitest';
import { createFields, modifyFields, pendingSettings, reportedSettings } from './values.js';

describe('the settings in the SDK requests', () => {
  const settings = {
    instanceClass: 'db.r6g.large',
    storageThroughput: 1000,
    performanceInsightsRetentionDays: 31,
    performanceInsightsKmsKeyId: 'alias/pi',
    port: 5433,
    autoMinorVersionUpgrade: false,
    multiAZ: true,
    backupRetentionDays: 7,
    monitoringIntervalSeconds: 0,
    monitoringRoleArn: 'arn:aws:iam::123456789012:role/m',
  };

  it('creates an instance with each setting under its CreateDBInstance key', () => {
    expect(createFields(settings, 'primary')).toEqual({
      DBInstanceClass: 'db.r6g.large',
      StorageThroughput: 1000,
      PerformanceInsightsRetentionPeriod: 31,
      PerformanceInsightsKMSKeyId: 'alias/pi',
      Port: 5433,
      AutoMinorVersionUpgrade: false,
      MultiAZ: true,
      BackupRetentionPeriod: 7,
      MonitoringInterval: 0,
    });
  });

  it('leaves the primary-only settings out of a replica, which is single-AZ unless asked', () => {
    const { multiAZ: _, ...replica } = settings;
    expect(createFields(replica, 'replica')).not.toHaveProperty('BackupRetentionPeriod');
    expect(createFields(replica, 'replica')).toMatchObject({ MultiAZ: false, Port: 5433 });
  });

  it('modifies under the ModifyDBInstance keys, which differ for the port, and never sends what RDS cannot change', () => {
    expect(
      modifyFields({ port: 5433, storageThroughput: 1000, autoMinorVersionUpgrade: true, storageEncrypted: false, performanceInsightsKmsKeyId: 'alias/x' }),
    ).toEqual({
      DBPortNumber: 5433,
      StorageThroughput: 1000,
      AutoMinorVersionUpgrade: true,
    });
  });

  it('reads the settings and the pending ones from DescribeDBInstances', () => {
    const db = {
      StorageThroughput: 500,
      PerformanceInsightsRetentionPeriod: 7,
      AutoMinorVersionUpgrade: true,
      Endpoint: { Address: 'h', Port: 5433 },
      PendingModifiedValues: { StorageThroughput: 1000, DBInstanceClass: 'db.r6g.xlarge' },
    };
    expect(reportedSettings(db)).toMatchObject({ storageThroughput: 500, performanceInsightsRetentionDays: 7, autoMinorVersionUpgrade: true, port: 5433 });
    expect(pendingSettings(db)).toEqual({ storageThroughput: 1000, instanceClass: 'db.r6g.xlarge' });
  });
});
