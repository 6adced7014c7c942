// The RdsPort on @aws-sdk/client-rds. Every call goes through `call`, which turns whatever the SDK throws into
// an RdsError whose kind tells the reconciler what to do.
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateDBParameterGroupCommand,
  DeleteDBInstanceCommand,
  DeleteDBParameterGroupCommand,
  DescribeDBInstancesCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  ResetDBParameterGroupCommand,
  type DBInstance,
  type Parameter,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { isRdsError, toRdsError } from './errors.js';
import type {
  CreateParameterGroupInput,
  CreatePrimaryInput,
  CreateReplicaInput,
  FinalSnapshot,
  InstanceModification,
  ParameterGroup,
  ParameterGroupSummary,
  RdsInstance,
  RdsPort,
  RdsSnapshot,
} from './port.js';
import { createPrimaryRequest, createReplicaRequest, instanceFromSdk, masterPasswordRequest, modifyRequest, recordToTags, tagsToRecord } from './sdk-mapping.js';

/** RDS accepts at most 100 values in one filter ("Only up to 100 unique filter ... Identifiers may be specified
 * per filter"), and returns at most 100 records per page. */
export const MAX_FILTER_VALUES = 100;
/** ModifyDBParameterGroup and ResetDBParameterGroup take at most 20 parameters per request. */
export const MAX_PARAMETERS_PER_REQUEST = 20;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class SdkRdsPort implements RdsPort {
  constructor(private readonly client: RDSClient) {}

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw toRdsError(err, operation);
    }
  }

  async describeInstances(ids: readonly string[]): Promise<Map<string, RdsInstance>> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    const found = new Map<string, RdsInstance>();
    for (const chunk of chunks(unique, MAX_FILTER_VALUES)) {
      let marker: string | undefined;
      do {
        const page = await this.call('DescribeDBInstances', () =>
          this.client.send(
            new DescribeDBInstancesCommand({
              Filters: [{ Name: 'db-instance-id', Values: chunk }],
              MaxRecords: MAX_FILTER_VALUES,
              Marker: marker,
            }),
          ),
        );
        for (const db of page.DBInstances ?? []) {
          const instance = instanceFromSdk(db);
          found.set(instance.identifier, instance);
        }
        marker = page.Marker;
      } while (marker);
    }
    return found;
  }

  async createPrimary(input: CreatePrimaryInput): Promise<RdsInstance> {
    const out = await this.call('CreateDBInstance', () => this.client.send(new CreateDBInstanceCommand(createPrimaryRequest(input))));
    return this.described(out.DBInstance, input.identifier);
  }

  async createReplica(input: CreateReplicaInput): Promise<RdsInstance> {
    const out = await this.call('CreateDBInstanceReadReplica', () =>
      this.client.send(new CreateDBInstanceReadReplicaCommand(createReplicaRequest(input))),
    );
    return this.described(out.DBInstance, input.identifier);
  }

  async modifyInstance(identifier: string, changes: InstanceModification, applyImmediately: boolean): Promise<RdsInstance> {
    const out = await this.call('ModifyDBInstance', () =>
      this.client.send(new ModifyDBInstanceCommand(modifyRequest(identifier, changes, applyImmediately))),
    );
    return this.described(out.DBInstance, identifier);
  }

  async setMasterPassword(identifier: string, password: string): Promise<RdsInstance> {
    const out = await this.call('ModifyDBInstance', () => this.client.send(new ModifyDBInstanceCommand(masterPasswordRequest(identifier, password))));
    return this.described(out.DBInstance, identifier);
  }

  async deleteInstance(identifier: string, finalSnapshot: FinalSnapshot): Promise<RdsInstance | undefined> {
    const snapshot =
      finalSnapshot === 'skip'
        ? { SkipFinalSnapshot: true }
        : { SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: finalSnapshot.finalSnapshotIdentifier };
    const out = await this.call('DeleteDBInstance', () =>
      this.client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier, ...snapshot })),
    );
    return out.DBInstance ? instanceFromSdk(out.DBInstance) : undefined;
  }

  async addTags(arn: string, tags: Record<string, string>): Promise<void> {
    if (Object.keys(tags).length === 0) return;
    await this.call('AddTagsToResource', () => this.client.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: recordToTags(tags) })));
  }

  async listTags(arn: string): Promise<Record<string, string>> {
    const out = await this.call('ListTagsForResource', () => this.client.send(new ListTagsForResourceCommand({ ResourceName: arn })));
    return tagsToRecord(out.TagList);
  }

  async describeParameterGroup(name: string): Promise<ParameterGroup | undefined> {
    let group;
    try {
      const out = await this.call('DescribeDBParameterGroups', () =>
        this.client.send(new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name })),
      );
      // RDS answers DBParameterGroupNotFound; some emulators answer an empty list. Both mean absent.
      group = out.DBParameterGroups?.find((g) => g.DBParameterGroupName?.toLowerCase() === name.toLowerCase());
    } catch (err) {
      if (isRdsError(err, 'not-found')) return undefined;
      throw err;
    }
    if (group === undefined) return undefined;
    const arn = group.DBParameterGroupArn ?? '';
    const [tags, parameters] = await Promise.all([this.listTags(arn), this.describeParameters(name, 'user')]);
    return {
      name: group.DBParameterGroupName ?? name,
      arn,
      family: group.DBParameterGroupFamily ?? '',
      tags,
      parameters: Object.fromEntries(parameters.flatMap((p) => (p.ParameterName ? [[p.ParameterName, p.ParameterValue ?? '']] : []))),
    };
  }

  async listParameterGroups(): Promise<ParameterGroupSummary[]> {
    const out: ParameterGroupSummary[] = [];
    let marker: string | undefined;
    do {
      const page = await this.call('DescribeDBParameterGroups', () =>
        this.client.send(new DescribeDBParameterGroupsCommand({ MaxRecords: 100, Marker: marker })),
      );
      for (const g of page.DBParameterGroups ?? []) {
        if (g.DBParameterGroupName === undefined) continue;
        out.push({ name: g.DBParameterGroupName, arn: g.DBParameterGroupArn ?? '', family: g.DBParameterGroupFamily ?? '' });
      }
      marker = page.Marker;
    } while (marker);
    return out;
  }

  private async describeParameters(groupName: string, source?: 'user'): Promise<Parameter[]> {
    const all: Parameter[] = [];
    let marker: string | undefined;
    do {
      const page = await this.call('DescribeDBParameters', () =>
        this.client.send(new DescribeDBParametersCommand({ DBParameterGroupName: groupName, Source: source, MaxRecords: 100, Marker: marker })),
      );
      all.push(...(page.Parameters ?? []));
      marker = page.Marker;
    } while (marker);
    return all;
  }

  async createParameterGroup(input: CreateParameterGroupInput): Promise<void> {
    await this.call('CreateDBParameterGroup', () =>
      this.client.send(
        new CreateDBParameterGroupCommand({
          DBParameterGroupName: input.name,
          DBParameterGroupFamily: input.family,
          Description: input.description,
          Tags: recordToTags(input.tags),
        }),
      ),
    );
  }

  /** `immediate` needs a dynamic parameter and `pending-reboot` works for both, so the apply type decides. The
   * lookup is one paged read of the group, made only when something is about to change. */
  private async applyMethods(groupName: string, names: readonly string[]): Promise<Map<string, 'immediate' | 'pending-reboot'>> {
    const applyType = new Map((await this.describeParameters(groupName)).map((p) => [p.ParameterName, p.ApplyType]));
    return new Map(names.map((name) => [name, applyType.get(name) === 'dynamic' ? 'immediate' : 'pending-reboot']));
  }

  async setParameters(groupName: string, values: Readonly<Record<string, string>>): Promise<void> {
    const names = Object.keys(values);
    if (names.length === 0) return;
    const methods = await this.applyMethods(groupName, names);
    for (const chunk of chunks(names, MAX_PARAMETERS_PER_REQUEST)) {
      await this.call('ModifyDBParameterGroup', () =>
        this.client.send(
          new ModifyDBParameterGroupCommand({
            DBParameterGroupName: groupName,
            Parameters: chunk.map((name) => ({ ParameterName: name, ParameterValue: values[name], ApplyMethod: methods.get(name) })),
          }),
        ),
      );
    }
  }

  async resetParameters(groupName: string, names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const methods = await this.applyMethods(groupName, names);
    for (const chunk of chunks(names, MAX_PARAMETERS_PER_REQUEST)) {
      await this.call('ResetDBParameterGroup', () =>
        this.client.send(
          new ResetDBParameterGroupCommand({
            DBParameterGroupName: groupName,
            ResetAllParameters: false,
            Parameters: chunk.map((name) => ({ ParameterName: name, ApplyMethod: methods.get(name) })),
          }),
        ),
      );
    }
  }

  async deleteParameterGroup(name: string): Promise<void> {
    try {
      await this.call('DeleteDBParameterGroup', () => this.client.send(new DeleteDBParameterGroupCommand({ DBParameterGroupName: name })));
    } catch (err) {
      if (isRdsError(err, 'not-found')) return;
      throw err;
    }
  }

  async describeSnapshot(identifier: string): Promise<RdsSnapshot | undefined> {
    try {
      const out = await this.call('DescribeDBSnapshots', () =>
        this.client.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier })),
      );
      const s = out.DBSnapshots?.[0];
      if (s === undefined) return undefined;
      return {
        identifier: s.DBSnapshotIdentifier ?? identifier,
        instanceIdentifier: s.DBInstanceIdentifier ?? '',
        status: s.Status ?? 'unknown',
        type: s.SnapshotType ?? '',
        tags: tagsToRecord(s.TagList),
      };
    } catch (err) {
      if (isRdsError(err, 'not-found')) return undefined;
      throw err;
    }
  }

  /** The instance from a mutating call's response; RDS always returns it, but an empty answer must not crash. */
  private described(db: DBInstance | undefined, identifier: string): RdsInstance {
    if (db === undefined) throw toRdsError(Object.assign(new Error(`RDS returned no instance for ${identifier}`), { $fault: 'server' }), 'Describe');
    return instanceFromSdk(db);
  }
}
