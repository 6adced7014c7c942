// The desired state of a ReplicaSetDB. Descriptions are the user documentation (`kubectl explain rsdb.spec`);
// defaults are part of the API: the API server applies them at admission and zod applies the same ones at parse,
// so the operator never needs a second, hand-written default. `prefault({})` (not `default({})`) on the nested
// objects makes zod run the inner defaults when a whole block is omitted, which is what the API server does.
import { z } from 'zod';
import { withCelRules } from './cel.js';
import { patterns } from './patterns.js';
import { MAX_TAG_VALUE_LENGTH, MAX_USER_TAGS, parameterNameRules, tagKeyRules } from './key-rules.js';
import { REFUSED_NAME_CEL, isRefusedName } from './reserved-words.js';
import { engineVersionRules } from './engine-version-rule.js';
import { storageRules } from './storage-rules.js';
import {
  BACKUP_WINDOW_LENGTH_CEL,
  MAINTENANCE_WINDOW_LENGTH_CEL,
  backupSpan,
  isLongEnough,
  maintenanceSpan,
  windowsDisjointCel,
  windowsOverlap,
} from './windows.js';

export const MAX_REPLICAS = 15;
export const MIN_STORAGE_GIB = 20;
export const MAX_STORAGE_GIB = 65536;
export const ENHANCED_MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;
/** 7 days (free), or whole months of 31 days up to 23 months: the retention periods RDS accepts. */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS = [7, ...Array.from({ length: 23 }, (_, i) => 31 * (i + 1))] as const;

const instanceClass = z.string().max(64).regex(patterns.instanceClass, 'must be an RDS DB instance class such as db.r6g.large');

// JSON Schema's maxProperties has no zod counterpart, so the check is written for zod and declared for the CRD.
function boundedRecord<V extends z.ZodType>(value: V, maxProperties: number) {
  return z
    .record(z.string(), value)
    .refine((map) => Object.keys(map).length <= maxProperties, `must not have more than ${maxProperties} entries`)
    .meta({ maxProperties });
}

// What x-kubernetes-list-type: set makes the API server do, naming the repeated item as it does.
function rejectDuplicates(items: readonly string[], ctx: z.RefinementCtx): void {
  items.forEach((item, i) => {
    if (items.indexOf(item) !== i) ctx.addIssue({ code: 'custom', message: `duplicate value ${item}`, path: [i] });
  });
}

/** A UTC time range in RDS's format, at least 30 minutes long. */
function timeWindow(maxLength: number, format: RegExp, formatMessage: string, lengthCel: string, span: typeof backupSpan) {
  return withCelRules(z.string().max(maxLength).regex(format, formatMessage), [
    { rule: lengthCel, message: 'must be at least 30 minutes long', holds: (w) => isLongEnough(span(w)) },
  ]);
}

/** A Secret or ConfigMap name in the object's namespace; empty: a name derived from metadata.name. */
function objectNameOrEmpty() {
  return z.string().max(253).regex(patterns.optionalObjectName, 'must be a DNS-1123 subdomain or empty').default('');
}

const storageGiB = z.int().min(MIN_STORAGE_GIB).max(MAX_STORAGE_GIB);

/** The master user and the database: the format RDS accepts, and none of the words it refuses. */
const postgresName = withCelRules(
  z.string().max(63).regex(patterns.postgresIdentifier, 'must be 1 to 63 letters, digits or underscores, starting with a letter'),
  [
    {
      rule: REFUSED_NAME_CEL,
      message: 'must not be a PostgreSQL reserved word (such as user, select, table) or rdsadmin, which RDS refuses',
      holds: (name) => !isRefusedName(name),
    },
  ],
);

