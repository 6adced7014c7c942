// The whole publishing decision for one reconcile, pure: what the ConfigMap must hold, at which revision, and
// whether it has to be written. The ConfigMap is compared with what is observed, not with what was last written,
// so a ConfigMap deleted by hand is recreated and a hand edit is reverted by the next reconcile.
import type { TopologyInput } from '@servio/replicasetdb-contract';
import type { StoredConfigMap } from '../ports/kubernetes.js';
import { configMapDelta, readPublishedTopology, renderEndpointsConfigMap, type EndpointsConfigMapContent } from './configmap.js';
import { renderTopologyContent } from './document.js';
import { stampRevision } from './revision.js';
import type { TopologySource } from './source.js';

export interface TopologyPublication {
  document: TopologyInput;
  configMap: EndpointsConfigMapContent;
  /** The content changed, so the revision moved. */
  changed: boolean;
  /** Field paths that differ from the observed ConfigMap; empty: nothing to write. */
  delta: string[];
}

export interface PublicationInput {
  source: TopologySource;
  observed: StoredConfigMap | undefined;
  /** status.endpoints.topologyRevision */
  statusRevision: number | undefined;
  ownerUid: string;
  now: Date;
}

/** Undefined while there is nothing to publish (no primary with an endpoint yet). */
export function planTopologyPublication(input: PublicationInput): TopologyPublication | undefined {
  const content = renderTopologyContent(input.source);
  if (content === undefined) return undefined;
  const stamped = stampRevision(content, { document: readPublishedTopology(input.observed), statusRevision: input.statusRevision }, input.now);
  const configMap = renderEndpointsConfigMap(stamped.document);
  return { document: stamped.document, configMap, changed: stamped.changed, delta: configMapDelta(input.observed, configMap, input.ownerUid) };
}
