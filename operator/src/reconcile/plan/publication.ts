// The publication concern of the plan: which topology the endpoints ConfigMap must hold after this reconcile,
// which replicas are routable, draining or lagging, and the steps that write or delete the ConfigMap. Pure.
//
// A replica is retiring when the spec no longer wants it (index above replicas.count) or RDS cannot recover it
// (replaced): the same replicas plan/scale.ts retires, derived from the spec rather than from the gate's calls,
// so a draining replica stays draining while a blocker holds every other change.
import { planTopologyPublication, routeReplica, isLagging, type ReplicaRouting, type TopologyPublication, type TopologySource } from '../../topology/index.js';
import { needsReplacement } from '../instance-states.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../naming/index.js';
import type { Observed } from '../observed.js';
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
}

function isRetiring(observed: Observed, identifier: string, status: string): boolean {
  const index = observed.names.replicaIndexOf(identifier);
  const count = observed.spec?.replicas.count ?? 0;
  return index !== undefined && (index > count || needsReplacement(status));
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
    replicas: observed
      .managedInstances()
      .filter((i) => i.identifier !== observed.names.primary)
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
    !r.retiring && r.status === 'available' && r.lagSeconds !== undefined && isLagging(r.lagSeconds, max) ? [{ identifier: r.id, lagSeconds: r.lagSeconds, maxLagSeconds: max }] : [],
  );
  if (observed.configMapIsForeign()) {
    const name = observed.names.configMap.name;
    const problem = `ConfigMap ${name} exists and was not created for this ReplicaSetDB by the operator (it lacks the ${MANAGED_BY_LABEL}=${MANAGED_BY} label or this object as controller owner); the operator leaves it untouched and the topology is not published. Delete or rename that ConfigMap, or set spec.endpoints.configMapName to a free name.`;
    return { publication: undefined, replicas, lagging, problem };
  }
  const publication = planTopologyPublication({
    source,
    observed: observed.configMap(),
    statusRevision: observed.previousStatus?.endpoints?.topologyRevision,
    ownerUid: observed.object.uid,
    now,
  });
  return { publication, replicas, lagging };
}

/** The ConfigMap steps merged into the plan's: the publication goes first, before any DeleteDBInstance of the same
 * reconcile, so a replica is draining in the ConfigMap before its deletion is ever asked for. On the finalizer
 * path the ConfigMap is deleted last, just before the finalizer: while a deletion is blocked (deletion protection)
 * the database still serves, and its clients still need to find it. Under deletionPolicy Retain the databases keep
 * serving after the object is gone, so the ConfigMap stays where their clients read it; only the owner reference
 * goes, or Kubernetes' garbage collector would delete the ConfigMap with the object. */
export function withPublicationSteps(steps: readonly Step[], plan: PublicationPlan, observed: Observed): Step[] {
  const publication = plan.publication;
  if (publication !== undefined && publication.delta.length > 0) {
    const publish: Step = {
      kind: 'publishTopology',
      configMap: observed.names.configMap,
      content: publication.configMap,
      revision: publication.document.revision,
      changed: publication.changed,
      delta: publication.delta,
    };
    const at = steps[0]?.kind === 'addFinalizer' ? 1 : 0;
    return [...steps.slice(0, at), publish, ...steps.slice(at)];
  }
  const removal = steps.findIndex((s) => s.kind === 'removeFinalizer');
  const last = removal === -1 ? undefined : lastPublicationStep(observed);
  return last === undefined ? [...steps] : [...steps.slice(0, removal), last, ...steps.slice(removal)];
}

/** What the finalizer path does to our ConfigMap; nothing when there is none, it is not ours, or it is released
 * already (a repeat after a crash). */
function lastPublicationStep(observed: Observed): Step | undefined {
  const configMap = observed.configMap();
  if (configMap === undefined || observed.configMapIsForeign()) return undefined;
  if (observed.spec?.deletionPolicy !== 'Retain') return { kind: 'deleteTopology', configMap: observed.names.configMap };
  const ownerUid = observed.object.uid;
  return configMap.ownerUids.includes(ownerUid) ? { kind: 'releaseTopology', configMap: observed.names.configMap, ownerUid } : undefined;
}