const primarySchema = withCelRules(
  z.object({
    instanceClass: instanceClass.describe(
      'RDS DB instance class of the primary, e.g. db.r6g.xlarge. A change is applied in the next maintenance ' +
        'window, or at once with applyImmediately; either way the primary restarts.',
    ),
    allocatedStorageGiB: storageGiB
      .default(MIN_STORAGE_GIB)
      .describe(
        `Storage of the primary in GiB, ${MIN_STORAGE_GIB} to ${MAX_STORAGE_GIB}. It can only grow (RDS cannot shrink ` +
          'a volume), and after a change RDS accepts the next storage change only about six hours later.',
      ),
    maxAllocatedStorageGiB: storageGiB
      .optional()
      .describe(
        'Upper limit in GiB up to which RDS grows the storage by itself when it runs low (storage autoscaling). ' +
          'Must be at least 10 % above allocatedStorageGiB. Leave unset to turn autoscaling off.',
      ),
    storageType: z
      .enum(['gp2', 'gp3', 'io1', 'io2'])
      .default('gp3')
      .describe(
        'EBS volume type: gp3 (general purpose, IOPS independent of size), gp2 (general purpose, IOPS grow ' +
          'with size), io1 or io2 (provisioned IOPS; set iops).',
      ),
    iops: z
      .int()
      .min(1000)
      .max(256000)
      .optional()
      .describe(
        'Provisioned IOPS, 1000 to 256000. Required with storageType io1 (at most 50 per GiB) or io2 (at most ' +
          '1000 per GiB), which need 100 GiB or more; optional with gp3 from 400 GiB (12000 to 64000); not allowed ' +
          'with gp2.',
      ),
    storageThroughput: z
      .int()
      .min(500)
      .max(4000)
      .optional()
      .describe('gp3 storage throughput in MiB/s, 500 to 4000, with iops set (from 400 GiB) and at most iops / 4. Unset: ' + 'the gp3 baseline RDS provides.'),
    multiAZ: z
      .boolean()
      .default(false)
      .describe(
        'Keep a synchronous standby of the primary in a second Availability Zone; RDS fails over to it ' +
          'automatically, and the primary endpoint keeps its name.',
      ),
  }),
  [
    ...storageRules,
    {
      rule: "!(self.storageType in ['io1', 'io2']) || has(self.iops)",
      message: 'iops is required with storageType io1 or io2',
      fieldPath: '.iops',
      holds: (p) => !(p.storageType === 'io1' || p.storageType === 'io2') || p.iops !== undefined,
    },
    {
      rule: "self.storageType != 'gp2' || !has(self.iops)",
      message: 'iops cannot be set with storageType gp2',
      fieldPath: '.iops',
      holds: (p) => p.storageType !== 'gp2' || p.iops === undefined,
    },
    {
      rule: "!has(self.storageThroughput) || (self.storageType == 'gp3' && has(self.iops) && self.storageThroughput * 4 <= self.iops)",
      message: 'storageThroughput needs storageType gp3 and iops of at least 4 times the throughput (RDS allows 0.25 MiB/s per IOPS)',
      fieldPath: '.storageThroughput',
      holds: (p) => p.storageThroughput === undefined || (p.storageType === 'gp3' && p.iops !== undefined && p.storageThroughput * 4 <= p.iops),
    },
  ],
).describe('The writable instance. Every write goes here; the read replicas replicate from it asynchronously.');

const replicasSchema = z
  .object({
    count: z
      .int()
      .min(0)
      .max(MAX_REPLICAS)
      .default(1)
      .describe(
        `Number of read replicas, 0 to ${MAX_REPLICAS} (the RDS limit per source instance). Read replicas need ` +
          'automated backups (backup.retentionDays of 1 or more). When the count goes down, a replica leaves the ' +
          'routing topology routing.drainSeconds before it is deleted.',
      ),
    instanceClass: instanceClass.optional().describe("RDS DB instance class of every read replica, e.g. db.r6g.large. Unset: the primary's instanceClass."),
    multiAZ: z
      .boolean()
      .optional()
      .describe(
        'Give every read replica a synchronous standby in a second Availability Zone (true) or not (false). Unset: ' +
          'replicas are created single-AZ, their availability coming from the other replicas and the primary, and ' +
          'left as they are afterwards.',
      ),
  })
  .describe(
    'Read replicas of the primary (RDS asynchronous replication). The client library sends reads to the ' +
      'replicas whose lag is within routing.maxReplicaLagSeconds.',
  );

const credentialsSchema = z
  .object({
    secretName: objectNameOrEmpty().describe(
      'Secret in this namespace holding the master user: keys username and password. If it does not exist, ' +
        'the operator creates it with a generated password. Empty: <metadata.name>-credentials.',
    ),
  })
  .describe('Where the master password comes from.');

