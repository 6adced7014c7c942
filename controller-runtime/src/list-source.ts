// What a watcher lists and watches: a collection path (the API server serves list and watch on the same path) and
// a paginated list. One source per namespace when the operator is restricted to a list of namespaces, one source
// for the whole cluster otherwise.
import * as k8s from '@kubernetes/client-node';

export interface ListResult {
  items: k8s.KubernetesObject[];
  /** The list's resourceVersion, from which the watch continues. */
  resourceVersion: string;
  /** Present when more pages follow. */
  continueToken?: string;
}

export interface ListSource {
  /** For logs, e.g. `replicasetdbs.db.servio.io in team-a`. */
  description: string;
  path: string;
  labelSelector?: string;
  list(page: { limit: number; continueToken?: string }): Promise<ListResult>;
}

export interface CustomResourceType {
  group: string;
  version: string;
  plural: string;
}

/** Sources for a namespaced custom resource, in every namespace (`namespaces` absent or empty) or in each of the
 * given namespaces. */
export function customResourceSources(
  kc: k8s.KubeConfig,
  type: CustomResourceType,
  options: { namespaces?: readonly string[]; labelSelector?: string } = {},
): ListSource[] {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const { group, version, plural } = type;
  const selector = options.labelSelector === undefined ? {} : { labelSelector: options.labelSelector };
  return scopes(options.namespaces).map((namespace) => ({
    description: `${plural}.${group} in ${namespace ?? 'all namespaces'}`,
    path: namespace === undefined ? `/apis/${group}/${version}/${plural}` : `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
    ...selector,
    list: async ({ limit, continueToken }) => {
      const page = { group, version, plural, limit, ...selector, ...(continueToken ? { _continue: continueToken } : {}) };
      const raw: unknown =
        namespace === undefined ? await api.listCustomObjectForAllNamespaces(page) : await api.listNamespacedCustomObject({ ...page, namespace });
      return toListResult(raw);
    },
  }));
}

/** Sources for ConfigMaps. Give a label selector: without one the operator would cache every ConfigMap of the
 * cluster. */
export function configMapSources(kc: k8s.KubeConfig, options: { namespaces?: readonly string[]; labelSelector: string }): ListSource[] {
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const { labelSelector } = options;
  return scopes(options.namespaces).map((namespace) => ({
    description: `configmaps (${labelSelector}) in ${namespace ?? 'all namespaces'}`,
    path: namespace === undefined ? '/api/v1/configmaps' : `/api/v1/namespaces/${namespace}/configmaps`,
    labelSelector,
    list: async ({ limit, continueToken }) => {
      const page = { labelSelector, limit, ...(continueToken ? { _continue: continueToken } : {}) };
      const list = namespace === undefined ? await api.listConfigMapForAllNamespaces(page) : await api.listNamespacedConfigMap({ ...page, namespace });
      return toListResult(list);
    },
  }));
}

function scopes(namespaces: readonly string[] | undefined): Array<string | undefined> {
  return namespaces && namespaces.length > 0 ? [...new Set(namespaces)] : [undefined];
}

/** Normalises a list response: custom objects arrive as raw JSON (`metadata.continue`), typed lists through the
 * client's model (`metadata._continue`). */
export function toListResult(raw: unknown): ListResult {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { items?: unknown }).items)) {
    throw new Error('list response has no items array');
  }
  const { items, metadata } = raw as { items: k8s.KubernetesObject[]; metadata?: Record<string, unknown> };
  const resourceVersion = typeof metadata?.resourceVersion === 'string' ? metadata.resourceVersion : '';
  const token = metadata?.continue ?? metadata?._continue;
  return { items, resourceVersion, ...(typeof token === 'string' && token !== '' ? { continueToken: token } : {}) };
}
