// Fixture builders for plan and reconcile tests: `aReplicaSetDB().withReplicas(2)` for the object, `aWorld(db)`
// for what RDS and Kubernetes hold, `.inSync()` for a world that already matches the spec, from which a test
// changes one thing.
import { API_VERSION, KIND, parseReplicaSetDB, type ReplicaSetDBSpecInput, type ReplicaSetDBStatus } from '../../api/index.js';
import { FINALIZER, ownershipTags, parameterGroupName, rdsBaseIdentifier } from '../../naming/index.js';
import type { ParameterGroup, RdsInstance } from '../../rds/port.js';
import { passwordFingerprint, uidKeyedPasswordFingerprint } from '../credentials.js';
import { Observed, type CredentialsState, type RetiredParameterGroup } from '../observed.js';
import { settingsAsReported } from '../../rds/testing/instances.js';
import { desiredPrimary, desiredReplica, desiredTags } from '../plan/desired.js';
import { resourceNames, type ResourceNames } from '../resource-names.js';
import { chooseBaseIdentifier } from '../base-identifier.js';

export const NAMESPACE = 'prod';
export const NAME = 'servio';
export const UID = '3f6c1e2a-9b7d-4c1e-8f00-0123456789ab';
/** The base identifier a new object of the fixtures gets: tests name instances through it, never by its hash. */
export const BASE = rdsBaseIdentifier(NAMESPACE, NAME);

/** A hold of the primary's class change, as status.heldChanges records one RDS refused in generation 1. */
export const CLASS_CHANGE_HELD: NonNullable<ReplicaSetDBStatus['heldChanges']>[number] = {
  subject: BASE,
  operation: 'ModifyDBInstance',
  fields: ['instanceClass'],
  code: 'InvalidParameterValue',
  message: 'Invalid DB Instance class: db.x9.huge',
  generation: 1,
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (patch === undefined) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    const current = out[k];
    out[k] =
      v !== null && typeof v === 'object' && !Array.isArray(v) && current !== null && typeof current === 'object' && !Array.isArray(current)
        ? merge(current, v as DeepPartial<typeof current>)
        : v;
  }
  return out as T;
}

export class ReplicaSetDBBuilder {
  private spec: ReplicaSetDBSpecInput = {
    engineVersion: '15.4',
    databaseName: 'servio',
    masterUsername: 'servio',
    primary: { instanceClass: 'db.r6g.xlarge', allocatedStorageGiB: 100 },
    replicas: { count: 1, instanceClass: 'db.r6g.large' },
    backup: { retentionDays: 7 },
    parameters: { max_connections: '200' },
    tags: { Environment: 'production' },
    // The drain these tests were written for: a fixed 30 s, with no DatabaseConnections evidence to wait for.
    routing: { drainSeconds: 30, maxDrainSeconds: 30 },
  };
  private meta = {
    namespace: NAMESPACE,
    name: NAME,
    uid: UID,
    generation: 1,
    finalizers: [FINALIZER] as string[],
    annotations: {} as Record<string, string>,
    deletionTimestamp: undefined as string | undefined,
  };
  private statusValue: ReplicaSetDBStatus | undefined;

  withReplicas(count: number): this {
    return this.withSpec({ replicas: { count } });
  }

  withSpec(patch: DeepPartial<ReplicaSetDBSpecInput>): this {
    this.spec = merge(this.spec, patch);
    return this;
  }

  /** Replicas take the primary's class (spec.replicas.instanceClass unset). */
  withoutReplicaClass(): this {
    const { instanceClass: _dropped, ...replicas } = this.spec.replicas ?? {};
    this.spec = { ...this.spec, replicas };
    return this;
  }

  /** Replaces spec.parameters (withSpec merges maps; this sets exactly these). */
  withParameters(parameters: Record<string, string>): this {
    this.spec = { ...this.spec, parameters: { ...parameters } };
    return this;
  }