const backupSchema = z
  .object({
    retentionDays: z
      .int()
      .min(0)
      .max(35)
      .default(7)
      .describe(
        'Days RDS keeps automated backups and transaction logs for point-in-time restore, 0 to 35. 0 turns ' +
          'automated backups off, which RDS refuses while the instance has read replicas.',
      ),
    window: timeWindow(11, patterns.backupWindow, 'must be hh24:mi-hh24:mi in UTC, e.g. 02:00-03:00', BACKUP_WINDOW_LENGTH_CEL, backupSpan)
      .optional()
      .describe(
        'Daily UTC time range for automated backups, hh24:mi-hh24:mi (e.g. 02:00-03:00): at least 30 minutes, ' +
          'not overlapping maintenanceWindow. Unset: RDS picks one.',
      ),
  })
  .describe('Automated backups of the primary.');

const networkSchema = z
  .object({
    subnetGroupName: z
      .string()
      .regex(patterns.subnetGroupName, 'must be 1 to 255 letters, digits, spaces, periods, underscores or hyphens')
      .optional()
      .describe(
        'Existing DB subnet group that places the instances in your VPC. Unset: the default VPC. It cannot be ' +
          'changed to a subnet group in a different VPC.',
      ),
    securityGroupIds: z
      .array(z.string().regex(patterns.securityGroupId, 'must be a VPC security group id such as sg-0123456789abcdef0'))
      .max(16)
      .superRefine(rejectDuplicates)
      .default([])
      .meta({ 'x-kubernetes-list-type': 'set' })
      .describe(
        'VPC security groups (sg-...) attached to every instance; they must allow the clients in on the port (5432 unless port says otherwise). ' +
          "Empty: the VPC's default security group.",
      ),
    publiclyAccessible: z
      .boolean()
      .default(false)
      .describe('Give the instances a public DNS name and IP address. Keep false unless clients are outside the VPC.'),
  })
  .describe('Where the instances run and who can reach them.');

