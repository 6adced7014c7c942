// One snapshot of everything a reconcile decides from, taken once at the start (CloudNativePG's observed-state
// struct): the object, its RDS instances, its parameter group, whether its credentials Secret is usable, and
// its ConfigMap. Every decision reads the same snapshot through the query methods below, so two parts of the
// plan can never disagree about what they saw.
import type { Topology } from '@servio/replicasetdb-contract';
import type { MetricDatapoint } from '../cloudwatch/connections-query.js';
import type { InstanceStatus, ReplicaSetDBSpec, ReplicaSetDBStatus } from '../api/index.js';
import type { ObjectRef, StoredConfigMap } from '../ports/kubernetes.js';
import type { ParameterGroup, ParameterGroupSummary, RdsInstance } from '../rds/port.js';
import { FINALIZER, MANAGED_BY, MANAGED_BY_LABEL, isAdoptable, isAdoptionAllowed, ownershipOf, type Owner, type Ownership } from '../naming/index.js';
import type { ResourceNames } from './resource-names.js';
import { healthOf } from './instance-states.js';
import { readPublishedTopology } from '../topology/index.js';
import type { PasswordIdentity } from './credentials.js';

/** Whether the Secret can supply a master password. The password itself is never part of the snapshot: it is
 * read from the Secret at the one moment it is sent to RDS. What the plan compares is its fingerprint (keyed with
 * the key kept in the Secret) against the one status recorded when it was applied. */
export type CredentialsState =
  | { state: 'absent' }
  | ({
      state: 'usable';
      /** The Secret's `username`; undefined when it has none. */
      username?: string;
      /** DB_USERNAME / DB_PASSWORD differ from username / password. */
      environmentKeysStale: boolean;
    } & PasswordIdentity)
  | { state: 'unusable'; reason: string };

export interface ObjectSnapshot {
  ref: ObjectRef;
  uid: string;
  generation: number;
  resourceVersion: string;
  deletionTimestamp?: string;
  finalizers: readonly string[];
  annotations: Readonly<Record<string, string>>;
  /** Undefined when the stored object does not parse (then `invalidReason` says why). */
  spec: ReplicaSetDBSpec | undefined;
  invalidReason?: string;
  status: ReplicaSetDBStatus | undefined;
}

/** A group named like this object's for another engine family: what a major version upgrade leaves behind. */
export interface RetiredParameterGroup extends ParameterGroupSummary {
  tags: Record<string, string>;
}

export interface ObservedWorld {
  object: ObjectSnapshot;
  names: ResourceNames;
  instances: ReadonlyMap<string, RdsInstance>;
  /** The group the spec calls for, when it exists. */
  parameterGroup: ParameterGroup | undefined;
  /** Groups of this object's naming for other families (absent: none looked for). */
  retiredParameterGroups?: readonly RetiredParameterGroup[];
  credentials: CredentialsState;
  configMap: StoredConfigMap | undefined;
  /** The ConfigMap status names as published when spec.endpoints.configMapName names another (a rename), as read. */
  renamedConfigMap?: { ref: ObjectRef; stored: StoredConfigMap | undefined };
  /** CloudWatch ReplicaLag by replica identifier; a replica without an entry has unknown lag. */
  replicaLag?: ReadonlyMap<string, number | undefined>;
  /** Set when CloudWatch could not be asked; the lag of the previous status stands in. */
  lagUnavailable?: string;
  /** Whether the operator allows adoption in this object's namespace (--adopt-namespaces); unset: it does not. */
  namespaceAllowsAdoption?: boolean;
  /** CloudWatch DatabaseConnections of each draining replica (status.replicas[].drainingSince set), oldest first. */
  drainingConnections?: ReadonlyMap<string, readonly MetricDatapoint[]>;
  /** Set when CloudWatch could not be asked for them; the drain gate then has no evidence. */
  connectionsUnavailable?: string;
}

export interface ForeignResource {
  kind: 'instance' | 'parameter group';
  identifier: string;
  ownership: Exclude<Ownership, 'owned'>;
}

export class Observed {
  constructor(readonly world: ObservedWorld) {}

  get object(): ObjectSnapshot {
    return this.world.object;
  }

  get names(): ResourceNames {
    return this.world.names;
  }

  get owner(): Owner {
    return this.world.names.owner;
  }

  get spec(): ReplicaSetDBSpec | undefined {
    return this.world.object.spec;
  }

  get previousStatus(): ReplicaSetDBStatus | undefined {
    return this.world.object.status;
  }

