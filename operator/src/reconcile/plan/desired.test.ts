import { describe, expect, it } from 'vitest';
import { parseReplicaSetDB, type ReplicaSetDBSpec } from '../../api/index.js';
import { settingRows } from '../../rds/settings/values.js';
import { resourceNames } from '../resource-names.js';
import { aReplicaSetDB, BASE, NAME, NAMESPACE, UID } from '../testing/fixtures.js';
import { desiredPrimary } from './desired.js';

function parsedSpec(): ReplicaSetDBSpec {
  const result = parseReplicaSetDB(
    aReplicaSetDB()
      .withSpec({ primary: { multiAZ: true }, backup: { retentionDays: 14 } })
      .build(),
  );
  if (!result.ok) throw new Error(result.message);
  return result.value.spec;
}

const names = (spec: ReplicaSetDBSpec) => resourceNames({ namespace: NAMESPACE, name: NAME }, UID, spec, BASE);

describe('the primary blueprint', () => {
  it('carries every setting a row requires at creation, with the spec value', () => {
    const spec = parsedSpec();
    const blueprint = desiredPrimary(spec, names(spec));
    expect(blueprint).toMatchObject({
      engine: 'postgres',
      engineVersion: spec.engineVersion,
      databaseName: spec.databaseName,
      masterUsername: spec.masterUsername,
      storageEncrypted: spec.storageEncrypted,
      multiAZ: true,
      backupRetentionDays: 14,
    });
    const required = settingRows().filter((r) => r.requiredAtCreate?.includes('primary'));
    expect(required.map((r) => r.key).sort()).toEqual([
      'backupRetentionDays',
      'databaseName',
      'engineVersion',
      'masterUsername',
      'multiAZ',
      'storageEncrypted',
    ]);
  });

  it('refuses a spec without a required setting rather than leave it to an RDS default', () => {
    const spec = parsedSpec();
    const broken = { ...spec, backup: { ...spec.backup, retentionDays: undefined } } as unknown as ReplicaSetDBSpec;
    expect(() => desiredPrimary(broken, names(spec))).toThrow('a valid spec always sets backup.retentionDays');
  });
});
