// The observed state, written only by the operator through the status subresource. Every field is optional
// because a status is built up over several reconciles (an instance has no endpoint until RDS assigns one), and
// nothing here has a default: the API server would apply it on every read and hide what was actually observed.
import { z } from 'zod';
import { patterns } from './patterns.js';

const timestamp = z.iso.datetime({ offset: true });
/** A generation, a count or a size: a whole number, absent until observed. */
const nonNegativeCount = z.int().min(0).optional();

export const PHASES = ['Pending', 'Provisioning', 'Ready', 'Modifying', 'Degraded', 'Deleting', 'Failed'] as const;

/** The shape of metav1.Condition, with its validation, so `kubectl wait --for=condition=Ready` works. */
export const conditionSchema = z.object({
  type: z
    .string()
    .max(316)
    .regex(patterns.conditionType, 'must be a CamelCase name, optionally prefixed by a DNS subdomain and /')
    .describe('Kind of condition in CamelCase, e.g. Ready, PrimaryAvailable, ReplicasInSync.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('True, False or Unknown.'),
  observedGeneration: nonNegativeCount.describe('metadata.generation the condition was computed from; older than metadata.generation means stale.'),
  lastTransitionTime: timestamp.describe('When status last changed (RFC 3339).'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(patterns.conditionReason, 'must be a CamelCase identifier')
    .describe('Machine-readable cause in CamelCase, e.g. InstanceModifying.'),
  message: z.string().max(32768).describe('What is going on, for a person; may be empty.'),
});

const instanceStatusSchema = z.object({
  identifier: z.string().min(1).max(63).describe('RDS DB instance identifier.'),
  role: z.enum(['primary', 'replica']).describe('primary (writable) or replica (read-only).'),
  rdsStatus: z.string().optional().describe('DB instance status as RDS reports it, e.g. creating, available, modifying, storage-full.'),
  endpoint: z
    .object({
      host: z.string().min(1).describe('DNS name of the instance.'),
      port: z.int().min(1).max(65535).describe('TCP port PostgreSQL listens on.'),
    })
    .optional()
    .describe('Where to connect; absent until RDS has assigned it.'),
  instanceClass: z.string().optional().describe('DB instance class RDS currently runs.'),
  engineVersion: z.string().optional().describe('PostgreSQL version RDS currently runs.'),
  allocatedStorageGiB: nonNegativeCount.describe('Storage RDS currently has, in GiB; can exceed the spec after storage autoscaling.'),
  availabilityZone: z.string().optional().describe('Availability Zone the instance runs in.'),
  lagSeconds: z
    .number()
    .min(-1)
    .optional()
    .describe(
      'Replication lag behind the primary, in seconds, at the last observation; -1 when replication is not running ' +
        '(RDS reports ReplicaLag -1); absent when unknown.',
    ),
  routable: z.boolean().optional().describe('Whether the published topology currently offers this instance to clients.'),
  drainingSince: timestamp.optional().describe('Set when the replica left the routing topology; it is deleted routing.drainSeconds later at the earliest.'),
  drainReleasedBy: z
    .enum(['ConnectionsQuiet', 'MaxDrainSeconds'])
    .optional()
    .describe(
      'What let a draining replica be deleted: ConnectionsQuiet (DatabaseConnections stayed at or below ' +
        'routing.drainConnectionFloor for routing.drainQuietSeconds) or MaxDrainSeconds (the drain maximum was reached).',
    ),
});

const heldChangeSchema = z.object({
  subject: z.string().min(1).describe('The instance or parameter group the rejected request was about.'),
  operation: z.string().min(1).describe('The RDS API operation that was rejected, e.g. ModifyDBInstance.'),
  fields: z
    .array(z.string())
    .max(64)
    .optional()
    .describe('For a ModifyDBInstance: the fields of the rejected change; other fields of the instance are still changed.'),
  code: z.string().describe('The AWS error code, e.g. InvalidParameterValue.'),
  message: z.string().max(4096).describe('The AWS message.'),
  generation: z.int().min(0).describe('metadata.generation that was rejected; a spec change (a new generation) releases the hold.'),
  retryAt: timestamp
    .optional()
    .describe(
      'Set when RDS takes the request only later (a storage change within its cooldown): the hold lapses at this time ' +
        'and the request is sent again without a spec change. Such a hold needs no person and does not make the object Failed.',
    ),
});

export const statusSchema = z
  .object({
    phase: z
      .enum(PHASES)
      .optional()
      .describe(
        'Summary: Pending (accepted, nothing created yet), Provisioning (instances being created), Ready, ' +
          'Modifying (a change is being applied), Degraded (serving, but an instance is unavailable or lagging), ' +
          'Deleting, Failed (needs a person; see the conditions).',
      ),
    observedGeneration: nonNegativeCount.describe('metadata.generation of the spec this status reflects.'),
    conditions: z
      .array(conditionSchema)
      .max(32)
      .superRefine((cs, ctx) => {
        // The list is a map keyed by type: the API server rejects a second entry of a type, naming its index.
        cs.forEach((c, i) => {
          if (cs.findIndex((other) => other.type === c.type) !== i) {
            ctx.addIssue({ code: 'custom', message: `duplicate condition type ${c.type}`, path: [i] });
          }
        });
      })
      .optional()
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
      .describe('Latest observations, one per type (Ready, ...).'),
    primary: instanceStatusSchema.optional().describe('The primary instance as last observed.'),
    replicas: z.array(instanceStatusSchema).max(64).optional().describe('The read replicas as last observed, including ones being drained or deleted.'),
    readyReplicas: nonNegativeCount.describe('Replicas that are available and within routing.maxReplicaLagSeconds.'),
    endpoints: z
      .object({
        configMapName: z.string().optional().describe('ConfigMap holding the routing topology.'),
        secretName: z.string().optional().describe('Secret holding the master user credentials.'),
        topologyRevision: nonNegativeCount.describe(
          'The topology revision last published. Recorded before the ConfigMap is written, so it is never below the revision the ConfigMap holds.',
        ),
      })
      .optional()
      .describe('Objects the operator publishes for clients in this namespace.'),
    credentials: z
      .object({
        appliedPasswordFingerprint: z
          .string()
          .max(128)
          .optional()
          .describe(
            'HMAC-SHA256 of the master password RDS was last given (never the password), keyed with the key the operator keeps in the credentials Secret (password_fingerprint_key), so that it tells nothing to anyone who cannot read the Secret. ' +
              "When the Secret's password no longer matches it, the operator sends the new one to RDS.",
          ),
        rejectedPasswordFingerprint: z
          .string()
          .max(128)
          .optional()
          .describe('Fingerprint of a password RDS rejected; it is not sent again until the Secret holds another.'),
      })
      .optional()
      .describe('The master password as applied to RDS.'),
    parameterGroupName: z.string().optional().describe('DB parameter group the operator manages for spec.parameters.'),
    baseIdentifier: z
      .string()
      .min(1)
      .max(58)
      .regex(patterns.rdsIdentifier, 'must be a lower-case RDS identifier')
      .optional()
      .describe(
        'RDS identifier chosen when the object was first reconciled: the primary is named by it, the replicas are ' +
          '<base>-r<n>, the parameter group and final snapshot start with it. Once recorded it is never derived again.',
      ),
    pendingChanges: z
      .array(z.string())
      .max(64)
      .optional()
      .describe('Spec changes not yet in effect on RDS, e.g. a class change waiting for the maintenance window.'),
    heldChanges: z
      .array(heldChangeSchema)
      .max(32)
      .optional()
      .describe(
        'Requests RDS rejected as specified (InvalidParameter*). Each is held, and not sent again, until the spec ' +
          'changes, or until retryAt for a request RDS takes only later; every other change (scale-down, tags, ' +
          'deletion protection) goes on.',
      ),
    finalSnapshotIdentifier: z.string().optional().describe('Identifier of the final snapshot taken on deletion with deletionPolicy Snapshot.'),
  })
  .describe('Observed state, written by the operator.');

export type ReplicaSetDBStatus = z.output<typeof statusSchema>;
export type Condition = z.output<typeof conditionSchema>;
export type InstanceStatus = z.output<typeof instanceStatusSchema>;
export type HeldChange = z.output<typeof heldChangeSchema>;
export type Phase = (typeof PHASES)[number];