  /** An invalid spec, as the API server would never store but the operator must still survive. */
  withRawSpec(spec: Record<string, unknown>): this {
    this.spec = spec as ReplicaSetDBSpecInput;
    return this;
  }

  withGeneration(generation: number): this {
    this.meta.generation = generation;
    return this;
  }

  withoutFinalizer(): this {
    this.meta.finalizers = [];
    return this;
  }

  withAnnotation(key: string, value: string): this {
    this.meta.annotations = { ...this.meta.annotations, [key]: value };
    return this;
  }

  beingDeleted(at = '2026-11-26T16:00:00Z'): this {
    this.meta.deletionTimestamp = at;
    return this;
  }

  withStatus(status: ReplicaSetDBStatus): this {
    this.statusValue = status;
    return this;
  }

  get uid(): string {
    return this.meta.uid;
  }

  get generation(): number {
    return this.meta.generation;
  }

  get finalizers(): string[] {
    return [...this.meta.finalizers];
  }

  get annotations(): Record<string, string> {
    return { ...this.meta.annotations };
  }

  get deletionTimestamp(): string | undefined {
    return this.meta.deletionTimestamp;
  }

  get status(): ReplicaSetDBStatus | undefined {
    return this.statusValue;
  }

  /** The object as stored, in input form (defaults not applied). */
  build(): Record<string, unknown> {
    const { namespace, name, annotations } = this.meta;
    return {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { namespace, name, uid: this.meta.uid, annotations },
      spec: structuredClone(this.spec),
      ...(this.statusValue !== undefined ? { status: structuredClone(this.statusValue) } : {}),
    };
  }
}

export function aReplicaSetDB(): ReplicaSetDBBuilder {
  return new ReplicaSetDBBuilder();
}

const DEFAULT_INSTANCE_FIELDS = {
  status: 'available',
  engine: 'postgres',
  multiAZ: false,
  storageEncrypted: true,
  backupRetentionDays: 0,
  availabilityZone: 'us-east-1a',
  replicaIdentifiers: [] as string[],
  pending: {},
};

export class WorldBuilder {
  private readonly instances = new Map<string, RdsInstance>();
  private parameterGroup: ParameterGroup | undefined;
  private readonly retiredParameterGroups: RetiredParameterGroup[] = [];
  private credentials: CredentialsState = { state: 'absent' };
  private namespaceAllowsAdoption = false;

  constructor(private readonly db: ReplicaSetDBBuilder) {}

  /** The operator is configured to allow adoption in this object's namespace (--adopt-namespaces). */
  withAdoptionAllowed(): this {
    this.namespaceAllowsAdoption = true;
    return this;
  }

  private parsed() {
    const result = parseReplicaSetDB(this.db.build());
    if (!result.ok) throw new Error(`fixture spec does not parse: ${result.message}`);
    return result.value;
  }

  private names() {
    return fixtureNames(this.db, this.parsed().spec);
  }

  /** The primary, the desired replicas and the parameter group exactly as the spec asks, and a usable Secret. */
  inSync(): this {
    const spec = this.parsed().spec;
    const names = this.names();
    const p = desiredPrimary(spec, names);
    const replicaIds = Array.from({ length: spec.replicas.count }, (_, i) => names.replica(i + 1));
    this.instances.set(p.identifier, {
      ...DEFAULT_INSTANCE_FIELDS,
      identifier: p.identifier,
      arn: `arn:aws:rds:us-east-1:123456789012:db:${p.identifier}`,
      ...settingsAsReported(p),
      engineVersion: p.engineVersion,
      multiAZ: p.multiAZ,
      storageEncrypted: p.storageEncrypted,
      databaseName: p.databaseName,
      masterUsername: p.masterUsername,
      backupRetentionDays: p.backupRetentionDays,
      backupWindow: p.backupWindow ?? '13:14-13:44',
      subnetGroupName: p.subnetGroupName,
      endpoint: { host: `${p.identifier}.abc.us-east-1.rds.amazonaws.com`, port: 5432 },
      replicaIdentifiers: replicaIds,
    });
    for (let index = 1; index <= spec.replicas.count; index++) this.withReplica(index, {});
    this.parameterGroup = {
      name: names.parameterGroup!.name,
      arn: `arn:aws:rds:us-east-1:123456789012:pg:${names.parameterGroup!.name}`,
      family: names.parameterGroup!.family,
      tags: desiredTags(spec, names),
      parameters: { ...spec.parameters },
    };
    this.credentials = usableCredentials(SECRET_PASSWORD, { username: spec.masterUsername });
    return this;
  }

