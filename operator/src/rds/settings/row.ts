// The shape of one row of the settings table: everything the operator knows about one RDS instance setting, so
// creating, reading back, comparing, modifying and documenting it all follow from the same place.
import type { DBInstance, PendingModifiedValues } from '@aws-sdk/client-rds';
import type { ReplicaSetDBSpec } from '../../api/index.js';
import type { InstanceRole } from '../../naming/index.js';

/**
 * - `protection`: deletion protection alone, in a request of its own, so that a value RDS rejects (which holds every
 *   field of its request until the spec changes) never holds back the protection asked in the same spec edit.
 * - `settings`: no restart (windows, backups, monitoring, logs, network, parameter group).
 * - `storage`, `class`, `multiAZ`, `engine`: disruptive or long-running; the primary gets one group at a time.
 */
export type ChangeGroup = 'protection' | 'settings' | 'storage' | 'class' | 'multiAZ' | 'engine';

/** What a change does to the running database, mildest first. `replacement`: RDS cannot change it in place. */
export const DISRUPTIONS = ['none', 'brief-io-pause', 'multi-az-failover', 'reboot', 'replacement'] as const;
export type Disruption = (typeof DISRUPTIONS)[number];

/** Both sides of a comparison, for the rules that depend on another setting (iops on the storage type, ...). */
export interface CompareContext {
  desired: Readonly<Record<string, unknown>>;
  observed: Readonly<Record<string, unknown>>;
}

/** A change a rule asks for: the fields of the ModifyDBInstance (by setting key) and the value to show. */
export interface RuleChange {
  modification: Record<string, unknown>;
  to?: unknown;
  from?: unknown;
}

export interface Comparison<V> {
  /** One line for the settings table in docs/operations.md. */
  summary: string;
  /** undefined: no difference. Only called with a desired value: an unset spec field is left to RDS ... */
  diff(desired: NonNullable<V>, observed: V | undefined, context: CompareContext): RuleChange | undefined;
  /** ... unless the rule says what an unset one means. */
  diffUnset?(observed: V | undefined, context: CompareContext): RuleChange | undefined;
  /** The value RDS holds for the maintenance window already is the desired one. */
  satisfiedBy?(desired: NonNullable<V>, pending: NonNullable<V>): boolean;
}

export interface SettingRow<K extends string = string, V = unknown, O = V, R extends InstanceRole = InstanceRole> {
  /** The setting's name in the operator's vocabulary: the field of the port's inputs, instances and changes. */
  key: K;
  /** Where the spec sets it, for the documentation. */
  specPath: string;
  /** The desired value; undefined leaves it to RDS (or the role does not have the setting). */
  desired(spec: ReplicaSetDBSpec, role: InstanceRole): V;
  /** The instances it is set on at creation. */
  roles: readonly R[];
  /** The instances it is kept at the spec afterwards; default: `roles`. A replica inherits some from its source. */
  enforcedOn?: readonly InstanceRole[];
  create?: string;
  /** Sent at creation when the input leaves the setting out. */
  createDefault?: V;
  /** The CreateDBInstanceReadReplica key when it differs from `create`. */
  createReplica?: string;
  modify?: string;
  /** Request fields for a value, when they are not simply `{ [key]: value }`; `all` is the whole request. */
  toRequest?(value: NonNullable<V>, all: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** The ModifyDBInstance fields, when they differ from the create request's. */
  toModifyRequest?(value: unknown, all: Readonly<Record<string, unknown>>): Record<string, unknown>;
  describeKey: string;
  fromDescribe(db: DBInstance): O;
  pendingKey?: keyof PendingModifiedValues;
  compare: NoInfer<Comparison<V>>;
  group: ChangeGroup;
  disruption: Disruption;
  /** Held for the maintenance window unless the spec says applyImmediately; `when-interrupting`: only the changes
   * that interrupt the database (backups turned on or off). */
  waitsForMaintenanceWindow: boolean | 'when-interrupting';
}

/** The roles whose create request cannot go without the setting (CreateDBInstance requires it, or the operator
 * never leaves it to RDS's default). A valid spec always gives it a value there. */
export interface RequiredAtCreate<Q extends InstanceRole> {
  requiredAtCreate?: readonly Q[];
}

/** Keeps the row's literal key and roles, and its value types, for the types derived from the table. */
export function row<const K extends string, V, O, const R extends InstanceRole, M = V, const Q extends R = never>(
  r: SettingRow<K, V, O, R> & { modification?: M } & RequiredAtCreate<Q>,
): SettingRow<K, V, O, R> & { modification?: M } & RequiredAtCreate<Q> {
  return r;
}
