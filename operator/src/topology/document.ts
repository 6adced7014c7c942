// The content of topology.json (contract v1, defined once in @servio/replicasetdb-contract) without the two fields
// that only say when it last changed: `revision` and `updatedAt` are stamped by revision.ts, which needs to compare
// content without them.
import type { TopologyInput } from '@servio/replicasetdb-contract';
import type { ReadYourWrites } from '../api/index.js';
import { routeReplica } from './replica-routing.js';
import type { TopologyInstanceInput, TopologySource } from './source.js';

export type TopologyContent = Omit<TopologyInput, 'revision' | 'updatedAt'>;

/** The API spells "no read-your-writes" `none`, the contract `off`; the contract is what clients parse. */
const READ_YOUR_WRITES: Record<ReadYourWrites, 'lsn' | 'off'> = { lsn: 'lsn', none: 'off' };

/** CloudWatch averages come back as doubles (0.30000000000000004); three decimals are all a client can use, and
 * float noise would otherwise count as a change of content. */
export function publishedLag(lagSeconds: number | undefined): number | undefined {
  if (lagSeconds === undefined || !Number.isFinite(lagSeconds) || lagSeconds < 0) return undefined;
  return Math.round(lagSeconds * 1000) / 1000;
}

/** The lag status.replicas[].lagSeconds records: as published, or -1 for replication that is not running (RDS's
 * ReplicaLag -1), which keeps the replica out while CloudWatch cannot be asked and the last status stands in. */
export function recordedLag(lagSeconds: number | undefined): number | undefined {
  return lagSeconds !== undefined && lagSeconds < 0 ? -1 : publishedLag(lagSeconds);
}

/** A primary is published once RDS has given it an endpoint and finished creating it; before that there is
 * nothing a client could connect to, and a document without a primary is not contract v1. */
export function isPublishablePrimary(
  primary: TopologyInstanceInput | undefined,
): primary is TopologyInstanceInput & { endpoint: NonNullable<TopologyInstanceInput['endpoint']> } {
  return primary?.endpoint !== undefined && primary.status !== 'creating' && primary.status !== 'deleting';
}

/** Undefined while there is no primary to publish. */
export function renderTopologyContent(source: TopologySource): TopologyContent | undefined {
  const { primary, routing } = source;
  if (!isPublishablePrimary(primary)) return undefined;
  const replicas = source.replicas.flatMap((replica) => {
    const routed = routeReplica(replica, routing.maxReplicaLagSeconds);
    if (routed.state === 'excluded' || replica.endpoint === undefined) return [];
    const lagSeconds = publishedLag(replica.lagSeconds);
    return [
      {
        id: replica.id,
        host: replica.endpoint.host,
        port: replica.endpoint.port,
        state: routed.state,
        ...(lagSeconds !== undefined ? { lagSeconds } : {}),
      },
    ];
  });
  return {
    version: 1,
    epoch: source.epoch,
    name: source.name,
    namespace: source.namespace,
    database: source.databaseName,
    primary: { id: primary.id, host: primary.endpoint.host, port: primary.endpoint.port },
    replicas,
    routing: {
      maxReplicaLagSeconds: routing.maxReplicaLagSeconds,
      readYourWrites: READ_YOUR_WRITES[routing.readYourWrites],
      drainSeconds: routing.drainSeconds,
    },
    tls: { mode: source.tlsMode },
    credentialsSecret: source.credentialsSecret,
  };
}
