// An in-memory RdsPort for unit tests of the whole reconcile. It keeps the rules that matter to the reconciler
// (identifiers are unique, only an available instance is modified, a protected instance is not deleted, a
// replica needs an available source) and records every call, so a test can count mutating ones. Like the SDK, it
// sends nothing for a call whose abort signal is already aborted, and keeps each call's options for a test to check.
import { RdsError } from '../errors.js';
import { settingRows } from '../settings/values.js';
import { settingsAsReported } from './instances.js';
import type {
  CallOptions,
  CreateParameterGroupInput,
  CreatePrimaryInput,
  CreateReplicaInput,
  DescribeOptions,
  FinalSnapshot,
  InstanceModification,
  ParameterGroup,
  ParameterGroupSummary,
  RdsInstance,
  RdsPort,
  RdsSnapshot,
} from '../port.js';

export interface RecordedCall {
  operation: string;
  subject: string;
  mutating: boolean;
}

/** The per-call options a call came with, in call order (calls refused for an aborted signal included). */
export interface ReceivedOptions {
  operation: string;
  options: DescribeOptions | undefined;
}

/** The settings RDS holds for the maintenance window without ApplyImmediately (the fake applies the others at once). */
const DEFERRABLE: ReadonlySet<string> = new Set(
  settingRows()
    .filter((r) => r.waitsForMaintenanceWindow === true)
    .map((r) => r.key),
);

export class FakeRds implements RdsPort {
  readonly instances = new Map<string, RdsInstance>();
  readonly parameterGroups = new Map<string, ParameterGroup>();
  readonly snapshots = new Map<string, RdsSnapshot>();
  readonly calls: RecordedCall[] = [];
  readonly received: ReceivedOptions[] = [];
  /** Status of an instance right after its create call: `available` is what the emulator does. */
  createdStatus = 'available';
  /** Whether a deleted instance stays `deleting` (as in AWS) or vanishes at once (as in the emulator). */
  deletionLeaves: 'gone' | 'deleting' = 'gone';
  /** The last password sent to each instance (CreateDBInstance, then ModifyDBInstance): tests check where it went. */
  readonly passwords = new Map<string, string>();
  private readonly failures: Array<{ operation: string; error: RdsError }> = [];

  /** The next call of `operation` throws `error`. */
  failNext(operation: string, error: RdsError): void {
    this.failures.push({ operation, error });
  }

  /** Every ModifyDBInstance whose changes `when` matches throws what `error` makes, as RDS refuses a request for
   * one of its values (and so for the whole request). */
  rejectModificationsWhen(when: (changes: InstanceModification) => boolean, error: () => RdsError): void {
    this.modificationRejections.push({ when, error });
  }

  private readonly modificationRejections: Array<{ when: (changes: InstanceModification) => boolean; error: () => RdsError }> = [];

  mutatingCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.mutating);
  }

  private record(operation: string, subject: string, mutating: boolean, options: DescribeOptions | undefined): void {
    this.received.push({ operation, options });
    // The SDK rejects a request whose signal is already aborted without sending it.
    options?.signal?.throwIfAborted();
    this.calls.push({ operation, subject, mutating });
    const i = this.failures.findIndex((f) => f.operation === operation);
    if (i >= 0) {
      const [failure] = this.failures.splice(i, 1);
      throw failure!.error;
    }
  }

  private arn(kind: string, id: string): string {
    return `arn:aws:rds:us-east-1:123456789012:${kind}:${id}`;
  }

  private copy(instance: RdsInstance): RdsInstance {
    return structuredClone(instance);
  }

  async describeInstances(ids: readonly string[], options?: DescribeOptions): Promise<Map<string, RdsInstance>> {
    this.record('DescribeDBInstances', ids.join(','), false, options);
    const out = new Map<string, RdsInstance>();
    for (const id of ids) {
      const found = this.instances.get(id.toLowerCase());
      if (found !== undefined) out.set(found.identifier, this.copy(found));
    }
    return out;
  }

  private newInstance(input: CreatePrimaryInput | CreateReplicaInput, extra: Partial<RdsInstance>): RdsInstance {
    const id = input.identifier;
    return {
      identifier: id,
      arn: this.arn('db', id),
      status: this.createdStatus,
      engine: 'postgres',
      engineVersion: '15.4',
      multiAZ: false,
      storageEncrypted: true,
      backupRetentionDays: 0,
      ...settingsAsReported(input),
      endpoint: this.createdStatus === 'creating' ? undefined : { host: `${id}.fake.us-east-1.rds.amazonaws.com`, port: input.port ?? 5432 },
      availabilityZone: 'us-east-1a',
      replicaIdentifiers: [],
      pending: {},
      ...extra,
    };
  }

  async setMasterPassword(identifier: string, password: string, options?: CallOptions): Promise<RdsInstance> {
    this.record('ModifyDBInstance', identifier, true, options);
    const instance = this.instances.get(identifier);
    if (instance === undefined) throw new RdsError('not-found', 'DBInstanceNotFound', 'ModifyDBInstance', `DBInstance ${identifier} not found`);
    if (instance.status !== 'available') {
      throw new RdsError('invalid-state', 'InvalidDBInstanceState', 'ModifyDBInstance', `Database instance is not in available state (${instance.status})`);
    }
    this.passwords.set(identifier, password);
    return this.copy(instance);
  }

  async createPrimary(input: CreatePrimaryInput, options?: CallOptions): Promise<RdsInstance> {
    this.record('CreateDBInstance', input.identifier, true, options);
    if (this.instances.has(input.identifier)) throw new RdsError('already-exists', 'DBInstanceAlreadyExists', 'CreateDBInstance', 'DB instance already exists');
    this.passwords.set(input.identifier, input.masterPassword);
    const instance = this.newInstance(input, {
      engineVersion: /^\d+$/.test(input.engineVersion) ? `${input.engineVersion}.1` : input.engineVersion,
      multiAZ: input.multiAZ,
      storageEncrypted: input.storageEncrypted,
      kmsKeyId: input.kmsKeyId,
      databaseName: input.databaseName,
      masterUsername: input.masterUsername,
      backupRetentionDays: input.backupRetentionDays,
      backupWindow: input.backupWindow ?? '13:14-13:44',
    });
    this.instances.set(instance.identifier, instance);
    return this.copy(instance);
  }

  async createReplica(input: CreateReplicaInput, options?: CallOptions): Promise<RdsInstance> {
    this.record('CreateDBInstanceReadReplica', input.identifier, true, options);
    if (this.instances.has(input.identifier))
      throw new RdsError('already-exists', 'DBInstanceAlreadyExists', 'CreateDBInstanceReadReplica', 'DB instance already exists');
    const source = this.instances.get(input.sourceIdentifier);
    if (source === undefined)
      throw new RdsError('not-found', 'DBInstanceNotFound', 'CreateDBInstanceReadReplica', `DBInstance ${input.sourceIdentifier} not found`);
    if (source.status !== 'available')
      throw new RdsError('invalid-state', 'InvalidDBInstanceState', 'CreateDBInstanceReadReplica', `source is ${source.status}`);
    const instance = this.newInstance(input, {
      engineVersion: source.engineVersion,
      storageEncrypted: source.storageEncrypted,
      databaseName: source.databaseName,
      masterUsername: source.masterUsername,
      replicationSource: source.identifier,
    });
    source.replicaIdentifiers.push(instance.identifier);
    this.instances.set(instance.identifier, instance);
    return this.copy(instance);
  }

  async modifyInstance(identifier: string, changes: InstanceModification, applyImmediately: boolean, options?: CallOptions): Promise<RdsInstance> {
    this.record('ModifyDBInstance', identifier, true, options);
    const instance = this.instances.get(identifier);
    if (instance === undefined) throw new RdsError('not-found', 'DBInstanceNotFound', 'ModifyDBInstance', `DBInstance ${identifier} not found`);
    const rejection = this.modificationRejections.find((r) => r.when(changes));
    if (rejection !== undefined) throw rejection.error();
    const storageOnly = Object.keys(changes).every((k) => k === 'allocatedStorageGiB' || k === 'maxAllocatedStorageGiB');
    if (instance.status !== 'available' && !(instance.status === 'storage-full' && storageOnly)) {
      throw new RdsError('invalid-state', 'InvalidDBInstanceState', 'ModifyDBInstance', `Database instance is not in available state (${instance.status})`);
    }
    for (const [key, value] of Object.entries(changes) as Array<[keyof InstanceModification, unknown]>) {
      if (value === undefined || key === 'allowMajorVersionUpgrade') continue;
      if (!applyImmediately && DEFERRABLE.has(key)) {
        (instance.pending as Record<string, unknown>)[key] = value;
        continue;
      }
      switch (key) {
        case 'logExports': {
          const { enable, disable } = value as { enable: string[]; disable: string[] };
          instance.logExports = [...instance.logExports.filter((l) => !disable.includes(l)), ...enable];
          break;
        }
        case 'parameterGroupName':
          instance.parameterGroups = [{ name: value as string, applyStatus: 'pending-reboot' }];
          break;
        case 'maintenanceWindow':
          instance.maintenanceWindow = (value as string).toLowerCase();
          break;
        case 'maxAllocatedStorageGiB': {
          const max = value as number;
          instance.maxAllocatedStorageGiB = max > instance.allocatedStorageGiB ? max : undefined;
          break;
        }
        default:
          (instance as unknown as Record<string, unknown>)[key] = value;
      }
    }
    if (instance.maxAllocatedStorageGiB !== undefined && instance.maxAllocatedStorageGiB <= instance.allocatedStorageGiB)
      instance.maxAllocatedStorageGiB = undefined;
    if (instance.port !== undefined && instance.endpoint !== undefined) instance.endpoint.port = instance.port;
    return this.copy(instance);
  }

  async deleteInstance(identifier: string, finalSnapshot: FinalSnapshot, options?: CallOptions): Promise<RdsInstance | undefined> {
    this.record('DeleteDBInstance', identifier, true, options);
    const instance = this.instances.get(identifier);
    if (instance === undefined) throw new RdsError('not-found', 'DBInstanceNotFound', 'DeleteDBInstance', `DBInstance ${identifier} not found`);
    if (instance.deletionProtection) {
      throw new RdsError(
        'terminal',
        'InvalidParameterCombination',
        'DeleteDBInstance',
        'Cannot delete protected DB Instance, please disable deletion protection and try again.',
      );
    }
    if (finalSnapshot !== 'skip') {
      const id = finalSnapshot.finalSnapshotIdentifier;
      this.snapshots.set(id, { identifier: id, instanceIdentifier: identifier, status: 'available', type: 'manual', tags: { ...instance.tags } });
    }
    if (this.deletionLeaves === 'gone') {
      this.instances.delete(identifier);
      const source = instance.replicationSource !== undefined ? this.instances.get(instance.replicationSource) : undefined;
      if (source !== undefined) source.replicaIdentifiers = source.replicaIdentifiers.filter((r) => r !== identifier);
    } else {
      instance.status = 'deleting';
    }
    return { ...this.copy(instance), status: 'deleting' };
  }

  /** Finishes the deletions a `deleting` instance stands for (AWS does this minutes later). */
  finishDeletions(): void {
    for (const [id, instance] of this.instances) {
      if (instance.status !== 'deleting') continue;
      this.instances.delete(id);
      for (const other of this.instances.values()) other.replicaIdentifiers = other.replicaIdentifiers.filter((r) => r !== id);
    }
  }

  async addTags(arn: string, tags: Record<string, string>, options?: CallOptions): Promise<void> {
    this.record('AddTagsToResource', arn, true, options);
    const target = [...this.instances.values(), ...this.parameterGroups.values()].find((r) => r.arn === arn);
    if (target === undefined) throw new RdsError('terminal', 'InvalidParameterValue', 'AddTagsToResource', `Invalid resource name: ${arn}`);
    Object.assign(target.tags, tags);
  }

  async listTags(arn: string, options?: CallOptions): Promise<Record<string, string>> {
    this.record('ListTagsForResource', arn, false, options);
    const target = [...this.instances.values(), ...this.parameterGroups.values()].find((r) => r.arn === arn);
    return { ...(target?.tags ?? {}) };
  }

  async describeParameterGroup(name: string, options?: CallOptions): Promise<ParameterGroup | undefined> {
    this.record('DescribeDBParameterGroups', name, false, options);
    const group = this.parameterGroups.get(name);
    return group === undefined ? undefined : structuredClone(group);
  }

  async listParameterGroups(options?: CallOptions): Promise<ParameterGroupSummary[]> {
    this.record('DescribeDBParameterGroups', '*', false, options);
    return [...this.parameterGroups.values()].map(({ name, arn, family }) => ({ name, arn, family }));
  }

  async createParameterGroup(input: CreateParameterGroupInput, options?: CallOptions): Promise<void> {
    this.record('CreateDBParameterGroup', input.name, true, options);
    if (this.parameterGroups.has(input.name)) throw new RdsError('already-exists', 'DBParameterGroupAlreadyExists', 'CreateDBParameterGroup', 'exists');
    this.parameterGroups.set(input.name, { name: input.name, arn: this.arn('pg', input.name), family: input.family, tags: { ...input.tags }, parameters: {} });
  }

  async setParameters(groupName: string, values: Readonly<Record<string, string>>, options?: CallOptions): Promise<void> {
    this.record('ModifyDBParameterGroup', groupName, true, options);
    const group = this.parameterGroups.get(groupName);
    if (group === undefined) throw new RdsError('not-found', 'DBParameterGroupNotFound', 'ModifyDBParameterGroup', 'not found');
    Object.assign(group.parameters, values);
  }

  async resetParameters(groupName: string, names: readonly string[], options?: CallOptions): Promise<void> {
    this.record('ResetDBParameterGroup', groupName, true, options);
    const group = this.parameterGroups.get(groupName);
    if (group === undefined) throw new RdsError('not-found', 'DBParameterGroupNotFound', 'ResetDBParameterGroup', 'not found');
    for (const name of names) delete group.parameters[name];
  }

  async deleteParameterGroup(name: string, options?: CallOptions): Promise<void> {
    this.record('DeleteDBParameterGroup', name, true, options);
    const inUse = [...this.instances.values()].some((i) => i.parameterGroups.some((g) => g.name === name));
    if (inUse) throw new RdsError('invalid-state', 'InvalidDBParameterGroupState', 'DeleteDBParameterGroup', 'in use');
    this.parameterGroups.delete(name);
  }

  async describeSnapshot(identifier: string, options?: CallOptions): Promise<RdsSnapshot | undefined> {
    this.record('DescribeDBSnapshots', identifier, false, options);
    const snapshot = this.snapshots.get(identifier);
    return snapshot === undefined ? undefined : structuredClone(snapshot);
  }
}
