// The status fields the publication owns (status.replicas[].lagSeconds / routable / drainingSince,
// status.endpoints.topologyRevision), from the publication plan and what apply managed to write. Pure.
// drainingSince follows the replica lifecycle's rule (replica-lifecycle/status.ts).
import { recordedLag } from '../topology/index.js';
import type { ApplyOutcome } from './apply.js';
import type { Observed } from './observed.js';
import type { PublicationPlan } from './plan/publication.js';
import { drainingSince as drainingSinceOf } from './replica-lifecycle/index.js';

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
  const written = outcome.executed.some((s) => s.kind === 'publishTopology' && s.replacedBy === undefined);
  const inEffect = publication !== undefined && (publication.delta.length === 0 || written);
  const document = inEffect ? publication.document : observed.publishedTopology();
  const stateOf = (id: string) => document?.replicas.find((r) => r.id === id)?.state;
  const found = observed.publishedTopology();

  const instances = new Map<string, InstancePublicationStatus>();
  if (document !== undefined) instances.set(document.primary.id, { routable: true });
  for (const replica of topology.replicas) {
    const drainingSince = drainingSinceOf({
      retiring: replica.retiring,
      previous: observed.previousInstanceStatus(replica.identifier)?.drainingSince,
      foundActive: found?.replicas.find((r) => r.id === replica.identifier)?.state === 'active',
      publishedDraining: inEffect && stateOf(replica.identifier) === 'draining',
      appliedAt,
    });
    instances.set(replica.identifier, {
      lagSeconds: recordedLag(replica.lagSeconds),
      routable: stateOf(replica.identifier) === 'active',
      ...(drainingSince !== undefined ? { drainingSince } : {}),
    });
  }
  return {
    // A revision reserved for a write that then failed stays recorded: it may have reached the ConfigMap.
    revision: inEffect ? publication.document.revision : maxDefined(observed.previousStatus?.endpoints?.topologyRevision, outcome.reservedTopologyRevision),
    // The name moves once its ConfigMap holds the topology and the one it replaces has no replicas left.
    configMapName: (inEffect ? renamedPending(observed, topology, outcome) : previousName(observed)) ?? observed.names.configMap.name,
    instances,
  };
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/** The name status recorded, while the ConfigMap it names still has replicas to withdraw: the next reconcile reads
 * it again (observe.ts) and withdraws them. */
function renamedPending(observed: Observed, topology: PublicationPlan, outcome: ApplyOutcome): string | undefined {
  const renamed = topology.renamed;
  if (renamed === undefined || renamed.publication.delta.length === 0) return undefined;
  const withdrawn = outcome.executed.some((s) => s.kind === 'publishTopology' && s.configMap.name === renamed.configMap.name);
  return withdrawn ? undefined : previousName(observed);
}

function previousName(observed: Observed): string | undefined {
  return observed.previousStatus?.endpoints?.configMapName;
}
