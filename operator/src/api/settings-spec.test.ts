// Validation of the spec fields that feed the RDS settings table.
import { describe, expect, it } from 'vitest';
import { specSchema, type ReplicaSetDBSpecInput } from './spec.js';

const base: ReplicaSetDBSpecInput = { engineVersion: '15.4', databaseName: 'servio', primary: { instanceClass: 'db.r6g.large' } };
const gp3 = { instanceClass: 'db.r6g.large', storageType: 'gp3' as const, allocatedStorageGiB: 400, iops: 12000 };

function errors(spec: ReplicaSetDBSpecInput): string[] {
  const parsed = specSchema.safeParse(spec);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('settings in the spec', () => {
  it('accepts gp3 throughput with iops of at least four times its value', () => {
    expect(errors({ ...base, primary: { ...gp3, storageThroughput: 3000 } })).toEqual([]);
  });

  it.each([
    ['without iops', { ...gp3, iops: undefined, allocatedStorageGiB: 100 }],
    ['on gp2', { ...gp3, storageType: 'gp2' as const, iops: undefined }],
    ['above iops / 4', { ...gp3, storageThroughput: 3001 }],
  ])('refuses throughput %s', (_, primary: NonNullable<ReplicaSetDBSpecInput['primary']>) => {
    expect(errors({ ...base, primary: { ...primary, storageThroughput: primary.storageThroughput ?? 1000 } })).toEqual([
      expect.stringContaining('primary.storageThroughput: storageThroughput needs storageType gp3'),
    ]);
  });

  it('takes the Performance Insights retention periods RDS accepts, only with Performance Insights on', () => {
    expect(errors({ ...base, monitoring: { performanceInsights: true, performanceInsightsRetentionDays: 93 } })).toEqual([]);
    expect(errors({ ...base, monitoring: { performanceInsights: true, performanceInsightsRetentionDays: 30 as 31 } })).not.toEqual([]);
    expect(errors({ ...base, monitoring: { performanceInsightsRetentionDays: 7 } })).toEqual([
      expect.stringContaining(
        'monitoring.performanceInsights: performanceInsightsRetentionDays and performanceInsightsKmsKeyId need performanceInsights: true',
      ),
    ]);
  });

  it('takes a port RDS for PostgreSQL accepts', () => {
    expect(errors({ ...base, port: 5433 })).toEqual([]);
    expect(errors({ ...base, port: 80 })).not.toEqual([]);
  });

  it('takes an RDS CA certificate identifier', () => {
    expect(errors({ ...base, caCertificateIdentifier: 'rds-ca-rsa2048-g1' })).toEqual([]);
    expect(errors({ ...base, caCertificateIdentifier: 'my-own-ca' })).toEqual([expect.stringContaining('caCertificateIdentifier: must be an RDS CA')]);
  });
});
