// The RDS side of a reconcile, as narrow as the reconciler needs it. Values are in the operator's vocabulary
// (GiB, seconds, records of tags), not the SDK's, so the plan never touches an SDK type and a fake is small.
import type { CreateSettings, InstanceSettings, PendingSettings, ReportedSettings, SettingsModification } from './settings/values.js';

export interface InstanceEndpoint {
  host: string;
  port: number;
}

/** Changes RDS accepted but holds for the maintenance window (ModifyDBInstance without ApplyImmediately). */
export type PendingModifications = PendingSettings;

export interface AttachedParameterGroup {
  name: string;
  /** in-sync, applying, pending-reboot, ... */
  applyStatus?: string;
}

/** A DB instance as DescribeDBInstances reports it: its settings (see settings/table.ts) and its state. Optional
 * fields are the ones RDS (or its emulator) may leave out; the plan never treats an absent value as a difference to
 * correct. */
export type RdsInstance = ReportedSettings & {
  identifier: string;
  arn: string;
  /** DBInstanceStatus: creating, available, modifying, backing-up, storage-full, failed, deleting, ... */
  status: string;
  engine: string;
  parameterGroups: AttachedParameterGroup[];
  endpoint?: InstanceEndpoint;
  availabilityZone?: string;
  /** Set on a read replica: the identifier of its source. */
  replicationSource?: string;
  /** Set on a source: the identifiers of its read replicas. */
  replicaIdentifiers: string[];
  tags: Record<string, string>;
  pending: PendingModifications;
};

/** What the table does not hold: the resources an instance is created in relation to. */
interface InstanceResources {
  identifier: string;
  parameterGroupName: string;
  tags: Record<string, string>;
}

/** Settings a primary and a replica are both created with. */
export type CommonInstanceSettings = InstanceSettings & Omit<InstanceResources, 'identifier'>;

export type CreatePrimaryInput = CreateSettings<'primary'> &
  InstanceResources & {
    engine: 'postgres';
    /** Goes to AWS and nowhere else: never logged, never part of an Event or an error message. */
    masterPassword: string;
  };

export type CreateReplicaInput = InstanceSettings &
  InstanceResources & {
    sourceIdentifier: string;
  };

/** Only the fields that differ; an absent field is not sent, so RDS leaves it as it is. A major upgrade also names
 * the new family's parameter group. */
export type InstanceModification = SettingsModification & {
  allowMajorVersionUpgrade?: boolean;
  parameterGroupName?: string;
};

export type FinalSnapshot = { finalSnapshotIdentifier: string } | 'skip';

export interface ParameterGroup {
  name: string;
  arn: string;
  family: string;
  tags: Record<string, string>;
  /** Parameters set in the group (source `user`), name to value. */
  parameters: Record<string, string>;
}

/** A DB parameter group as DescribeDBParameterGroups lists it: no parameters, no tags. */
export interface ParameterGroupSummary {
  name: string;
  arn: string;
  family: string;
}

export interface CreateParameterGroupInput {
  name: string;
  family: string;
  description: string;
  tags: Record<string, string>;
}

export interface RdsSnapshot {
  identifier: string;
  instanceIdentifier: string;
  status: string;
  type: string;
  tags: Record<string, string>;
}

/** Per call: `signal` aborts the request in flight (the reconcile lost leadership or is shutting down). */
export interface CallOptions {
  signal?: AbortSignal;
}

/** `fresh`: the answer must come from a call sent now, never from a cache (a check right before a destructive
 * call). */
export interface DescribeOptions extends CallOptions {
  fresh?: boolean;
}

export interface RdsPort {
  /** The instances among `ids` that exist, by identifier; a missing id is simply absent from the map. */
  describeInstances(ids: readonly string[], options?: DescribeOptions): Promise<Map<string, RdsInstance>>;
  createPrimary(input: CreatePrimaryInput, options?: CallOptions): Promise<RdsInstance>;
  createReplica(input: CreateReplicaInput, options?: CallOptions): Promise<RdsInstance>;
  modifyInstance(identifier: string, changes: InstanceModification, applyImmediately: boolean, options?: CallOptions): Promise<RdsInstance>;
  /** ModifyDBInstance with MasterUserPassword only. The password goes to AWS and nowhere else. */
  setMasterPassword(identifier: string, password: string, options?: CallOptions): Promise<RdsInstance>;
  deleteInstance(identifier: string, finalSnapshot: FinalSnapshot, options?: CallOptions): Promise<RdsInstance | undefined>;
  /** Adds or overwrites tags; never removes one. */
  addTags(arn: string, tags: Record<string, string>, options?: CallOptions): Promise<void>;
  listTags(arn: string, options?: CallOptions): Promise<Record<string, string>>;

  describeParameterGroup(name: string, options?: CallOptions): Promise<ParameterGroup | undefined>;
  /** Every DB parameter group of the account and region (RDS offers no filter on this call), without parameters or
   * tags. */
  listParameterGroups(options?: CallOptions): Promise<ParameterGroupSummary[]>;
  createParameterGroup(input: CreateParameterGroupInput, options?: CallOptions): Promise<void>;
  /** Sets parameters: `immediate` for dynamic ones, `pending-reboot` for static ones (RDS refuses `immediate`
   * for a static parameter; a static one takes effect at the instance's next reboot). */
  setParameters(groupName: string, values: Readonly<Record<string, string>>, options?: CallOptions): Promise<void>;
  /** Returns parameters to the family default. */
  resetParameters(groupName: string, names: readonly string[], options?: CallOptions): Promise<void>;
  /** Idempotent: a group that is gone is not an error. */
  deleteParameterGroup(name: string, options?: CallOptions): Promise<void>;

  describeSnapshot(identifier: string, options?: CallOptions): Promise<RdsSnapshot | undefined>;
}
