// The publication concern of the plan: which topology the endpoints ConfigMap must hold after this reconcile,
// which replicas are routable, draining or lagging, and the steps that write or delete the ConfigMap. Pure.
//
// A retiring replica is published as draining: which replicas those are is the replica lifecycle's rule
// (replica-lifecycle/routing.ts).
import { planTopologyPublication, routeReplica, isLagging, type ReplicaRouting, type TopologyPublication, type TopologySource } from '../../topology/index.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../naming/index.js';
import type { ObjectRef } from '../../ports/kubernetes.js';
import type { Observed } from '../observed.js';
import { isRetiring } from '../replica-lifecycle/index.js';
import type { Step } from './types.js';

export interface ReplicaPublication {
  identifier: string;
  routing: ReplicaRouting;
  lagSeconds: number | undefined;
  retiring: boolean;
}

export interface LaggingReplica {
  identifier: string;
  lagSeconds: number;
  maxLagSeconds: number;
}

export interface PublicationPlan {
  /** Undefined while there is nothing to publish (no primary with an endpoint), or nothing may be. */
  publication: TopologyPublication | undefined;
  replicas: ReplicaPublication[];
  lagging: LaggingReplica[];
  /** Why the topology cannot be published, for the Degraded condition. */
  problem?: string;
  /** The ConfigMap spec.endpoints.configMapName named before a rename, with the primary only: pods that still mount
   * it send every query to the primary, which stays right whatever happens to the replicas afterwards. */
  renamed?: { configMap: ObjectRef; publication: TopologyPublication };
}

export function topologySource(observed: Observed): TopologySource | undefined {
  const spec = observed.spec;
  if (spec === undefined) return undefined;
  const primary = observed.primary();
  const managedPrimary = primary !== undefined && observed.isManaged(primary) ? primary : undefined;
  return {
    namespace: observed.object.ref.namespace,
    name: observed.object.ref.name,
    epoch: observed.object.uid,
    databaseName: spec.databaseName,
    routing: spec.routing,
    tlsMode: spec.endpoints.tlsMode,
    credentialsSecret: observed.names.secret.name,
    primary: managedPrimary && { id: managedPrimary.identifier, status: managedPrimary.status, endpoint: managedPrimary.endpoint },
    // A replica promoted to a standalone database no longer follows the primary: its data is not the primary's.
    replicas: observed
      .managedInstances()
      .filter((i) => i.identifier !== observed.names.primary && observed.followsPrimary(i))
      .map((r) => ({
        id: r.identifier,
        status: r.status,
        endpoint: r.endpoint,
        lagSeconds: observed.replicaLag(r.identifier),
        retiring: isRetiring(observed, r.identifier, r.status),
      })),
  };
}

export function planPublication(observed: Observed, now: Date): PublicationPlan {
  const source = topologySource(observed);
  if (source === undefined || observed.isDeleting()) return { publication: undefined, replicas: [], lagging: [] };
  const max = source.routing.maxReplicaLagSeconds;
  const replicas = source.replicas.map((r) => ({ identifier: r.id, routing: routeReplica(r, max), lagSeconds: r.lagSeconds, retiring: r.retiring }));
  const lagging = source.replicas.flatMap((r) =>
    !r.retiring && r.status === 'available' && r.lagSeconds !== undefined && isLagging(r.lagSeconds, max)
      ? [{ identifier: r.id, lagSeconds: r.lagSeconds, maxLagSeconds: max }]
      : [],
  );
  if (observed.configMapIsForeign()) {
    const name = observed.names.configMap.name;
    const problem = `ConfigMap ${name} exists and was not created for this ReplicaSetDB by the operator (it lacks the ${MANAGED_BY_LABEL}=${MANAGED_BY} label or this object as controller owner); the operator leaves it untouched and the topology is not published. Delete or rename that ConfigMap, or set spec.endpoints.configMapName to a free name.`;
    return { publication: undefined, replicas, lagging, problem };
  }
  const statusRevision = observed.previousStatus?.endpoints?.topologyRevision;
  const ownerUid = observed.object.uid;
  const publication = planTopologyPublication({ source, observed: observed.configMap(), statusRevision, ownerUid, now });
  const renamedConfigMap = observed.renamedConfigMap();
  const withdrawn =
    publication !== undefined && renamedConfigMap !== undefined
      ? planTopologyPublication({ source: { ...source, replicas: [] }, observed: renamedConfigMap.stored, statusRevision, ownerUid, now })
      : undefined;
  return { publication, replicas, lagging, ...(withdrawn !== undefined ? { renamed: { configMap: renamedConfigMap!.ref, publication: withdrawn } } : {}) };
}

/** The writes of the ConfigMap, when it differs from the observed one (a hand edit is reverted, a deleted ConfigMap
 * recreated), and then of the one a rename left behind. The plan runs them before any DeleteDBInstance of the same
 * reconcile (plan/live-phases.ts), so a replica is draining in the ConfigMap before its deletion is ever asked for;
 * apply stops at a failed write, so the old name is only withdrawn once the new one holds the topology. */
export function publicationSteps(topology: PublicationPlan, observed: Observed): Step[] {
  const publication = topology.publication;
  if (publication === undefined) return [];
  const current = publication.delta.length > 0 ? [publishStep(observed.names.configMap, publication, observed)] : [];
  const renamed = topology.renamed;
  if (renamed === undefined || renamed.publication.delta.length === 0) return current;
  return [...current, { ...publishStep(renamed.configMap, renamed.publication, observed), replacedBy: observed.names.configMap.name }];
}

function publishStep(configMap: ObjectRef, publication: TopologyPublication, observed: Observed): Step & { kind: 'publishTopology' } {
  return {
    kind: 'publishTopology',
    configMap,
    content: publication.configMap,
    revision: publication.document.revision,
    changed: publication.changed,
    reserveRevision: publication.document.revision > (observed.previousStatus?.endpoints?.topologyRevision ?? 0),
    delta: publication.delta,
  };
}

/** What the finalizer path does to our ConfigMap, just before the finalizer: while a deletion is blocked (deletion
 * protection) the database still serves, and its clients still need to find it. Under deletionPolicy Retain the
 * databases keep serving after the object is gone, so the ConfigMap stays where their clients read it; only the
 * owner reference goes, or Kubernetes' garbage collector would delete the ConfigMap with the object. Nothing when
 * there is none, it is not ours, or it is released already (a repeat after a crash). */
export function finalPublicationStep(observed: Observed): Step | undefined {
  const configMap = observed.configMap();
  if (configMap === undefined || observed.configMapIsForeign()) return undefined;
  if (observed.spec?.deletionPolicy !== 'Retain') return { kind: 'deleteTopology', configMap: observed.names.configMap };
  const ownerUid = observed.object.uid;
  return configMap.ownerUids.includes(ownerUid) ? { kind: 'releaseTopology', configMap: observed.names.configMap, ownerUid } : undefined;
}