  isDeleting(): boolean {
    return this.world.object.deletionTimestamp !== undefined;
  }

  hasFinalizer(): boolean {
    return this.world.object.finalizers.includes(FINALIZER);
  }

  /** The object asks for adoption (the annotation) and the operator allows it in this namespace: both are needed,
   * so a tenant cannot take over an instance in a shared account just by annotating its object. */
  adoptionAllowed(): boolean {
    return this.adoptionRequested() && this.world.namespaceAllowsAdoption === true;
  }

  adoptionRequested(): boolean {
    return isAdoptionAllowed(this.world.object.annotations);
  }

  namespaceAllowsAdoption(): boolean {
    return this.world.namespaceAllowsAdoption === true;
  }

  instance(identifier: string): RdsInstance | undefined {
    return this.world.instances.get(identifier);
  }

  primary(): RdsInstance | undefined {
    return this.instance(this.names.primary);
  }

  replica(index: number): RdsInstance | undefined {
    return this.instance(this.names.replica(index));
  }

  /** Indices of every instance named as one of this object's replicas, ascending. */
  replicaIndices(): number[] {
    const indices: number[] = [];
    for (const id of this.world.instances.keys()) {
      const index = this.names.replicaIndexOf(id);
      if (index !== undefined) indices.push(index);
    }
    return indices.sort((a, b) => a - b);
  }

  /** The replica indices the spec asks for: 1..count. */
  desiredReplicaIndices(): number[] {
    const count = this.spec?.replicas.count ?? 0;
    return Array.from({ length: count }, (_, i) => i + 1);
  }

  ownershipOf(tags: Readonly<Record<string, string>>): Ownership {
    return ownershipOf(tags, this.owner);
  }

  /** Owned, or about to be owned because adoption is allowed for it. */
  isManaged(instance: RdsInstance): boolean {
    const ownership = this.ownershipOf(instance.tags);
    return ownership === 'owned' || (this.adoptionAllowed() && isAdoptable(ownership) && this.adoptionFits(instance));
  }

  /** Owned instances at a replica's identifier that no longer replicate from this object's primary: promoted to
   * standalone databases (by a person, or by RDS when the primary was deleted), they may hold writes of their own. */
  promotedReplicas(): RdsInstance[] {
    return this.replicaIndices().flatMap((index) => {
      const replica = this.replica(index);
      if (replica === undefined || this.ownershipOf(replica.tags) !== 'owned' || replica.status === 'deleting') return [];
      return this.followsPrimary(replica) ? [] : [replica];
    });
  }

  /** A read replica of this object's primary. */
  followsPrimary(instance: RdsInstance): boolean {
    return instance.replicationSource === this.names.primary;
  }

  /** Instances (and the parameter group) carrying this object's identifiers that it must not touch. */
  foreignResources(): ForeignResource[] {
    const out: ForeignResource[] = [];
    for (const instance of this.world.instances.values()) {
      const ownership = this.ownershipOf(instance.tags);
      if (ownership === 'owned' || this.isManaged(instance)) continue;
      out.push({ kind: 'instance', identifier: instance.identifier, ownership });
    }
    const group = this.world.parameterGroup;
    if (group !== undefined) {
      const ownership = this.ownershipOf(group.tags);
      if (ownership !== 'owned' && !(this.adoptionAllowed() && isAdoptable(ownership))) {
        out.push({ kind: 'parameter group', identifier: group.name, ownership });
      }
    }
    return out;
  }

  /** An instance is only adopted into the role its identifier names: a primary that is not itself a replica, a
   * replica of this object's primary. Anything else would be adopted into a topology it does not have. */
  private adoptionFits(instance: RdsInstance): boolean {
    if (instance.engine !== 'postgres') return false;
    if (instance.identifier === this.names.primary) return instance.replicationSource === undefined;
    return this.followsPrimary(instance);
  }

  /** Managed instances not yet carrying this object's uid: they get the ownership tags before anything else. */
  instancesToAdopt(): RdsInstance[] {
    if (!this.adoptionAllowed()) return [];
    return [...this.world.instances.values()].filter((i) => {
      const ownership = this.ownershipOf(i.tags);
      return ownership !== 'owned' && isAdoptable(ownership) && this.adoptionFits(i);
    });
  }

  parameterGroup(): ParameterGroup | undefined {
    return this.world.parameterGroup;
  }

