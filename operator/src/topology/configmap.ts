// The endpoints ConfigMap as data: its keys (topology.json and the Servio environment keys) and labels, reading
// back what is published, and deciding whether it must be applied. Writing it is the reconciler's job (server-side
// apply through the Kubernetes port); everything here is pure.
import { createHash } from 'node:crypto';
import { formatTopology, parseTopology, renderServioEnvironment, type Topology, type TopologyInput } from '@servio/replicasetdb-contract';
import type { StoredConfigMap } from '../ports/kubernetes.js';
import { MANAGED_BY } from '../naming/index.js';

export const TOPOLOGY_KEY = 'topology.json';

export interface EndpointsConfigMapContent {
  data: Record<string, string>;
  labels: Record<string, string>;
}

const MAX_LABEL_VALUE = 63;

/** Object names go up to 253 characters, label values only to 63 (and must end alphanumeric): a long name is
 * shortened and made unique again with a hash of the whole. */
export function labelValue(name: string): string {
  if (name.length <= MAX_LABEL_VALUE) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const head = name.slice(0, MAX_LABEL_VALUE - hash.length - 1).replace(/[^a-zA-Z0-9]+$/, '');
  return `${head}-${hash}`;
}

/** Selects exactly the ConfigMaps this operator publishes, for the watch that reverts hand edits. */
export const ENDPOINTS_LABEL_SELECTOR = `app.kubernetes.io/managed-by=${MANAGED_BY},app.kubernetes.io/component=endpoints`;

export function endpointsLabels(objectName: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'replicasetdb',
    'app.kubernetes.io/instance': labelValue(objectName),
    'app.kubernetes.io/component': 'endpoints',
    'app.kubernetes.io/part-of': 'replicasetdb-operator',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** Credentials never reach this function's output: the document names the Secret, nothing more. */
export function renderEndpointsConfigMap(document: TopologyInput): EndpointsConfigMapContent {
  return {
    data: { [TOPOLOGY_KEY]: formatTopology(document), ...renderServioEnvironment(document) },
    labels: endpointsLabels(document.name),
  };
}

/** topology.json as published, or undefined when the ConfigMap or the key is missing or no longer parses (a
 * hand edit): the revision then continues from the status. */
export function readPublishedTopology(configMap: StoredConfigMap | undefined): Topology | undefined {
  const text = configMap?.data[TOPOLOGY_KEY];
  if (text === undefined) return undefined;
  try {
    return parseTopology(text);
  } catch {
    return undefined;
  }
}

/** What differs between the observed ConfigMap and the desired content, as field paths for a log line; empty when
 * nothing needs writing. Keys and labels another tool added are not ours and do not count: server-side apply
 * leaves them alone, so counting them would re-apply on every reconcile. */
export function configMapDelta(observed: StoredConfigMap | undefined, desired: EndpointsConfigMapContent, ownerUid: string): string[] {
  if (observed === undefined) return ['(missing)'];
  const delta: string[] = [];
  for (const [key, value] of Object.entries(desired.data)) if (observed.data[key] !== value) delta.push(`data.${key}`);
  for (const [key, value] of Object.entries(desired.labels)) if (observed.labels[key] !== value) delta.push(`labels.${key}`);
  if (!observed.ownerUids.includes(ownerUid)) delta.push('ownerReferences');
  return delta;
}
