// Every name a ReplicaSetDB's resources carry, derived once per reconcile from its namespace, name, uid, spec and
// its base identifier (chosen once, see base-identifier.ts).
import type { ReplicaSetDBSpec } from '../api/index.js';
import type { ObjectRef } from '../ports/kubernetes.js';
import {
  credentialsSecretName,
  endpointsConfigMapName,
  finalSnapshotIdentifier,
  parameterGroupName,
  replicaIdentifier,
  replicaIndexOf,
  type Owner,
} from '../naming/index.js';
import { parameterGroupFamily } from '../rds/engine-version.js';

export interface ResourceNames {
  owner: Owner;
  base: string;
  primary: string;
  replica(index: number): string;
  replicaIndexOf(identifier: string): number | undefined;
  finalSnapshot: string;
  /** Undefined when the spec does not parse. */
  parameterGroup: { name: string; family: string } | undefined;
  secret: ObjectRef;
  configMap: ObjectRef;
}

export function resourceNames(ref: ObjectRef, uid: string, spec: ReplicaSetDBSpec | undefined, base: string): ResourceNames {
  const family = spec !== undefined ? parameterGroupFamily(spec.engineVersion) : undefined;
  return {
    owner: { namespace: ref.namespace, name: ref.name, uid },
    base,
    primary: base,
    replica: (index) => replicaIdentifier(base, index),
    replicaIndexOf: (identifier) => replicaIndexOf(base, identifier),
    finalSnapshot: finalSnapshotIdentifier(base, uid),
    parameterGroup: family !== undefined ? { name: parameterGroupName(base, family), family } : undefined,
    secret: { namespace: ref.namespace, name: credentialsSecretName(ref.name, spec?.credentials.secretName ?? '') },
    configMap: { namespace: ref.namespace, name: endpointsConfigMapName(ref.name, spec?.endpoints.configMapName ?? '') },
  };
}
