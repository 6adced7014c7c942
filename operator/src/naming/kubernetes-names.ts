// Names of the Kubernetes objects that belong to a ReplicaSetDB, and the operator's own markers on it.
import { createHash } from 'node:crypto';

export const FINALIZER = 'db.servio.io/finalizer';
/** Set to "true" to let the operator take over existing RDS instances that carry its identifiers but not this
 * object's ownership tags (created by hand, or retained by an earlier object of the same name). */
export const ADOPT_ANNOTATION = 'db.servio.io/adopt';
export const MANAGED_BY = 'replicasetdb-operator';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

const MAX_OBJECT_NAME = 253;

function withSuffix(name: string, suffix: string): string {
  const full = `${name}-${suffix}`;
  if (full.length <= MAX_OBJECT_NAME) return full;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const head = name.slice(0, MAX_OBJECT_NAME - suffix.length - hash.length - 2).replace(/[-.]+$/, '');
  return `${head}-${hash}-${suffix}`;
}

export function credentialsSecretName(objectName: string, specSecretName: string): string {
  return specSecretName !== '' ? specSecretName : withSuffix(objectName, 'credentials');
}

export function endpointsConfigMapName(objectName: string, specConfigMapName: string): string {
  return specConfigMapName !== '' ? specConfigMapName : withSuffix(objectName, 'endpoints');
}

export function isAdoptionAllowed(annotations: Readonly<Record<string, string>>): boolean {
  return annotations[ADOPT_ANNOTATION] === 'true';
}
