// Reads the world once per reconcile. RDS: one DescribeDBInstances for the primary and every replica index the
// object can have (filtered by identifier, so its cost does not grow with the account), plus a second one only
// when the primary lists a replica of ours outside that range (left over from an interrupted scale-down).
import type { ObjectRef, KubernetesPort, StoredConfigMap } from '../ports/kubernetes.js';
import { parseReplicaSetDB, statusSchema, type ReplicaSetDBSpec, type ReplicaSetDBStatus } from '../api/index.js';
import type { CallOptions, ParameterGroup, RdsInstance, RdsPort } from '../rds/port.js';
import { isRdsError } from '../rds/errors.js';
import { parameterGroupName } from '../naming/index.js';
import type { DatabaseConnectionsPort, LagSubject, ReplicaLagPort } from '../cloudwatch/port.js';
import type { MetricDatapoint } from '../cloudwatch/connections-query.js';
import {
  masterPasswordProblem,
  passwordFingerprint,
  SECRET_FINGERPRINT_KEY,
  SECRET_PASSWORD_KEY,
  SECRET_USERNAME_KEY,
  staleEnvironmentKeys,
  uidKeyedPasswordFingerprint,
} from './credentials.js';
import { Observed, type CredentialsState, type RetiredParameterGroup } from './observed.js';
import { resourceNames, type ResourceNames } from './resource-names.js';
import { chooseBaseIdentifier, legacyIdentifierToCheck } from './base-identifier.js';

export interface ObserveDeps {
  kube: KubernetesPort;
  rds: RdsPort;
  /** Unset: every replica's lag is unknown. */
  lag?: ReplicaLagPort;
  /** Namespaces whose objects may adopt existing instances; unset: none. */
  adoptNamespaces?: readonly string[];
  /** Unset: no draining replica has evidence of being quiet, so each is deleted at its drain maximum. */
  connections?: DatabaseConnectionsPort;
}

function candidateIdentifiers(names: ResourceNames, spec: ReplicaSetDBSpec | undefined, status: ReplicaSetDBStatus | undefined): string[] {
  const fromStatus = (status?.replicas ?? []).map((r) => names.replicaIndexOf(r.identifier) ?? 0);
  const highest = Math.max(spec?.replicas.count ?? 0, ...fromStatus);
  return [names.primary, ...Array.from({ length: highest }, (_, i) => names.replica(i + 1))];
}

async function observeInstances(rds: RdsPort, names: ResourceNames, candidates: string[], call: CallOptions): Promise<Map<string, RdsInstance>> {
  const found = await rds.describeInstances(candidates, call);
  const primary = found.get(names.primary);
  const stray = (primary?.replicaIdentifiers ?? []).filter((id) => names.replicaIndexOf(id) !== undefined && !candidates.includes(id));
  if (stray.length > 0) for (const [id, instance] of await rds.describeInstances(stray, call)) found.set(id, instance);
  return found;
}

/** One GetMetricData for every replica of the object, after DescribeDBInstances said which exist. A failure is
 * reported, not thrown: lag only gates routing, and the rest of the reconcile (creating, deleting, resizing) must not
 * wait for CloudWatch. */