  /** Changes the primary (undefined: removes it). */
  withPrimary(overrides: Partial<RdsInstance> | undefined): this {
    const id = this.names().primary;
    return this.setInstance(id, overrides);
  }

  /** Changes replica `index`, creating it in sync with the spec first if needed (undefined: removes it). */
  withReplica(index: number, overrides: Partial<RdsInstance> | undefined): this {
    const spec = this.parsed().spec;
    const names = this.names();
    const id = names.replica(index);
    if (overrides !== undefined && !this.instances.has(id)) {
      const r = desiredReplica(spec, names, index);
      this.instances.set(id, {
        ...DEFAULT_INSTANCE_FIELDS,
        identifier: id,
        arn: `arn:aws:rds:us-east-1:123456789012:db:${id}`,
        ...settingsAsReported(r),
        engineVersion: spec.engineVersion,
        databaseName: spec.databaseName,
        masterUsername: spec.masterUsername,
        endpoint: { host: `${id}.abc.us-east-1.rds.amazonaws.com`, port: 5432 },
        replicationSource: names.primary,
      });
      const primary = this.instances.get(names.primary);
      if (primary !== undefined && !primary.replicaIdentifiers.includes(id)) primary.replicaIdentifiers = [...primary.replicaIdentifiers, id];
    }
    return this.setInstance(id, overrides);
  }

  /** An instance carrying one of this object's identifiers but someone else's tags (or none). */
  withForeignInstance(identifier: string, tags: Record<string, string>, overrides: Partial<RdsInstance> = {}): this {
    this.instances.set(identifier, {
      ...DEFAULT_INSTANCE_FIELDS,
      identifier,
      arn: `arn:aws:rds:us-east-1:123456789012:db:${identifier}`,
      engineVersion: '15.4',
      instanceClass: 'db.t3.micro',
      allocatedStorageGiB: 20,
      securityGroupIds: [],
      logExports: [],
      parameterGroups: [],
      deletionProtection: false,
      tags,
      ...overrides,
    });
    return this;
  }

  withParameterGroup(overrides: Partial<ParameterGroup> | undefined): this {
    this.parameterGroup =
      overrides === undefined || this.parameterGroup === undefined ? (overrides as ParameterGroup | undefined) : { ...this.parameterGroup, ...overrides };
    return this;
  }

  /** A group of this object's naming for another family (e.g. left behind by a major upgrade); ours unless `tags` say otherwise. */
  withRetiredParameterGroup(family: string, tags?: Record<string, string>): this {
    const names = this.names();
    const name = parameterGroupName(names.base, family);
    this.retiredParameterGroups.push({
      name,
      arn: `arn:aws:rds:us-east-1:123456789012:pg:${name}`,
      family,
      tags: tags ?? desiredTags(this.parsed().spec, names),
    });
    return this;
  }

  withCredentials(credentials: CredentialsState): this {
    this.credentials = credentials;
    return this;
  }

  private setInstance(id: string, overrides: Partial<RdsInstance> | undefined): this {
    if (overrides === undefined) {
      this.instances.delete(id);
      for (const other of this.instances.values()) other.replicaIdentifiers = other.replicaIdentifiers.filter((r) => r !== id);
      return this;
    }
    const current = this.instances.get(id);
    if (current === undefined) throw new Error(`no instance ${id} to change; call inSync() first`);
    this.instances.set(id, { ...current, ...overrides });
    return this;
  }

