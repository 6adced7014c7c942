// The RdsPort on @aws-sdk/client-rds. Every call goes through `call` (sdk-call.ts), which turns whatever the SDK
// throws into an RdsError whose kind tells the reconciler what to do.
import {
  AddTagsToResourceCommand,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { isRdsError, toRdsError } from './errors.js';
import type {
  CallOptions,
  CreatePrimaryInput,
  CreateReplicaInput,
  DescribeOptions,
  FinalSnapshot,
  InstanceModification,
  RdsInstance,
  RdsPort,
  RdsSnapshot,
} from './port.js';
import { chunks } from './sdk-call.js';
import {
  createPrimaryRequest,
  createReplicaRequest,
  instanceFromSdk,
  masterPasswordRequest,
  modifyRequest,
  recordToTags,
  tagsToRecord,
} from './sdk-mapping.js';
import { SdkParameterGroups } from './sdk-parameter-groups.js';

export { MAX_PARAMETERS_PER_REQUEST } from './sdk-parameter-groups.js';

/** RDS accepts at most 100 values in one filter ("Only up to 100 unique filter ... Identifiers may be specified
 * per filter"), and returns at most 100 records per page. */
export const MAX_FILTER_VALUES = 100;

/** The instance calls here; the parameter group calls in SdkParameterGroups. */
export class SdkRdsPort extends SdkParameterGroups implements RdsPort {
  /** Always a call sent now: `fresh` needs nothing more here. */
  async describeInstances(ids: readonly string[], options?: DescribeOptions): Promise<Map<string, RdsInstance>> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    const found = new Map<string, RdsInstance>();
    for (const chunk of chunks(unique, MAX_FILTER_VALUES)) {
      let marker: string | undefined;
      do {
        const page = await this.call('DescribeDBInstances', options, (sdk) =>
          this.client.send(
            new DescribeDBInstancesCommand({
              Filters: [{ Name: 'db-instance-id', Values: chunk }],
              MaxRecords: MAX_FILTER_VALUES,
              Marker: marker,
            }),
            sdk,
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

  async createPrimary(input: CreatePrimaryInput, options?: CallOptions): Promise<RdsInstance> {
    const out = await this.call('CreateDBInstance', options, (sdk) => this.client.send(new CreateDBInstanceCommand(createPrimaryRequest(input)), sdk));
    return this.described(out.DBInstance, input.identifier);
  }

  async createReplica(input: CreateReplicaInput, options?: CallOptions): Promise<RdsInstance> {
    const out = await this.call('CreateDBInstanceReadReplica', options, (sdk) =>
      this.client.send(new CreateDBInstanceReadReplicaCommand(createReplicaRequest(input)), sdk),
    );
    return this.described(out.DBInstance, input.identifier);
  }

  async modifyInstance(identifier: string, changes: InstanceModification, applyImmediately: boolean, options?: CallOptions): Promise<RdsInstance> {
    const out = await this.call('ModifyDBInstance', options, (sdk) =>
      this.client.send(new ModifyDBInstanceCommand(modifyRequest(identifier, changes, applyImmediately)), sdk),
    );
    return this.described(out.DBInstance, identifier);
  }

  async setMasterPassword(identifier: string, password: string, options?: CallOptions): Promise<RdsInstance> {
    const out = await this.call('ModifyDBInstance', options, (sdk) =>
      this.client.send(new ModifyDBInstanceCommand(masterPasswordRequest(identifier, password)), sdk),
    );
    return this.described(out.DBInstance, identifier);
  }

  async deleteInstance(identifier: string, finalSnapshot: FinalSnapshot, options?: CallOptions): Promise<RdsInstance | undefined> {
    const snapshot =
      finalSnapshot === 'skip' ? { SkipFinalSnapshot: true } : { SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: finalSnapshot.finalSnapshotIdentifier };
    const out = await this.call('DeleteDBInstance', options, (sdk) =>
      this.client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier, ...snapshot }), sdk),
    );
    return out.DBInstance ? instanceFromSdk(out.DBInstance) : undefined;
  }

  async addTags(arn: string, tags: Record<string, string>, options?: CallOptions): Promise<void> {
    if (Object.keys(tags).length === 0) return;
    await this.call('AddTagsToResource', options, (sdk) =>
      this.client.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: recordToTags(tags) }), sdk),
    );
  }

  async describeSnapshot(identifier: string, options?: CallOptions): Promise<RdsSnapshot | undefined> {
    try {
      const out = await this.call('DescribeDBSnapshots', options, (sdk) =>
        this.client.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }), sdk),
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