  retiredParameterGroups(): readonly RetiredParameterGroup[] {
    return this.world.retiredParameterGroups ?? [];
  }

  /** Every observed instance that names `group` among its parameter groups, ours or not. */
  instancesUsingParameterGroup(group: string): RdsInstance[] {
    return [...this.world.instances.values()].filter((i) => i.parameterGroups.some((g) => g.name === group));
  }

  credentials(): CredentialsState {
    return this.world.credentials;
  }

  /** The managed instances of this object (primary first, then replicas by index). */
  managedInstances(): RdsInstance[] {
    const primary = this.primary();
    const list = primary !== undefined && this.isManaged(primary) ? [primary] : [];
    for (const index of this.replicaIndices()) {
      const replica = this.replica(index);
      if (replica !== undefined && this.isManaged(replica)) list.push(replica);
    }
    return list;
  }

  /** The desired replicas that exist and are managed. */
  desiredReplicas(): Array<{ index: number; instance: RdsInstance }> {
    return this.desiredReplicaIndices().flatMap((index) => {
      const instance = this.replica(index);
      return instance !== undefined && this.isManaged(instance) ? [{ index, instance }] : [];
    });
  }

  /** Whether the status shows the primary was seen before: a primary that then disappears was deleted outside
   * the operator, and creating an empty one in its place would hide that. */
  primaryWasObserved(): boolean {
    const previous = this.previousStatus?.primary;
    return previous?.identifier === this.names.primary && previous.rdsStatus !== undefined && previous.rdsStatus !== 'creating';
  }

  /** The replica's lag at this observation: CloudWatch's answer, or the last one in status when CloudWatch could
   * not be asked (so a failing call neither takes lagging replicas back in nor good ones out). */
  /** The draining replica's DatabaseConnections datapoints; undefined when they were not read or could not be. */
  drainingConnections(identifier: string): readonly MetricDatapoint[] | undefined {
    return this.world.drainingConnections?.get(identifier);
  }

  replicaLag(identifier: string): number | undefined {
    if (this.world.lagUnavailable !== undefined) return this.previousInstanceStatus(identifier)?.lagSeconds;
    return this.world.replicaLag?.get(identifier);
  }

  previousInstanceStatus(identifier: string): InstanceStatus | undefined {
    const previous = this.previousStatus;
    if (previous?.primary?.identifier === identifier) return previous.primary;
    return previous?.replicas?.find((r) => r.identifier === identifier);
  }

  configMap(): StoredConfigMap | undefined {
    return this.world.configMap;
  }

  /** A ConfigMap of that name is ours to write or delete only if the operator created it for this object: its
   * managed-by label and this object as controller owner, or one an earlier object of this name released (below).
   * Anything else (made by hand, by another tool, or for another object) is left exactly as it is, also on the
   * finalizer path. */
  configMapIsForeign(): boolean {
    const configMap = this.world.configMap;
    if (configMap === undefined) return false;
    if (configMap.labels[MANAGED_BY_LABEL] !== MANAGED_BY) return true;
    return configMap.controllerUid !== this.object.uid && !this.configMapReleasedForThisName();
  }

  /** Left behind by an earlier object of this namespace/name deleted with deletionPolicy Retain: the operator's
   * label, no owner reference at all, and a published topology naming this object. A re-created object takes it
   * over, so its clients keep their mount. */
  private configMapReleasedForThisName(): boolean {
    if ((this.world.configMap?.ownerUids.length ?? 0) > 0) return false;
    const published = this.publishedTopology();
    return published?.namespace === this.object.ref.namespace && published.name === this.object.ref.name;
  }

  /** The ConfigMap spec.endpoints.configMapName named before a rename, while status still names it, when it is
   * this object's (its managed-by label and this object as controller owner): the one to withdraw the replicas from. */
  renamedConfigMap(): { ref: ObjectRef; stored: StoredConfigMap } | undefined {
    const renamed = this.world.renamedConfigMap;
    const stored = renamed?.stored;
    if (renamed === undefined || stored === undefined) return undefined;
    if (stored.labels[MANAGED_BY_LABEL] !== MANAGED_BY || stored.controllerUid !== this.object.uid) return undefined;
    return { ref: renamed.ref, stored };
  }

  /** topology.json as clients currently read it, when it parses. */
  publishedTopology(): Topology | undefined {
    return readPublishedTopology(this.world.configMap);
  }

  allManagedServing(): boolean {
    return this.managedInstances().every((i) => healthOf(i.status) === 'serving');
  }
}
