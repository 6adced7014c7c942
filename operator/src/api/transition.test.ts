import { describe, expect, it } from 'vitest';
import { parseReplicaSetDB } from './replicasetdb.js';
import type { ReplicaSetDBSpec } from './spec.js';
import { transitionRules, validateSpecTransition } from './transition.js';

function aSpec(spec: Record<string, unknown> = {}): ReplicaSetDBSpec {
  const result = parseReplicaSetDB({
    apiVersion: 'db.servio.io/v1alpha1',
    kind: 'ReplicaSetDB',
    metadata: { name: 'db' },
    spec: {
      engineVersion: '15.4',
      databaseName: 'app',
      masterUsername: 'app',
      kmsKeyId: 'alias/app',
      primary: { instanceClass: 'db.r6g.large', allocatedStorageGiB: 100 },
      ...spec,
    },
  });
  if (!result.ok) throw new Error(result.message);
  return result.value.spec;
}

describe('validateSpecTransition', () => {
  const previous = aSpec();

  it('allows an unchanged spec', () => {
    expect(validateSpecTransition(previous, aSpec())).toEqual([]);
  });

  it('allows the changes RDS can make in place', () => {
    const next = aSpec({
      engineVersion: '16.2',
      primary: { instanceClass: 'db.r6g.xlarge', allocatedStorageGiB: 101, storageType: 'io1', iops: 3000, multiAZ: true },
      replicas: { count: 5, instanceClass: 'db.r6g.2xlarge' },
      backup: { retentionDays: 30 },
      parameters: { work_mem: '8MB' },
      deletionPolicy: 'Retain',
    });
    expect(validateSpecTransition(previous, next)).toEqual([]);
  });

  it.each([
    ['databaseName', { databaseName: 'other' }],
    ['masterUsername', { masterUsername: 'admin' }],
    ['kmsKeyId', { kmsKeyId: 'alias/other' }],
    ['kmsKeyId', { kmsKeyId: '' }],
  ])('refuses to change %s', (field, change) => {
    expect(validateSpecTransition(previous, aSpec(change))).toEqual([
      { path: `spec.${field}`, message: expect.stringContaining(`${field} cannot be changed`) },
    ]);
  });

  it('refuses to turn encryption off or on', () => {
    const plain = aSpec({ kmsKeyId: '', storageEncrypted: false });
    const encrypted = aSpec({ kmsKeyId: '' });
    expect(validateSpecTransition(encrypted, plain).map((e) => e.path)).toEqual(['spec.storageEncrypted']);
    expect(validateSpecTransition(plain, encrypted).map((e) => e.path)).toEqual(['spec.storageEncrypted']);
  });

  it('refuses another engine', () => {
    // Only postgres parses today; the rule exists for when the enum grows.
    const next = { ...previous, engine: 'mysql' } as unknown as ReplicaSetDBSpec;
    expect(validateSpecTransition(previous, next).map((e) => e.path)).toEqual(['spec.engine']);
  });

  it('lets storage grow or stay, never shrink', () => {
    const withStorage = (gib: number) => aSpec({ primary: { instanceClass: 'db.r6g.large', allocatedStorageGiB: gib } });
    expect(validateSpecTransition(previous, withStorage(100))).toEqual([]);
    expect(validateSpecTransition(previous, withStorage(65536))).toEqual([]);
    expect(validateSpecTransition(previous, withStorage(99))).toEqual([
      { path: 'spec.primary.allocatedStorageGiB', message: expect.stringContaining('cannot decrease') },
    ]);
  });

  it('reports every broken rule', () => {
    const next = aSpec({ databaseName: 'x', masterUsername: 'y', primary: { instanceClass: 'db.t4g.micro', allocatedStorageGiB: 20 } });
    expect(validateSpecTransition(previous, next).map((e) => e.path)).toEqual(['spec.databaseName', 'spec.masterUsername', 'spec.primary.allocatedStorageGiB']);
  });

  it('covers every field the API says cannot change', () => {
    expect(transitionRules.map((r) => r.path.join('.'))).toEqual([
      'engine',
      'databaseName',
      'masterUsername',
      'storageEncrypted',
      'kmsKeyId',
      'primary.allocatedStorageGiB',
    ]);
  });
});
