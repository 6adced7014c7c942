// What the topology is rendered from, in the publisher's own vocabulary: a few fields of each instance, not the
// RDS port's whole record, so the renderer is tested with small literals and does not change when the
// reconciler's snapshot does.
import type { TlsMode } from '@servio/replicasetdb-contract';
import type { RoutingSpec } from '../api/index.js';

export interface TopologyEndpoint {
  host: string;
  port: number;
}

export interface TopologyInstanceInput {
  /** RDS DB instance identifier. */
  id: string;
  /** DBInstanceStatus as RDS reports it: available, creating, modifying, deleting, ... */
  status: string;
  /** Absent until RDS assigns it. */
  endpoint?: TopologyEndpoint;
}

export interface TopologyReplicaInput extends TopologyInstanceInput {
  /** CloudWatch ReplicaLag at this reconcile; undefined when unknown (no recent datapoint). */
  lagSeconds?: number;
  /** Being taken out of service (scale-down or replacement): published as draining until it is deleted. */
  retiring: boolean;
}

export interface TopologySource {
  namespace: string;
  name: string;
  /** The uid of the ReplicaSetDB: a re-created object of the same name publishes a new epoch. */
  epoch: string;
  databaseName: string;
  // What the document publishes; the drain gate's other settings stay with the operator.
  routing: Pick<RoutingSpec, 'maxReplicaLagSeconds' | 'readYourWrites' | 'drainSeconds'>;
  /** What clients must use to connect (spec.endpoints.tlsMode). */
  tlsMode: TlsMode;
  /** Name of the Secret holding username and password; only its name is ever published. */
  credentialsSecret: string;
  primary: TopologyInstanceInput | undefined;
  /** In index order (r1, r2, ...): the published order is stable, so a resync renders the same text. */
  replicas: readonly TopologyReplicaInput[];
}