async function observeLag(
  lag: ReplicaLagPort | undefined,
  subject: LagSubject,
  names: ResourceNames,
  instances: ReadonlyMap<string, RdsInstance>,
  call: CallOptions,
): Promise<{ replicaLag?: Map<string, number | undefined>; lagUnavailable?: string }> {
  const replicas = [...instances.keys()].filter((id) => names.replicaIndexOf(id) !== undefined && instances.get(id)?.status !== 'deleting');
  if (lag === undefined || replicas.length === 0) return {};
  try {
    return { replicaLag: await lag.replicaLagSeconds(replicas, { subject, signal: call.signal }) };
  } catch (err) {
    // An aborted reconcile is not a CloudWatch outage: it stops here.
    if (call.signal?.aborted === true) throw err;
    return { lagUnavailable: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** DatabaseConnections of the replicas the last status records as draining, for the drain gate; a failure is
 * reported, not thrown, and only holds those replicas. */
async function observeDrainingConnections(
  connections: DatabaseConnectionsPort | undefined,
  status: ReplicaSetDBStatus | undefined,
  instances: ReadonlyMap<string, RdsInstance>,
  call: CallOptions,
): Promise<{ drainingConnections?: Map<string, MetricDatapoint[]>; connectionsUnavailable?: string }> {
  const draining = (status?.replicas ?? [])
    .filter((r) => r.drainingSince !== undefined && instances.has(r.identifier) && instances.get(r.identifier)?.status !== 'deleting')
    .map((r) => r.identifier);
  if (connections === undefined || draining.length === 0) return {};
  try {
    return { drainingConnections: await connections.databaseConnections(draining, call) };
  } catch (err) {
    if (call.signal?.aborted === true) throw err;
    return { connectionsUnavailable: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** The ConfigMap status names as published, read only while spec.endpoints.configMapName names another. */
async function observeRenamedConfigMap(
  kube: KubernetesPort,
  current: ObjectRef,
  status: ReplicaSetDBStatus | undefined,
  call: CallOptions,
): Promise<{ ref: ObjectRef; stored: StoredConfigMap | undefined } | undefined> {
  const published = status?.endpoints?.configMapName;
  if (published === undefined || published === current.name) return undefined;
  const ref = { namespace: current.namespace, name: published };
  return { ref, stored: await kube.getConfigMap(ref, call) };
}

/** The password is read to be fingerprinted and dropped here: only the fingerprint enters the snapshot. */
async function observeCredentials(kube: KubernetesPort, secret: ObjectRef, uid: string, call: CallOptions): Promise<CredentialsState> {
  const data = await kube.getSecret(secret, call);
  if (data === undefined) return { state: 'absent' };
  const password = data[SECRET_PASSWORD_KEY];
  const problem = masterPasswordProblem(password);
  if (password === undefined || problem !== undefined) return { state: 'unusable', reason: problem ?? 'it has no password key' };
  const fingerprintKey = data[SECRET_FINGERPRINT_KEY];
  return {
    state: 'usable',
    ...(fingerprintKey !== undefined && fingerprintKey !== '' ? { passwordFingerprint: passwordFingerprint(password, fingerprintKey) } : {}),
    uidKeyedFingerprint: uidKeyedPasswordFingerprint(password, uid),
    username: data[SECRET_USERNAME_KEY],
    environmentKeysStale: Object.keys(staleEnvironmentKeys(data)).length > 0,
  };
}

async function observeParameterGroup(rds: RdsPort, names: ResourceNames, call: CallOptions): Promise<ParameterGroup | undefined> {
  return names.parameterGroup !== undefined ? rds.describeParameterGroup(names.parameterGroup.name, call) : undefined;
}

/** The groups this object's naming gives to another engine family (`<base>-postgres15` once the spec says 16). RDS
 * cannot filter DescribeDBParameterGroups, so this reads the account's list (one shared reading per resync in the
 * operator, see rds/steady-cache.ts) and then the tags of the few groups whose name is exactly ours. */
async function observeRetiredParameterGroups(rds: RdsPort, names: ResourceNames, call: CallOptions): Promise<RetiredParameterGroup[]> {
  const current = names.parameterGroup?.name;
  if (current === undefined) return [];
  const candidates = (await rds.listParameterGroups(call)).filter(
    (g) => g.name !== current && g.family !== '' && g.name === parameterGroupName(names.base, g.family),
  );
  const withTags = await Promise.all(
    candidates.map(async (g) => {
      try {
        return [{ ...g, tags: await rds.listTags(g.arn, call) }];
      } catch (err) {
        // Deleted between the list and this read: nothing left to clean up.
        if (isRdsError(err, 'not-found')) return [];
        throw err;
      }
    }),
  );
  return withTags.flat();
}

/** The snapshot for one reconcile, or undefined when the object no longer exists. `call.signal` cuts the AWS,
 * CloudWatch and Kubernetes reads short when the reconcile is aborted. */
export async function observeReplicaSetDB(ref: ObjectRef, deps: ObserveDeps, call: CallOptions = {}): Promise<Observed | undefined> {
  const stored = await deps.kube.getReplicaSetDB(ref, call);
  if (stored === undefined) return undefined;
  const parsed = parseReplicaSetDB(stored.raw);
  const spec = parsed.ok ? parsed.value.spec : undefined;
  // An object whose spec does not parse still has a status worth keeping (its conditions, its instances).
  const status = parsed.ok ? parsed.value.status : statusOf(stored.raw);
  const names = resourceNames(ref, stored.uid, spec, await baseIdentifierOf(deps.rds, ref, stored.uid, status));

  const candidates = candidateIdentifiers(names, spec, status);
  const [instances, parameterGroup, retiredParameterGroups, credentials, configMap, renamedConfigMap] = await Promise.all([
    observeInstances(deps.rds, names, candidates, call),
    observeParameterGroup(deps.rds, names, call),
    observeRetiredParameterGroups(deps.rds, names, call),
    observeCredentials(deps.kube, names.secret, stored.uid, call),
    deps.kube.getConfigMap(names.configMap, call),
    observeRenamedConfigMap(deps.kube, names.configMap, status, call),
  ]);
  // Lag matters only for routing a live object; a deleting one is not published.
  const subject = { key: `${ref.namespace}/${ref.name}`, maxReplicaLagSeconds: spec?.routing.maxReplicaLagSeconds ?? 0 };
  const live = spec !== undefined && stored.deletionTimestamp === undefined;
  const [lag, connections] = live
    ? await Promise.all([observeLag(deps.lag, subject, names, instances, call), observeDrainingConnections(deps.connections, status, instances, call)])
    : [{}, {}];

  return new Observed({
    object: {
      ref,
      uid: stored.uid,
      generation: stored.generation,
      resourceVersion: stored.resourceVersion,
      deletionTimestamp: stored.deletionTimestamp,
      finalizers: stored.finalizers,
      annotations: stored.annotations,
      spec,
      invalidReason: parsed.ok ? undefined : parsed.message,
      status,
    },
    names,
    instances,
    parameterGroup,
    retiredParameterGroups,
    credentials,
    configMap,
    ...(renamedConfigMap !== undefined ? { renamedConfigMap } : {}),
    ...lag,
    namespaceAllowsAdoption: deps.adoptNamespaces?.includes(ref.namespace) ?? false,
    ...connections,
  });
}

/** The recorded base identifier; until one is recorded (a new object, or one created by an earlier version), one
 * lookup of the legacy identifier, so an upgraded object keeps its instances instead of creating a second set. */
async function baseIdentifierOf(rds: RdsPort, ref: ObjectRef, uid: string, status: ReplicaSetDBStatus | undefined): Promise<string> {
  const recorded = status?.baseIdentifier;
  const legacy = legacyIdentifierToCheck(ref, recorded);
  const legacyPrimary = legacy !== undefined ? (await rds.describeInstances([legacy])).get(legacy) : undefined;
  return chooseBaseIdentifier({ ref, uid, recorded, legacyPrimary }).base;
}

function statusOf(raw: Record<string, unknown>): ReplicaSetDBStatus | undefined {
  const result = statusSchema.safeParse(raw.status);
  return result.success ? result.data : undefined;
}