const monitoringSchema = withCelRules(
  z.object({
    performanceInsights: z
      .boolean()
      .default(false)
      .describe('Turn on RDS Performance Insights (query load by wait event and SQL statement) on every instance.'),
    performanceInsightsRetentionDays: z
      .literal(PERFORMANCE_INSIGHTS_RETENTION_DAYS)
      .optional()
      .describe('Days Performance Insights keeps its data: 7 (free), or 31 times 1 to 23 months, up to 731. Unset: 7.'),
    performanceInsightsKmsKeyId: z
      .string()
      .max(2048)
      .regex(patterns.kmsKeyId, 'must be a KMS key id, alias, key ARN or alias ARN')
      .optional()
      .describe(
        'KMS key that encrypts the Performance Insights data. Unset: the AWS managed key aws/rds. RDS cannot change ' + 'it once Performance Insights is on.',
      ),
    enhancedMonitoringIntervalSeconds: z
      .literal(ENHANCED_MONITORING_INTERVALS)
      .default(0)
      .describe(
        'Seconds between RDS Enhanced Monitoring (operating-system) metrics: one of 0, 1, 5, 10, 15, 30, 60. 0 ' +
          'turns it off; any other value needs monitoringRoleArn.',
      ),
    monitoringRoleArn: z
      .string()
      .regex(patterns.iamRoleArn, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/rds-monitoring')
      .optional()
      .describe(
        'ARN of the IAM role that lets RDS publish Enhanced Monitoring metrics to CloudWatch Logs (trusts ' +
          'monitoring.rds.amazonaws.com, has the AmazonRDSEnhancedMonitoringRole policy).',
      ),
    logExports: z
      .array(z.enum(['postgresql', 'upgrade']))
      .max(2)
      .superRefine(rejectDuplicates)
      .default([])
      .meta({ 'x-kubernetes-list-type': 'set' })
      .describe('PostgreSQL logs RDS publishes to CloudWatch Logs: postgresql (the server log), upgrade.'),
  }),
  [
    {
      rule: "self.enhancedMonitoringIntervalSeconds == 0 || (has(self.monitoringRoleArn) && self.monitoringRoleArn != '')",
      message: 'monitoringRoleArn is required when enhancedMonitoringIntervalSeconds is greater than 0',
      fieldPath: '.monitoringRoleArn',
      holds: (m) => m.enhancedMonitoringIntervalSeconds === 0 || (m.monitoringRoleArn ?? '') !== '',
    },
    {
      rule: 'self.performanceInsights || (!has(self.performanceInsightsRetentionDays) && !has(self.performanceInsightsKmsKeyId))',
      message: 'performanceInsightsRetentionDays and performanceInsightsKmsKeyId need performanceInsights: true',
      fieldPath: '.performanceInsights',
      holds: (m) => m.performanceInsights || (m.performanceInsightsRetentionDays === undefined && m.performanceInsightsKmsKeyId === undefined),
    },
  ],
).describe('Metrics and logs RDS collects.');

const routingSchema = withCelRules(
  z.object({
    maxReplicaLagSeconds: z
      .number()
      .min(0)
      .max(3600)
      .default(1)
      .describe(
        'A replica further behind the primary than this many seconds gets no reads until it catches up; if no ' + 'replica qualifies, reads go to the primary.',
      ),
    readYourWrites: z
      .enum(['lsn', 'none'])
      .default('lsn')
      .describe(
        "lsn: after a write, the client library sends the same session's reads only to an instance that has " +
          'replayed that write (compares WAL positions), so a session always sees its own writes. none: reads ' +
          'may go to any replica within maxReplicaLagSeconds and can miss a write made just before.',
      ),
    drainSeconds: z
      .int()
      .min(0)
      .max(3600)
      .default(150)
      .describe(
        'Seconds between removing a replica from the routing topology and deleting it at the earliest, so that ' +
          'every pod sees the change and finishes its queries on it. A mounted ConfigMap reaches a pod up to about ' +
          '120 s after a change (kubelet sync period plus its ConfigMap cache TTL, 60 s each by default), so the ' +
          'default is 150. After that the replica is deleted once its connections have stayed quiet (see ' +
          'drainConnectionFloor, drainQuietSeconds), or at maxDrainSeconds.',
      ),
    drainConnectionFloor: z
      .int()
      .min(0)
      .max(100000)
      .default(0)
      .describe(
        'A draining replica counts as quiet while CloudWatch DatabaseConnections stays at or below this many ' +
          'connections (raise it for connections that never leave, such as monitoring agents).',
      ),
    drainQuietSeconds: z
      .int()
      .min(120)
      .max(600)
      .default(120)
      .describe(
        'How long, in seconds, DatabaseConnections (one datapoint a minute) must have stayed at or below ' +
          'drainConnectionFloor before a draining replica is deleted: at least two datapoints.',
      ),
    maxDrainSeconds: z
      .int()
      .min(0)
      .max(86400)
      .optional()
      .describe(
        'Seconds after which a draining replica is deleted even if its connections never went quiet (or ' +
          'CloudWatch has no datapoints for it). Unset: 900, or drainSeconds if that is longer. Must not be ' +
          'shorter than drainSeconds.',
      ),
  }),
  [
    {
      rule: '!has(self.maxDrainSeconds) || self.maxDrainSeconds >= self.drainSeconds',
      message: 'maxDrainSeconds must not be shorter than drainSeconds',
      fieldPath: '.maxDrainSeconds',
      holds: (r) => r.maxDrainSeconds === undefined || r.maxDrainSeconds >= r.drainSeconds,
    },
  ],
).describe('How the client library spreads queries over the primary and the replicas.');

/** The drain maximum when routing.maxDrainSeconds is unset. */
export const DEFAULT_MAX_DRAIN_SECONDS = 900;

export function effectiveMaxDrainSeconds(routing: { drainSeconds: number; maxDrainSeconds?: number | undefined }): number {
  return routing.maxDrainSeconds ?? Math.max(DEFAULT_MAX_DRAIN_SECONDS, routing.drainSeconds);
}

const endpointsSchema = z
  .object({
    configMapName: objectNameOrEmpty().describe(
      'ConfigMap in this namespace where the operator publishes the topology (primary and replica endpoints, ' +
        'lag, routing settings) for the client library. Empty: <metadata.name>-endpoints. After a rename, the ' +
        'ConfigMap of the old name keeps the primary only, so pods that still mount it send every query to the primary.',
    ),
    tlsMode: z
      .enum(['verify-full', 'require', 'disable'])
      .default('verify-full')
      .describe(
        'TLS the client library uses to connect, published in the topology. verify-full: encrypt and check the ' +
          "server certificate against the CA bundle and the host name (RDS; mount AWS's global-bundle.pem). require: " +
          'encrypt without checking the certificate. disable: no TLS, for a local database in development only; RDS ' +
          'for PostgreSQL 15 and later refuses such connections.',
      ),
  })
  .describe('Where clients find the instances, and how they connect.');

export const specSchema = withCelRules(
  z.object({
    engine: z.enum(['postgres']).default('postgres').describe('Database engine. Only postgres (RDS for PostgreSQL) is supported. Cannot be changed.'),
    engineVersion: withCelRules(z.string().max(16).regex(patterns.engineVersion, 'must be a version such as 15.4 or 16'), engineVersionRules).describe(
      'PostgreSQL version, 11 or newer, e.g. 15.4 (or a major version such as 16, for the newest minor RDS ' +
        'offers). Raising it upgrades the instances; RDS does not downgrade.',
    ),
    databaseName: postgresName.describe(
      'Database RDS creates on the primary: 1 to 63 letters, digits or underscores, starting with a letter, not ' +
        'a PostgreSQL reserved word nor rdsadmin. Cannot be changed.',
    ),
    masterUsername: postgresName
      .default('postgres')
      .describe(
        'Name of the RDS master user: 1 to 63 letters, digits or underscores, starting with a letter, not a ' +
          'PostgreSQL reserved word nor rdsadmin. Cannot be changed.',
      ),
    credentials: credentialsSchema.prefault({}),
    primary: primarySchema,
    replicas: replicasSchema.prefault({}),
    storageEncrypted: z.boolean().default(true).describe('Encrypt storage, snapshots and backups at rest with KMS. Cannot be changed.'),
    kmsKeyId: z
      .string()
      .max(2048)
      .regex(patterns.kmsKeyId, 'must be a KMS key id, alias, key ARN or alias ARN, or empty')
      .default('')
      .describe(
        'KMS key for storage encryption: key id, alias/<name>, or the ARN of a key or alias. Empty: the AWS ' +
          'managed key aws/rds. Needs storageEncrypted. Cannot be changed.',
      ),
    backup: backupSchema.prefault({}),
    maintenanceWindow: timeWindow(
      19,
      patterns.maintenanceWindow,
      'must be ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. Mon:03:00-Mon:04:00',
      MAINTENANCE_WINDOW_LENGTH_CEL,
      maintenanceSpan,
    )
      .optional()
      .describe(
        'Weekly UTC time range, ddd:hh24:mi-ddd:hh24:mi (e.g. Mon:03:00-Mon:04:00), at least 30 minutes, in which ' +
          'RDS applies pending changes and patches; it must not overlap backup.window. Unset: RDS picks one.',
      ),
    port: z
      .int()
      .min(1150)
      .max(65535)
      .optional()
      .describe(
        'TCP port the instances listen on, 1150 to 65535. Unset: 5432. A change restarts the instances at once; the ' +
          'topology publishes the port RDS reports, and the security groups must let clients in on it.',
      ),
    autoMinorVersionUpgrade: z
      .boolean()
      .optional()
      .describe('Let RDS apply new minor versions in the maintenance window by itself. Unset: left as RDS has it (on at creation).'),
    caCertificateIdentifier: z
      .string()
      .max(64)
      .regex(/^rds-ca-[a-z0-9-]+$/, 'must be an RDS CA certificate identifier such as rds-ca-rsa2048-g1')
      .optional()
      .describe(
        'Certificate authority of the server certificate, e.g. rds-ca-rsa2048-g1 or rds-ca-ecc384-g1. A change ' +
          'restarts the instances in the maintenance window (or at once with applyImmediately); clients with ' +
          "tlsMode verify-full need the CA in their bundle (AWS's global-bundle.pem has them all). Unset: left to RDS.",
      ),
    network: networkSchema.prefault({}),
    monitoring: monitoringSchema.prefault({}),
    parameters: withCelRules(boundedRecord(z.string().min(1).max(4096), 200), parameterNameRules)
      .default({})
      .describe(
        'PostgreSQL parameters, name to value, as strings (quote numbers: max_connections: "200"). The operator ' +
          'manages a DB parameter group with them; static parameters take effect at the next reboot.',
      ),
    deletionPolicy: z
      .enum(['Snapshot', 'Delete', 'Retain'])
      .default('Snapshot')
      .describe(
        'What happens to the RDS instances when this resource is deleted. Snapshot: take a final snapshot of ' +
          'the primary, then delete them. Delete: delete them without a snapshot (automated backups are lost). ' +
          'Retain: leave them running, unmanaged.',
      ),
    deletionProtection: z
      .boolean()
      .default(false)
      .describe(
        'RDS deletion protection on every instance: RDS refuses to delete an instance while it is on, whoever ' +
          'asks. Set it to false before deleting this resource with deletionPolicy Snapshot or Delete.',
      ),
    iamDatabaseAuthentication: z
      .boolean()
      .default(false)
      .describe(
        'Let applications sign in with short-lived IAM tokens instead of a password (RDS IAM database ' +
          'authentication) on every instance. The database user needs GRANT rds_iam, the application role ' +
          'rds-db:connect on it. The master password keeps working.',
      ),
    applyImmediately: z
      .boolean()
      .default(false)
      .describe('Apply changes that interrupt the database (class, storage type, version) at once instead of in the ' + 'next maintenanceWindow.'),
    tags: withCelRules(
      boundedRecord(
        z.string().max(MAX_TAG_VALUE_LENGTH).regex(patterns.tagText, 'tag values may hold letters, digits, spaces and _ . : / = + - @'),
        MAX_USER_TAGS,
      ),
      tagKeyRules,
    )
      .default({})
      .describe(
        `AWS tags put on every RDS resource the operator creates, key to value: at most ${MAX_USER_TAGS} (RDS allows 50 ` +
          'per resource and the operator adds 5 ownership tags), keys of 1 to 128 and values of up to 256 letters, ' +
          'digits, spaces and _ . : / = + - @. Keys starting with db.servio.io/ or aws:, and ' +
          'app.kubernetes.io/managed-by, are reserved (ownership tags the operator sets itself).',
      ),
    routing: routingSchema.prefault({}),
    endpoints: endpointsSchema.prefault({}),
  }),
  [
    {
      rule: "self.kmsKeyId == '' || self.storageEncrypted",
      message: 'kmsKeyId needs storageEncrypted: true',
      fieldPath: '.kmsKeyId',
      holds: (s) => s.kmsKeyId === '' || s.storageEncrypted,
    },
    {
      // The operator's ownership tags decide which instances it may change or delete; a spec must not be able to
      // forge or overwrite them. AWS itself refuses keys starting with aws:.
      rule: "self.tags.all(k, !k.startsWith('db.servio.io/') && !k.startsWith('aws:') && k != 'app.kubernetes.io/managed-by')",
      message: 'tag keys starting with db.servio.io/ or aws:, and app.kubernetes.io/managed-by, are reserved',
      fieldPath: '.tags',
      holds: (s) => Object.keys(s.tags).every((k) => !k.startsWith('db.servio.io/') && !k.startsWith('aws:') && k !== 'app.kubernetes.io/managed-by'),
    },
    {
      rule: windowsDisjointCel('self.backup.window', 'self.maintenanceWindow'),
      message: 'maintenanceWindow overlaps backup.window on at least one day; RDS needs them apart (they may touch)',
      fieldPath: '.maintenanceWindow',
      holds: (s) =>
        !windowsOverlap(
          s.backup.window === undefined ? undefined : backupSpan(s.backup.window),
          s.maintenanceWindow === undefined ? undefined : maintenanceSpan(s.maintenanceWindow),
        ),
    },
    {
      rule: 'self.replicas.count == 0 || self.backup.retentionDays > 0',
      message: 'read replicas need automated backups: set backup.retentionDays to 1 or more, or replicas.count to 0',
      fieldPath: '.backup.retentionDays',
      holds: (s) => s.replicas.count === 0 || s.backup.retentionDays > 0,
    },
  ],
).describe('Desired state: a PostgreSQL primary and its read replicas on Amazon RDS.');

export type ReplicaSetDBSpec = z.output<typeof specSchema>;
/** What a user may write: everything with a default is optional. */
export type ReplicaSetDBSpecInput = z.input<typeof specSchema>;
export type PrimarySpec = ReplicaSetDBSpec['primary'];
export type ReplicasSpec = ReplicaSetDBSpec['replicas'];
export type BackupSpec = ReplicaSetDBSpec['backup'];
export type NetworkSpec = ReplicaSetDBSpec['network'];
export type MonitoringSpec = ReplicaSetDBSpec['monitoring'];
export type RoutingSpec = ReplicaSetDBSpec['routing'];
export type StorageType = PrimarySpec['storageType'];
export type DeletionPolicy = ReplicaSetDBSpec['deletionPolicy'];
export type ReadYourWrites = RoutingSpec['readYourWrites'];
