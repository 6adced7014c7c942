// Translation between the SDK's shapes and the port's. Pure, so it is tested without a client. The settings follow
// the table in settings/table.ts; what is written here is the rest of an instance: its identity, state and tags.
import type { CreateDBInstanceCommandInput, CreateDBInstanceReadReplicaCommandInput, DBInstance, ModifyDBInstanceCommandInput, Tag } from '@aws-sdk/client-rds';
import type { CreatePrimaryInput, CreateReplicaInput, InstanceModification, RdsInstance } from './port.js';
import { createFields, modifyFields, pendingSettings, reportedSettings } from './settings/values.js';

export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

export function recordToTags(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function instanceFromSdk(db: DBInstance): RdsInstance {
  const host = db.Endpoint?.Address;
  const port = db.Endpoint?.Port;
  return {
    ...reportedSettings(db),
    identifier: db.DBInstanceIdentifier ?? '',
    arn: db.DBInstanceArn ?? '',
    status: db.DBInstanceStatus ?? 'unknown',
    engine: db.Engine ?? '',
    parameterGroups: (db.DBParameterGroups ?? []).flatMap((g) =>
      g.DBParameterGroupName ? [{ name: g.DBParameterGroupName, applyStatus: g.ParameterApplyStatus }] : [],
    ),
    endpoint: host !== undefined && port !== undefined ? { host, port } : undefined,
    availabilityZone: db.AvailabilityZone,
    replicationSource: db.ReadReplicaSourceDBInstanceIdentifier,
    replicaIdentifiers: db.ReadReplicaDBInstanceIdentifiers ?? [],
    tags: tagsToRecord(db.TagList),
    pending: pendingSettings(db),
  };
}

/** What every created instance carries besides its settings. */
function createdWith(input: CreatePrimaryInput | CreateReplicaInput) {
  return {
    DBInstanceIdentifier: input.identifier,
    DBParameterGroupName: input.parameterGroupName,
    // The final snapshot then carries the ownership tags, so it can be traced back to its object.
    CopyTagsToSnapshot: true,
    Tags: recordToTags(input.tags),
  };
}

export function createPrimaryRequest(input: CreatePrimaryInput): CreateDBInstanceCommandInput {
  return {
    ...createdWith(input),
    Engine: input.engine,
    MasterUserPassword: input.masterPassword,
    ...createFields(input, 'primary'),
  } as CreateDBInstanceCommandInput;
}

export function createReplicaRequest(input: CreateReplicaInput): CreateDBInstanceReadReplicaCommandInput {
  return {
    ...createdWith(input),
    SourceDBInstanceIdentifier: input.sourceIdentifier,
    ...createFields(input, 'replica'),
  } as CreateDBInstanceReadReplicaCommandInput;
}

/** RDS applies a new master password as soon as it can whatever ApplyImmediately says; true would also apply every
 * change held for the maintenance window, so it is false. */
export function masterPasswordRequest(identifier: string, password: string): ModifyDBInstanceCommandInput {
  return { DBInstanceIdentifier: identifier, MasterUserPassword: password, ApplyImmediately: false };
}

export function modifyRequest(identifier: string, changes: InstanceModification, applyImmediately: boolean): ModifyDBInstanceCommandInput {
  const extra = { AllowMajorVersionUpgrade: changes.allowMajorVersionUpgrade, DBParameterGroupName: changes.parameterGroupName };
  return {
    DBInstanceIdentifier: identifier,
    ApplyImmediately: applyImmediately,
    ...modifyFields(changes),
    ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
  };
}
