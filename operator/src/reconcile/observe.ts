// Reads the world once per reconcile. RDS: one DescribeDBInstances for the primary and every replica index the
// object can have (filtered by identifier, so its cost does not grow with the account), plus a second one only
// when the primary lists a replica of ours outside that range (left over from an interrupted scale-down).
import type { ObjectRef, KubernetesPort } from '../ports/kubernetes.js';
import { parseReplicaSetDB, statusSchema, type ReplicaSetDBSpec, type ReplicaSetDBStatus } from '../api/index.js';
import type { ParameterGroup, RdsInstance, RdsPort } from '../rds/port.js';
import type { ReplicaLagPort } from '../cloudwatch/port.js';
import { masterPasswordProblem, passwordFingerprint, SECRET_PASSWORD_KEY, SECRET_USERNAME_KEY, staleEnvironmentKeys } from './credentials.js';
import { Observed, type CredentialsState } from './observed.js';
import { resourceNames, type ResourceNames } from './resource-names.js';
import { chooseBaseIdentifier, legacyIdentifierToCheck } from './base-identifier.js';

export interface ObserveDeps {
  kube: KubernetesPort;
  rds: RdsPort;
  /** Unset: every replica's lag is unknown. */
  lag?: ReplicaLagPort;
  /** Namespaces whose objects may adopt existing instances; unset: none. */
  adoptNamespaces?: readonly string[];
}

function candidateIdentifiers(names: ResourceNames, spec: ReplicaSetDBSpec | undefined, status: ReplicaSetDBStatus | undefined): string[] {
  const fromStatus = (status?.replicas ?? []).map((r) => names.replicaIndexOf(r.identifier) ?? 0);
  const highest = Math.max(spec?.replicas.count ?? 0, ...fromStatus);
  return [names.primary, ...Array.from({ length: highest }, (_, i) => names.replica(i + 1))];
}

async function observeInstances(rds: RdsPort, names: ResourceNames, candidates: string[]): Promise<Map<string, RdsInstance>> {
  const found = await rds.describeInstances(candidates);
  const primary = found.get(names.primary);
  const stray = (primary?.replicaIdentifiers ?? []).filter((id) => names.replicaIndexOf(id) !== undefined && !candidates.includes(id));
  if (stray.length > 0) for (const [id, instance] of await rds.describeInstances(stray)) found.set(id, instance);
  return found;
}

/** One GetMetricData for every replica of the object, after DescribeDBInstances said which exist. A failure is
 * reported, not thrown: lag only gates routing, and the rest of the reconcile (creating, deleting, resizing) must not
 * wait for CloudWatch. */
async function observeLag(
  lag: ReplicaLagPort | undefined,
  names: ResourceNames,
  instances: ReadonlyMap<string, RdsInstance>,
): Promise<{ replicaLag?: Map<string, number | undefined>; lagUnavailable?: string }> {
  const replicas = [...instances.keys()].filter((id) => names.replicaIndexOf(id) !== undefined && instances.get(id)?.status !== 'deleting');
  if (lag === undefined || replicas.length === 0) return {};
  try {
    return { replicaLag: await lag.replicaLagSeconds(replicas) };
  } catch (err) {
    return { lagUnavailable: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** The password is read to be fingerprinted and dropped here: only the fingerprint enters the snapshot. */
async function observeCredentials(kube: KubernetesPort, secret: ObjectRef, uid: string): Promise<CredentialsState> {
  const data = await kube.getSecret(secret);
  if (data === undefined) return { state: 'absent' };
  const password = data[SECRET_PASSWORD_KEY];
  const problem = masterPasswordProblem(password);
  if (password === undefined || problem !== undefined) return { state: 'unusable', reason: problem ?? 'it has no password key' };
  return {
    state: 'usable',
    passwordFingerprint: passwordFingerprint(password, uid),
    username: data[SECRET_USERNAME_KEY],
    environmentKeysStale: Object.keys(staleEnvironmentKeys(data)).length > 0,
  };
}

async function observeParameterGroup(rds: RdsPort, names: ResourceNames): Promise<ParameterGroup | undefined> {
  return names.parameterGroup !== undefined ? rds.describeParameterGroup(names.parameterGroup.name) : undefined;
}

/** The snapshot for one reconcile, or undefined when the object no longer exists. */
export async function observeReplicaSetDB(ref: ObjectRef, deps: ObserveDeps): Promise<Observed | undefined> {
  const stored = await deps.kube.getReplicaSetDB(ref);
  if (stored === undefined) return undefined;
  const parsed = parseReplicaSetDB(stored.raw);
  const spec = parsed.ok ? parsed.value.spec : undefined;
  // An object whose spec does not parse still has a status worth keeping (its conditions, its instances).
  const status = parsed.ok ? parsed.value.status : statusOf(stored.raw);
  const names = resourceNames(ref, stored.uid, spec, await baseIdentifierOf(deps.rds, ref, stored.uid, status));

  const candidates = candidateIdentifiers(names, spec, status);
  const [instances, parameterGroup, credentials, configMap] = await Promise.all([
    observeInstances(deps.rds, names, candidates),
    observeParameterGroup(deps.rds, names),
    observeCredentials(deps.kube, names.secret, stored.uid),
    deps.kube.getConfigMap(names.configMap),
  ]);
  // Lag matters only for routing a live object; a deleting one is not published.
  const lag = spec !== undefined && stored.deletionTimestamp === undefined ? await observeLag(deps.lag, names, instances) : {};

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
    credentials,
    configMap,
    ...lag,
    namespaceAllowsAdoption: deps.adoptNamespaces?.includes(ref.namespace) ?? false,
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
