// The RDS constraints the spec checks at the edges: what RDS accepts passes, one step past it is refused and
// names its field. The same rules run as CEL in the API server (test/integration/crd-admission.int.test.ts).
import { describe, expect, it } from 'vitest';
import { API_VERSION, KIND, parseReplicaSetDB } from './replicasetdb.js';
import { backupSpan, maintenanceSpan, windowsOverlap } from './windows.js';

type Json = Record<string, unknown>;
const minimal: Json = { engineVersion: '16', databaseName: 'app', primary: { instanceClass: 'db.t4g.micro' } };

function errorPaths(spec: Json): string[] {
  const result = parseReplicaSetDB({ apiVersion: API_VERSION, kind: KIND, metadata: { name: 'db', namespace: 'ns' }, spec: { ...minimal, ...spec } });
  return result.ok ? [] : [...new Set(result.errors.map((e) => e.path))];
}

const primary = (fields: Json): Json => ({ primary: { instanceClass: 'db.t4g.micro', ...fields } });

describe('names RDS refuses', () => {
  it.each(['user', 'USER', 'Select', 'table', 'rdsadmin', 'RdsAdmin'])('master user %s is refused', (name) => {
    expect(errorPaths({ masterUsername: name })).toEqual(['spec.masterUsername']);
  });
  it.each(['order', 'grant', 'rdsadmin'])('database %s is refused', (name) => {
    expect(errorPaths({ databaseName: name })).toEqual(['spec.databaseName']);
  });
  it.each(['postgres', 'app_user', 'users', 'selection', 'admin'])('%s is accepted as either', (name) => {
    expect(errorPaths({ masterUsername: name, databaseName: name })).toEqual([]);
  });
});

describe('engine versions RDS creates', () => {
  it.each(['11', '11.22', '16', '17.2'])('%s is accepted', (engineVersion) => {
    expect(errorPaths({ engineVersion })).toEqual([]);
  });
  it.each(['10', '10.21', '9.6.24'])('%s is refused', (engineVersion) => {
    expect(errorPaths({ engineVersion })).toEqual(['spec.engineVersion']);
  });
});

describe('storage by type', () => {
  it('io1 and io2 start at 100 GiB', () => {
    expect(errorPaths(primary({ storageType: 'io1', iops: 1000, allocatedStorageGiB: 100 }))).toEqual([]);
    expect(errorPaths(primary({ storageType: 'io2', iops: 1000, allocatedStorageGiB: 99 }))).toEqual(['spec.primary.allocatedStorageGiB']);
  });
  it('io1 allows 50 IOPS per GiB, io2 1000', () => {
    expect(errorPaths(primary({ storageType: 'io1', allocatedStorageGiB: 100, iops: 5000 }))).toEqual([]);
    expect(errorPaths(primary({ storageType: 'io1', allocatedStorageGiB: 100, iops: 5001 }))).toEqual(['spec.primary.iops']);
    expect(errorPaths(primary({ storageType: 'io2', allocatedStorageGiB: 100, iops: 100000 }))).toEqual([]);
    expect(errorPaths(primary({ storageType: 'io2', allocatedStorageGiB: 100, iops: 100001 }))).toEqual(['spec.primary.iops']);
  });
  it('gp3 takes iops from 400 GiB, 12000 to 64000', () => {
    expect(errorPaths(primary({ storageType: 'gp3', allocatedStorageGiB: 399, iops: 12000 }))).toEqual(['spec.primary.iops']);
    expect(errorPaths(primary({ storageType: 'gp3', allocatedStorageGiB: 400, iops: 12000 }))).toEqual([]);
    expect(errorPaths(primary({ storageType: 'gp3', allocatedStorageGiB: 400, iops: 64000 }))).toEqual([]);
    expect(errorPaths(primary({ storageType: 'gp3', allocatedStorageGiB: 400, iops: 11999 }))).toEqual(['spec.primary.iops']);
    expect(errorPaths(primary({ storageType: 'gp3', allocatedStorageGiB: 400, iops: 64001 }))).toEqual(['spec.primary.iops']);
    expect(errorPaths(primary({ storageType: 'gp3', allocatedStorageGiB: 20 }))).toEqual([]);
  });
});

describe('windows', () => {
  it('are at least 30 minutes, also across midnight and across the week', () => {
    expect(errorPaths({ backup: { window: '23:45-00:15' } })).toEqual([]);
    expect(errorPaths({ backup: { window: '23:45-00:14' } })).toEqual(['spec.backup.window']);
    expect(errorPaths({ backup: { window: '02:00-02:00' } })).toEqual(['spec.backup.window']);
    expect(errorPaths({ maintenanceWindow: 'Sun:23:50-Mon:00:20' })).toEqual([]);
    expect(errorPaths({ maintenanceWindow: 'sun:23:50-mon:00:19' })).toEqual(['spec.maintenanceWindow']);
  });
  it('may touch but not overlap, on any day of the week', () => {
    const both = (window: string, maintenanceWindow: string) => errorPaths({ backup: { window }, maintenanceWindow });
    expect(both('02:00-03:00', 'Mon:03:00-Mon:04:00')).toEqual([]);
    expect(both('02:00-03:00', 'Mon:01:00-Mon:02:00')).toEqual([]);
    expect(both('02:00-03:00', 'Sat:02:59-Sat:04:00')).toEqual(['spec.maintenanceWindow']);
    expect(both('23:30-00:30', 'Wed:00:00-Wed:01:00')).toEqual(['spec.maintenanceWindow']);
    expect(both('12:00-13:00', 'Sun:23:00-Mon:00:30')).toEqual([]);
    expect(both('00:00-00:30', 'Sun:23:00-Mon:00:30')).toEqual(['spec.maintenanceWindow']);
  });
  it('spans: a maintenance window longer than a day covers every backup window in it', () => {
    expect(windowsOverlap(backupSpan('10:00-10:30'), maintenanceSpan('Mon:12:00-Tue:11:00'))).toBe(true);
    expect(maintenanceSpan('Tue:00:00-Mon:00:00')?.length).toBe(6 * 24 * 60);
  });
});

describe('tags and parameter names', () => {
  it('tag keys are 1 to 128 characters, values up to 256, in the characters AWS allows', () => {
    expect(errorPaths({ tags: { ['k'.repeat(128)]: 'v'.repeat(256) } })).toEqual([]);
    expect(errorPaths({ tags: { ['k'.repeat(129)]: 'v' } })).toEqual(['spec.tags']);
    expect(errorPaths({ tags: { '': 'v' } })).toEqual(['spec.tags']);
    expect(errorPaths({ tags: { 'Équipe / coût:1 = a+b@c_d.e-f': 'Zürich 東京 ١٢' } })).toEqual([]);
    expect(errorPaths({ tags: { team: 'a,b' } })).toEqual(['spec.tags.team']);
    expect(errorPaths({ tags: { 'a*b': 'c' } })).toEqual(['spec.tags']);
  });
  it('parameter names are PostgreSQL names', () => {
    expect(errorPaths({ parameters: { 'rds.force_ssl': '1', TimeZone: 'UTC', 'pg_stat_statements.track': 'all' } })).toEqual([]);
    expect(errorPaths({ parameters: { '1st': 'x' } })).toEqual(['spec.parameters']);
    expect(errorPaths({ parameters: { 'work-mem': '4MB' } })).toEqual(['spec.parameters']);
  });
});
