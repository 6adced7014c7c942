// The status fields the publication owns (status.replicas[].lagSeconds / routable / drainingSince,
// status.endpoints.topologyRevision), from the publication plan and what apply managed to write. Pure.
//
// drainingSince is set only once the ConfigMap showing the replica as draining is in effect (written by this
// reconcile, or already there); a failed write starts no clock. It is kept while the replica is retiring and
// cleared when the spec wants the replica again.
import { publishedLag } from '../topology/index.js';
import type { ApplyOutcome } from './apply.js';
import type { Observed } from './observed.js';
import type { PublicationPlan } from './plan/publication.js';

export interface InstancePublicationStatus {
  lagSeconds?: number;
  routable: boolean;
  drainingSince?: string;
}

export interface PublicationStatus {
  /** Undefined while nothing is published. */
  revision: number | undefined;
  configMapName: string;
  /** By instance identifier, primary included. */
  instances: ReadonlyMap<string, InstancePublicationStatus>;
}

export function buildPublicationStatus(observed: Observed, topology: PublicationPlan, outcome: ApplyOutcome, appliedAt: Date): PublicationStatus {
  const publication = topology.publication;
  const written = outcome.executed.some((s) => s.kind === 'publishTopology');
  const inEffect = publication !== undefined && (publication.delta.length === 0 || written);
  const document = inEffect ? publication.document : observed.publishedTopology();
  const stateOf = (id: string) => document?.replicas.find((r) => r.id === id)?.state;

  const instances = new Map<string, InstancePublicationStatus>();
  if (document !== undefined) instances.set(document.primary.id, { routable: true });
  for (const replica of topology.replicas) {
    const previous = observed.previousInstanceStatus(replica.identifier)?.drainingSince;
    const drainingSince = replica.retiring ? (previous ?? (inEffect && stateOf(replica.identifier) === 'draining' ? appliedAt.toISOString() : undefined)) : undefined;
    instances.set(replica.identifier, {
      lagSeconds: publishedLag(replica.lagSeconds),
      routable: stateOf(replica.identifier) === 'active',
      ...(drainingSince !== undefined ? { drainingSince } : {}),
    });
  }
  return {
    revision: inEffect ? publication.document.revision : observed.previousStatus?.endpoints?.topologyRevision,
    configMapName: observed.names.configMap.name,
    instances,
  };
}