  build(): Observed {
    const raw = this.db.build();
    const parsed = parseReplicaSetDB(raw);
    const spec = parsed.ok ? parsed.value.spec : undefined;
    return new Observed({
      object: {
        ref: { namespace: NAMESPACE, name: NAME },
        uid: this.db.uid,
        generation: this.db.generation,
        resourceVersion: '1',
        deletionTimestamp: this.db.deletionTimestamp,
        finalizers: this.db.finalizers,
        annotations: this.db.annotations,
        spec,
        invalidReason: parsed.ok ? undefined : parsed.message,
        status: this.db.status,
      },
      names: fixtureNames(this.db, spec),
      instances: new Map(structuredClone([...this.instances])),
      parameterGroup: structuredClone(this.parameterGroup),
      retiredParameterGroups: structuredClone(this.retiredParameterGroups),
      credentials: this.credentials,
      configMap: undefined,
      namespaceAllowsAdoption: this.namespaceAllowsAdoption,
    });
  }
}

/** Names as observe.ts resolves them: the base the status records, else the derived one. */
function fixtureNames(db: ReplicaSetDBBuilder, spec: Parameters<typeof resourceNames>[2]): ResourceNames {
  const ref = { namespace: NAMESPACE, name: NAME };
  return resourceNames(ref, db.uid, spec, chooseBaseIdentifier({ ref, uid: db.uid, recorded: db.status?.baseIdentifier }).base);
}

/** The password the fixtures' Secret holds unless a test says otherwise. */
export const SECRET_PASSWORD = 'FixturePassword0123456789';

/** The fingerprint key the fixtures' Secret holds. */
export const FINGERPRINT_KEY = 'fixture-fingerprint-key-0123456789abcdefghij';

/** A Secret whose password is `password`, named for the spec's master user, with its environment copies in sync
 * and its fingerprint key (`withoutFingerprintKey`: a Secret a person wrote, or one from before the key). */
export function usableCredentials(
  password = SECRET_PASSWORD,
  overrides: { username?: string | undefined; environmentKeysStale?: boolean; withoutFingerprintKey?: boolean } = {},
): CredentialsState {
  const { withoutFingerprintKey, ...rest } = overrides;
  return {
    state: 'usable',
    ...(withoutFingerprintKey === true ? {} : { passwordFingerprint: passwordFingerprint(password, FINGERPRINT_KEY) }),
    uidKeyedFingerprint: uidKeyedPasswordFingerprint(password, UID),
    username: 'servio',
    environmentKeysStale: false,
    ...rest,
  };
}

export function aWorld(db: ReplicaSetDBBuilder = aReplicaSetDB()): WorldBuilder {
  return new WorldBuilder(db);
}

export { ownershipTags };
export const OWNER = { namespace: NAMESPACE, name: NAME, uid: UID };

/** A storage change RDS refused for its cooldown in generation 1 at the plan helpers' NOW (16:00), to be sent again
 * an hour later. */
export const STORAGE_CHANGE_DEFERRED: NonNullable<ReplicaSetDBStatus['heldChanges']>[number] = {
  subject: BASE,
  operation: 'ModifyDBInstance',
  fields: ['allocatedStorageGiB'],
  code: 'InvalidParameterCombination',
  message: "You can't currently modify the storage of this DB instance. Try again after approximately 1 hours.",
  generation: 1,
  retryAt: '2026-11-26T17:00:00.000Z',
};

/** A world in sync but for the primary's storage, which the spec grows from 100 to 200 GiB at once; the status
 * holds `heldChanges`. */
export function storageGrowthHolding(heldChanges: NonNullable<ReplicaSetDBStatus['heldChanges']>): Observed {
  return aWorld(
    aReplicaSetDB()
      .withReplicas(0)
      .withSpec({ primary: { allocatedStorageGiB: 200 }, applyImmediately: true })
      .withStatus({ heldChanges }),
  )
    .inSync()
    .withPrimary({ allocatedStorageGiB: 100 })
    .build();
}
