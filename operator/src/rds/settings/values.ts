// The settings table turned into types and into the SDK's shapes: what the port's inputs, instances and
// modifications hold, and the request and describe fields for them.
import type { DBInstance } from '@aws-sdk/client-rds';
import type { ReplicaSetDBSpec } from '../../api/index.js';
import type { InstanceRole } from '../../naming/index.js';
import { SETTINGS } from './table.js';
import type { RequiredAtCreate, SettingRow } from './row.js';

type Row = (typeof SETTINGS)[number];
type DesiredOf<R extends Row> = ReturnType<R['desired']>;
type ObservedOf<R extends Row> = ReturnType<R['fromDescribe']>;
type ModificationOf<R extends Row> = R extends { modification?: infer M } ? Exclude<M, undefined> : never;

/** A value that can be undefined is an optional field. */
type Fields<T extends Record<string, unknown>> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: T[K];
};

/** What an instance is created with. */
export type InstanceSettings = Fields<{ [R in Row as R['key']]: DesiredOf<R> }>;
/** What DescribeDBInstances reports; an optional field is one RDS (or its emulator) may leave out. */
export type ReportedSettings = Fields<{ [R in Row as R['key']]: ObservedOf<R> }>;
/** Only the fields that differ; an absent field is not sent, so RDS leaves it as it is. */
export type SettingsModification = { [R in Row as R['key']]?: [ModificationOf<R>] extends [never] ? Exclude<DesiredOf<R>, undefined> : ModificationOf<R> };
/** Changes RDS accepted but holds for the maintenance window (ModifyDBInstance without ApplyImmediately). */
export type PendingSettings = { [R in Row as R['key']]?: Exclude<DesiredOf<R>, undefined> };

export type SettingKey = Row['key'];

/** The settings a role's create request always carries (the rows' `requiredAtCreate`), with their values. */
type RequiredAtCreateOf<Role extends InstanceRole> = {
  [R in Row as R extends { requiredAtCreate?: readonly (infer Q)[] } ? (Role extends Q ? R['key'] : never) : never]: NonNullable<DesiredOf<R>>;
};
/** What a role's instance is created with: every setting the spec gives, the required ones certainly present. */
export type CreateSettings<Role extends InstanceRole> = InstanceSettings & RequiredAtCreateOf<Role>;

/** A row of the table, its value types widened. */
export type TableRow = SettingRow & RequiredAtCreate<InstanceRole>;

const rows: readonly TableRow[] = SETTINGS as readonly TableRow[];

export function settingRows(): readonly TableRow[] {
  return rows;
}

export function rowOf(key: string): TableRow | undefined {
  return rows.find((r) => r.key === key);
}

export function appliesTo(r: SettingRow, role: InstanceRole): boolean {
  return r.roles.includes(role);
}

export function enforcedOn(r: SettingRow, role: InstanceRole): boolean {
  return (r.enforcedOn ?? r.roles).includes(role);
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** The settings of a role's instance as the spec wants them; a setting the spec leaves to RDS is absent. */
export function desiredSettings(spec: ReplicaSetDBSpec, role: InstanceRole): InstanceSettings {
  const out: Record<string, unknown> = {};
  for (const r of rows) if (appliesTo(r, role)) out[r.key] = r.desired(spec, role);
  return dropUndefined(out) as InstanceSettings;
}

/** The settings a role's instance is created with. Throws for a spec without a required one: validation admits
 * no such spec, so this is a defect, never a reason to create an instance RDS would default. */
export function desiredCreateSettings<Role extends InstanceRole>(spec: ReplicaSetDBSpec, role: Role): CreateSettings<Role> {
  const settings = desiredSettings(spec, role) as Readonly<Record<string, unknown>>;
  for (const r of rows) {
    if (r.requiredAtCreate?.includes(role) && settings[r.key] === undefined) throw new Error(`a valid spec always sets ${r.specPath}`);
  }
  return settings as CreateSettings<Role>;
}

/** The CreateDBInstance (primary) or CreateDBInstanceReadReplica (replica) fields for the settings of `input`. */
export function createFields(settings: object, role: InstanceRole): Record<string, unknown> {
  const input = settings as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    const key = role === 'replica' ? (r.createReplica ?? r.create) : r.create;
    const value = input[r.key] ?? r.createDefault;
    if (!appliesTo(r, role) || key === undefined || value === undefined) continue;
    Object.assign(out, r.toRequest ? r.toRequest(value as never, input) : { [key]: value });
  }
  return dropUndefined(out);
}

/** The ModifyDBInstance fields for a modification. */
export function modifyFields(modification: object): Record<string, unknown> {
  const changes = modification as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    const value = changes[r.key];
    if (r.modify === undefined || value === undefined) continue;
    const convert = r.toModifyRequest ?? r.toRequest;
    Object.assign(out, convert ? convert(value, changes) : { [r.modify]: value });
  }
  return dropUndefined(out);
}

export function reportedSettings(db: DBInstance): ReportedSettings {
  return Object.fromEntries(rows.map((r) => [r.key, r.fromDescribe(db)])) as ReportedSettings;
}

export function pendingSettings(db: DBInstance): PendingSettings {
  const pending = (db.PendingModifiedValues ?? {}) as Record<string, unknown>;
  return dropUndefined(Object.fromEntries(rows.flatMap((r) => (r.pendingKey ? [[r.key, pending[r.pendingKey]]] : [])))) as PendingSettings;
}
