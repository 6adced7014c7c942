import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { API_VERSION, KIND, parseReplicaSetDB, type ReplicaSetDB } from './replicasetdb.js';
import { ENHANCED_MONITORING_INTERVALS } from './spec.js';

type Json = Record<string, unknown>;

const minimalSpec: Json = { engineVersion: '16', databaseName: 'app', primary: { instanceClass: 'db.t4g.micro' } };

function anObject(spec: Json): Json {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'db', namespace: 'ns' }, spec };
}

/** minimalSpec with `value` at `path` (dot-separated), creating the objects on the way. */
function specWith(path: string, value: unknown, base: Json = minimalSpec): Json {
  const spec = structuredClone(base);
  const keys = path.split('.');
  let node = spec;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Json;
  }
  node[keys.at(-1) as string] = value;
  return spec;
}

function parsed(spec: Json): ReplicaSetDB {
  const result = parseReplicaSetDB(anObject(spec));
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

/** The fields named by the errors for `spec` (a field breaking a range and a rule is named once); [] when valid. */
function errorPaths(spec: Json): string[] {
  const result = parseReplicaSetDB(anObject(spec));
  return result.ok ? [] : [...new Set(result.errors.map((e) => e.path))];
}

/** Each valid value passes; each invalid one is refused at spec.<path> and nowhere else. */
function expectOnlyInvalidRefused(path: string, valid: readonly unknown[], invalid: readonly unknown[]): void {
  for (const value of valid) expect(errorPaths(specWith(path, value)), String(value)).toEqual([]);
  for (const value of invalid) expect(errorPaths(specWith(path, value)), String(value)).toEqual([`spec.${path}`]);
}

/** The paths refused for each value at `path`. */
function expectErrorPaths(path: string, cases: ReadonlyArray<readonly [value: unknown, paths: string[]]>): void {
  for (const [value, paths] of cases) expect(errorPaths(specWith(path, value))).toEqual(paths);
}

describe('defaults', () => {
  it('fills every omitted field the way the API server does', () => {
    expect(parsed(minimalSpec).spec).toEqual({
      engine: 'postgres',
      engineVersion: '16',
      databaseName: 'app',
      masterUsername: 'postgres',
      credentials: { secretName: '' },
      primary: { instanceClass: 'db.t4g.micro', allocatedStorageGiB: 20, storageType: 'gp3', multiAZ: false },
      replicas: { count: 1 },
      storageEncrypted: true,
      kmsKeyId: '',
      backup: { retentionDays: 7 },
      network: { securityGroupIds: [], publiclyAccessible: false },
      monitoring: { performanceInsights: false, enhancedMonitoringIntervalSeconds: 0, logExports: [] },
      parameters: {},
      deletionPolicy: 'Snapshot',
      deletionProtection: false,
      iamDatabaseAuthentication: false,
      applyImmediately: false,
      tags: {},
      routing: { maxReplicaLagSeconds: 1, readYourWrites: 'lsn', drainSeconds: 150, drainConnectionFloor: 0, drainQuietSeconds: 120 },
      endpoints: { configMapName: '', tlsMode: 'verify-full' },
    });
  });

  it('fills the omitted fields of a block that is partly given', () => {
    const spec = parsed(specWith('routing', { drainSeconds: 5 })).spec;
    expect(spec.routing).toEqual({ maxReplicaLagSeconds: 1, readYourWrites: 'lsn', drainSeconds: 5, drainConnectionFloor: 0, drainQuietSeconds: 120 });
    expect(parsed(specWith('replicas', { instanceClass: 'db.r6g.large' })).spec.replicas).toEqual({
      count: 1,
      instanceClass: 'db.r6g.large',
    });
  });

  it('keeps explicit values that equal the zero value', () => {
    const spec = parsed(specWith('replicas.count', 0)).spec;
    expect(spec.replicas.count).toBe(0);
    expect(parsed(specWith('storageEncrypted', false)).spec.storageEncrypted).toBe(false);
  });
});

describe('the examples', () => {
  const load = (file: string): unknown => parseYaml(readFileSync(new URL(`../../../examples/${file}`, import.meta.url), 'utf8'));

  it('servio.yaml carries the Servio production settings in full', () => {
    const result = parseReplicaSetDB(load('servio.yaml'));
    if (!result.ok) throw new Error(result.message);
    const { spec } = result.value;
    expect(spec.primary).toEqual({
      instanceClass: 'db.r6g.xlarge',
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      storageType: 'gp3',
      multiAZ: true,
    });
    expect(spec.replicas).toEqual({ count: 2, instanceClass: 'db.r6g.large' });
    expect(spec.storageEncrypted).toBe(true);
    expect(spec.backup).toEqual({ retentionDays: 30, window: '02:00-03:00' });
    expect(spec.maintenanceWindow).toBe('Mon:03:00-Mon:04:00');
    expect(spec.monitoring).toMatchObject({
      performanceInsights: true,
      enhancedMonitoringIntervalSeconds: 60,
      logExports: ['postgresql', 'upgrade'],
    });
    expect(spec.monitoring.monitoringRoleArn).toMatch(/^arn:aws:iam::/);
    expect(spec.parameters).toEqual({
      max_connections: '200',
      shared_buffers: '256MB',
      effective_cache_size: '1GB',
      maintenance_work_mem: '64MB',
      checkpoint_completion_target: '0.9',
      wal_buffers: '16MB',
      default_statistics_target: '100',
      random_page_cost: '1.1',
      effective_io_concurrency: '200',
      work_mem: '2621kB',
      min_wal_size: '1GB',
      max_wal_size: '4GB',
    });
    expect(spec.tags).toEqual({ Environment: 'production' });
  });

  it('minimal.yaml is valid with three spec fields', () => {
    const obj = load('minimal.yaml') as { spec: Json };
    expect(Object.keys(obj.spec).sort()).toEqual(['databaseName', 'engineVersion', 'primary']);
    expect(parseReplicaSetDB(obj).ok).toBe(true);
  });
});

describe('ranges: both ends accepted, one past each end rejected', () => {
  // retentionDays 0 needs replicas.count 0 (a cross-field rule tested below), and iops needs a provisioned type.
  const noReplicas = specWith('replicas.count', 0);
  // 10000 GiB: room for 256000 IOPS within io1's 50 per GiB.
  const io1 = specWith('primary.storageType', 'io1', specWith('primary.iops', 1000, specWith('primary.allocatedStorageGiB', 10000)));
  it.each([
    ['replicas.count', 0, 15, minimalSpec],
    ['primary.allocatedStorageGiB', 20, 65536, minimalSpec],
    // The lower end is 10 % above the default allocatedStorageGiB of 20.
    ['primary.maxAllocatedStorageGiB', 22, 65536, minimalSpec],
    ['primary.iops', 1000, 256000, io1],
    ['backup.retentionDays', 0, 35, noReplicas],
    ['routing.maxReplicaLagSeconds', 0, 3600, minimalSpec],
    ['routing.drainSeconds', 0, 3600, minimalSpec],
    ['routing.drainConnectionFloor', 0, 100000, minimalSpec],
    ['routing.drainQuietSeconds', 120, 600, minimalSpec],
  ] as const)('%s: %d..%d', (path, min, max, base) => {
    expect(errorPaths(specWith(path, min, base))).toEqual([]);
    expect(errorPaths(specWith(path, max, base))).toEqual([]);
    expect(errorPaths(specWith(path, min - 1, base))).toEqual([`spec.${path}`]);
    expect(errorPaths(specWith(path, max + 1, base))).toEqual([`spec.${path}`]);
  });

  it.each(['replicas.count', 'primary.allocatedStorageGiB', 'backup.retentionDays', 'routing.drainSeconds'])('%s must be a whole number', (path) => {
    expect(errorPaths(specWith(path, 21.5))).toEqual([`spec.${path}`]);
  });

  it('routing.maxReplicaLagSeconds may be fractional', () => {
    expect(parsed(specWith('routing.maxReplicaLagSeconds', 0.25)).spec.routing.maxReplicaLagSeconds).toBe(0.25);
  });

  const withRole = specWith('monitoring.monitoringRoleArn', 'arn:aws:iam::123456789012:role/rds-monitoring');
  it.each(ENHANCED_MONITORING_INTERVALS)('enhanced monitoring interval %d is accepted', (seconds) => {
    expect(errorPaths(specWith('monitoring.enhancedMonitoringIntervalSeconds', seconds, withRole))).toEqual([]);
  });
  it.each([2, 20, 120, -1])('enhanced monitoring interval %d is rejected', (seconds) => {
    expect(errorPaths(specWith('monitoring.enhancedMonitoringIntervalSeconds', seconds, withRole))).toEqual([
      'spec.monitoring.enhancedMonitoringIntervalSeconds',
    ]);
  });
});

describe('patterns', () => {
  const cases: [path: string, valid: string[], invalid: string[]][] = [
    [
      'primary.instanceClass',
      ['db.r6g.xlarge', 'db.t4g.micro', 'db.m6id.24xlarge', 'db.r5b.8xlarge.tpc2.mem3x'],
      ['r6g.xlarge', 'db.r6g', 'db.', 'DB.r6g.large', 'db.r6g.large ', 'db..large'],
    ],
    ['replicas.instanceClass', ['db.r6g.large'], ['m5.large', 'db.m5']],
    ['engineVersion', ['15.4', '16', '13.10.1'], ['fifteen', '15.', 'v15', '']],
    ['databaseName', ['app', 'App_1', `a${'b'.repeat(62)}`], ['1app', '_app', 'my-app', '', `a${'b'.repeat(63)}`]],
    ['masterUsername', ['servio', 'admin_user'], ['9lives', 'user name']],
    ['backup.window', ['02:00-03:00', '23:30-00:30', '00:00-23:59'], ['2:00-03:00', '24:00-01:00', '02:60-03:00', '02:00']],
    [
      'maintenanceWindow',
      ['Mon:03:00-Mon:04:00', 'sun:23:30-mon:00:30', 'Sat:00:00-Sat:00:30'],
      ['Monday:03:00-Mon:04:00', 'Mon:3:00-Mon:04:00', 'Mon:03:00-04:00', 'MON:03:00-MON:04:00', 'Xyz:03:00-Mon:04:00'],
    ],
    [
      'monitoring.monitoringRoleArn',
      ['arn:aws:iam::123456789012:role/servio-rds-monitoring', 'arn:aws-us-gov:iam::123456789012:role/path/to/role', 'arn:aws-cn:iam::123456789012:role/r'],
      ['arn:aws:iam::1234:role/x', 'arn:aws:iam::123456789012:user/x', 'servio-rds-monitoring', 'arn:aws:iam::123456789012:role/'],
    ],
    [
      'kmsKeyId',
      [
        '',
        '1234abcd-12ab-34cd-56ef-1234567890ab',
        'mrk-1234abcd12ab34cd56ef1234567890ab',
        'alias/servio',
        'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        'arn:aws:kms:eu-west-1:123456789012:alias/servio',
        'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      ],
      ['my-key', 'alias/', 'arn:aws:kms:us-east-1:123456789012:key/not-a-uuid', '1234ABCD-12AB-34CD-56EF-1234567890AB'],
    ],
    ['network.subnetGroupName', ['servio-subnet-group', 'default', 'My subnets_1.0'], ['', 'bad/name', 'ä']],
    ['credentials.secretName', ['', 'servio-db-credentials', 'a.b'], ['Servio', '-x', 'a_b']],
    ['endpoints.configMapName', ['', 'servio-endpoints'], ['Bad_Name', 'x-']],
  ];
  it.each(cases)('%s', expectOnlyInvalidRefused);

  it('security group ids are sg- and 8 or 17 hex digits, each listed once', () => {
    expectErrorPaths('network.securityGroupIds', [
      [['sg-0123abcd', 'sg-0123456789abcdef0'], []],
      [['sg-0123abcd', 'sg-12345'], ['spec.network.securityGroupIds[1]']],
      [['sg-0123456789ABCDEF0'], ['spec.network.securityGroupIds[0]']],
      [['sg-0123abcd', 'sg-0123abcd'], ['spec.network.securityGroupIds[1]']],
      ['sg-0123abcd', ['spec.network.securityGroupIds']],
    ]);
  });
});

describe('enums', () => {
  it.each([
    ['engine', ['postgres'], ['mysql', 'aurora-postgresql']],
    ['primary.storageType', ['gp2', 'gp3'], ['gp4', 'standard', 'GP3']],
    ['deletionPolicy', ['Snapshot', 'Delete', 'Retain'], ['Orphan', 'snapshot']],
    ['routing.readYourWrites', ['lsn', 'none'], ['strong', '']],
  ] as const)('%s', expectOnlyInvalidRefused);

  it('logExports are postgresql and upgrade, each once', () => {
    expectErrorPaths('monitoring.logExports', [
      [['upgrade', 'postgresql'], []],
      [['postgresql', 'slowquery'], ['spec.monitoring.logExports[1]']],
      [['postgresql', 'postgresql'], ['spec.monitoring.logExports[1]']],
    ]);
  });
});

describe('maps', () => {
  it('parameter values are strings', () => {
    expect(errorPaths(specWith('parameters', { max_connections: '200' }))).toEqual([]);
    expect(errorPaths(specWith('parameters', { checkpoint_completion_target: 0.9 }))).toEqual(['spec.parameters.checkpoint_completion_target']);
    expect(errorPaths(specWith('parameters', { work_mem: '' }))).toEqual(['spec.parameters.work_mem']);
  });

  it('tags are at most 45: RDS allows 50 per resource and the operator sets 5', () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(errorPaths(specWith('tags', tags(45)))).toEqual([]);
    expect(errorPaths(specWith('tags', tags(46)))).toEqual(['spec.tags']);
  });
});

describe('cross-field rules (mirrored by CEL in the CRD)', () => {
  it('maxAllocatedStorageGiB is at least 10 % above allocatedStorageGiB', () => {
    const base = specWith('primary.allocatedStorageGiB', 100);
    expect(errorPaths(specWith('primary.maxAllocatedStorageGiB', 110, base))).toEqual([]);
    expect(errorPaths(specWith('primary.maxAllocatedStorageGiB', 109, base))).toEqual(['spec.primary.maxAllocatedStorageGiB']);
    expect(errorPaths(specWith('primary.maxAllocatedStorageGiB', 100, base))).toEqual(['spec.primary.maxAllocatedStorageGiB']);
  });

  it('enhanced monitoring needs a role ARN', () => {
    expect(errorPaths(specWith('monitoring.enhancedMonitoringIntervalSeconds', 60))).toEqual(['spec.monitoring.monitoringRoleArn']);
    expect(errorPaths(specWith('monitoring.enhancedMonitoringIntervalSeconds', 0))).toEqual([]);
  });

  it('iops goes with io1 and io2, never with gp2', () => {
    expect(errorPaths(specWith('primary.storageType', 'io2', specWith('primary.allocatedStorageGiB', 100)))).toEqual(['spec.primary.iops']);
    const gp2 = specWith('primary.storageType', 'gp2');
    expect(errorPaths(specWith('primary.iops', 3000, gp2))).toEqual(['spec.primary.iops']);
  });

  it('a KMS key needs storage encryption', () => {
    const withKey = specWith('kmsKeyId', 'alias/app');
    expect(errorPaths(withKey)).toEqual([]);
    expect(errorPaths(specWith('storageEncrypted', false, withKey))).toEqual(['spec.kmsKeyId']);
    expect(errorPaths(specWith('storageEncrypted', false))).toEqual([]);
  });

  it('read replicas need automated backups', () => {
    expect(errorPaths(specWith('backup.retentionDays', 0))).toEqual(['spec.backup.retentionDays']);
    expect(errorPaths(specWith('backup.retentionDays', 1))).toEqual([]);
  });
});

describe('parseReplicaSetDB', () => {
  it('names the object, the field and the problem', () => {
    const result = parseReplicaSetDB(anObject(specWith('replicas.count', 16)));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([{ path: 'spec.replicas.count', message: expect.stringContaining('15') }]);
    expect(result.message).toMatch(/^invalid ReplicaSetDB ns\/db: spec\.replicas\.count: /);
  });

  it('reports every problem at once', () => {
    const spec = specWith('replicas.count', 16, specWith('primary.storageType', 'gp4'));
    expect(errorPaths(spec).sort()).toEqual(['spec.primary.storageType', 'spec.replicas.count']);
  });

  it('rejects other kinds and versions', () => {
    const obj = anObject(minimalSpec);
    expect(parseReplicaSetDB({ ...obj, apiVersion: 'db.servio.io/v1' }).ok).toBe(false);
    expect(parseReplicaSetDB({ ...obj, kind: 'Database' }).ok).toBe(false);
    expect(parseReplicaSetDB({ ...obj, spec: undefined }).ok).toBe(false);
    expect(parseReplicaSetDB('not an object').ok).toBe(false);
  });

  it('requires engineVersion, databaseName and primary.instanceClass', () => {
    expect(errorPaths({ primary: {} })).toEqual(['spec.engineVersion', 'spec.databaseName', 'spec.primary.instanceClass']);
  });

  it('keeps the metadata it does not model, and parses a status', () => {
    const obj = {
      ...anObject(minimalSpec),
      metadata: { name: 'db', namespace: 'ns', generation: 3, managedFields: [{ manager: 'kubectl' }] },
      status: {
        phase: 'Ready',
        observedGeneration: 3,
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-02T03:04:05Z', reason: 'AllAvailable', message: '' }],
        primary: { identifier: 'db', role: 'primary', endpoint: { host: 'db.example', port: 5432 } },
        replicas: [{ identifier: 'db-r1', role: 'replica', lagSeconds: 0.4, drainingSince: '2025-01-02T03:04:05.123+01:00' }],
        endpoints: { configMapName: 'db-endpoints', secretName: 'db-credentials', topologyRevision: 7 },
        pendingChanges: ['primary.instanceClass'],
      },
    };
    const result = parseReplicaSetDB(obj);
    if (!result.ok) throw new Error(result.message);
    expect(result.value.metadata.managedFields).toEqual([{ manager: 'kubectl' }]);
    expect(result.value.status?.replicas?.[0]?.lagSeconds).toBe(0.4);
  });

  it('rejects a status the API server would reject', () => {
    const withStatus = (status: Json) => parseReplicaSetDB({ ...anObject(minimalSpec), status });
    const ready = { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-02T03:04:05Z', reason: 'Ok', message: '' };
    const paths = (status: Json) => {
      const r = withStatus(status);
      return r.ok ? [] : r.errors.map((e) => e.path);
    };
    expect(paths({ phase: 'Running' })).toEqual(['status.phase']);
    expect(paths({ conditions: [ready, ready] })).toEqual(['status.conditions[1]']);
    expect(paths({ conditions: [{ ...ready, lastTransitionTime: 'yesterday' }] })).toEqual(['status.conditions[0].lastTransitionTime']);
    expect(paths({ conditions: [{ ...ready, reason: 'not ok' }] })).toEqual(['status.conditions[0].reason']);
    expect(paths({ replicas: [{ identifier: 'x', role: 'replica', lagSeconds: -2 }] })).toEqual(['status.replicas[0].lagSeconds']);
    // -1 is RDS's ReplicaLag for replication that is not running.
    expect(paths({ replicas: [{ identifier: 'x', role: 'replica', lagSeconds: -1 }] })).toEqual([]);
    expect(paths({ baseIdentifier: 'prod-servio-1a2b3c4d' })).toEqual([]);
    for (const bad of ['Prod-servio', 'prod--servio', 'prod-servio-', '1prod', 'x'.repeat(59)]) {
      expect(paths({ baseIdentifier: bad }), bad).toEqual(['status.baseIdentifier']);
    }
  });
});
