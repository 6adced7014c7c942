// Contract version 1 of topology.json: the only definition of what the operator publishes and the client reads.
// The operator builds and validates with it, the client parses with it, and topology.schema.json is generated
// from it. Unknown keys are stripped, not rejected, so a later operator that adds an optional field does not
// stop older clients from reloading.
import { z } from 'zod';

export const TOPOLOGY_CONTRACT_VERSION = 1;

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const endpointId = z.string().min(1).max(255).describe('Stable identifier of the instance (the RDS DB instance identifier).');
const host = z.string().min(1).max(253).describe('DNS name or IP address clients connect to.');
const port = z.number().int().min(1).max(65535).describe('TCP port of PostgreSQL.');

export const topologyPrimarySchema = z
  .object({ id: endpointId, host, port })
  .describe('The writable primary. Writes, transactions and critical reads go here.');

export const replicaStateSchema = z
  .enum(['active', 'draining'])
  .describe('active: takes new reads. draining: about to be deleted; takes no new reads, in-flight queries finish.');

export const topologyReplicaSchema = z
  .object({
    id: endpointId,
    host,
    port,
    state: replicaStateSchema,
    lagSeconds: z.number().min(0).optional().describe('Replication lag the operator last observed (CloudWatch ReplicaLag); absent when unknown.'),
  })
  .describe('A streaming read replica of the primary.');

export const routingSchema = z
  .object({
    maxReplicaLagSeconds: z.number().min(0).default(1).describe('A replica lagging more than this takes no reads unless a call sets its own bound.'),
    readYourWrites: z
      .enum(['lsn', 'off'])
      .default('lsn')
      .describe(
        "lsn: a session's reads go only to replicas that have replayed the WAL position of its last commit, else to the primary. off: sessions read like plain reads.",
      ),
    drainSeconds: z
      .number()
      .int()
      .min(0)
      .default(30)
      .describe('How long a replica stays draining before it is deleted; clients finish in-flight queries within it.'),
  })
  .describe('Routing policy the operator publishes for every client.');

export const tlsModeSchema = z
  .enum(['verify-full', 'require', 'disable'])
  .describe(
    'verify-full: encrypt, and check the server certificate against the CA bundle and the host name (RDS; the default). require: encrypt without checking the certificate. disable: no TLS, for local development only.',
  );

export const tlsSchema = z
  .object({ mode: tlsModeSchema.default('verify-full') })
  .describe('What the endpoints require of a connection. Absent in documents from operators that predate it; clients then use verify-full.');

export const topologySchema = z
  .object({
    version: z.literal(TOPOLOGY_CONTRACT_VERSION).describe('Contract version; a breaking change of this document gets a new one.'),
    revision: z
      .number()
      .int()
      .min(0)
      .describe(
        'Grows on every change of content and only then (by one, unless a write failed and its revision was skipped); clients ignore a revision older than the one they hold, and one revision never carries two contents.',
      ),
    epoch: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe(
        'Identifies the ReplicaSetDB object that publishes the document (its uid). A re-created object starts a new epoch, whose revisions are not comparable with the old ones: clients take a new epoch whatever its revision. Absent in documents from operators that predate it.',
      ),
    name: z.string().regex(dns1123Subdomain).max(253).describe('Name of the ReplicaSetDB resource.'),
    namespace: z.string().regex(dns1123Label).max(63).describe('Namespace of the ReplicaSetDB resource.'),
    database: z.string().min(1).max(63).describe('Name of the PostgreSQL database to connect to.'),
    primary: topologyPrimarySchema,
    replicas: z.array(topologyReplicaSchema).describe('Read replicas, in a stable order. Ids are unique and differ from the primary id.'),
    routing: routingSchema.prefault({}),
    tls: tlsSchema.optional(),
    credentialsSecret: z
      .string()
      .regex(dns1123Subdomain)
      .max(253)
      .describe('Secret in the same namespace holding `username` and `password`; credentials never appear here.'),
    updatedAt: z.iso.datetime({ offset: true }).describe('When the operator last changed the content (RFC 3339).'),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>([t.primary.id]);
    t.replicas.forEach((r, i) => {
      if (seen.has(r.id)) {
        ctx.addIssue({ code: 'custom', path: ['replicas', i, 'id'], message: `duplicate endpoint id "${r.id}"` });
      }
      seen.add(r.id);
    });
  })
  .meta({
    $id: 'https://servio.io/schemas/replicasetdb/topology.v1.json',
    title: 'ReplicaSetDB topology, contract version 1',
    description:
      'Published by the replicasetdb operator as the topology.json key of the <name>-endpoints ConfigMap; read and hot-reloaded by @servio/replicasetdb-client.',
  });

/** A parsed topology: defaults applied, unknown keys dropped. */
export type Topology = z.output<typeof topologySchema>;
/** What may be written to topology.json: routing fields may be left to their defaults. */
export type TopologyInput = z.input<typeof topologySchema>;
export type TopologyPrimary = Topology['primary'];
export type TopologyReplica = Topology['replicas'][number];
export type TopologyRouting = Topology['routing'];
export type TlsMode = z.output<typeof tlsModeSchema>;
