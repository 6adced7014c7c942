// Publishing the topology: pure builders of topology.json (contract v1), the Servio environment keys (derived by
// the contract package) and the endpoints ConfigMap, with the routing rules (active, draining, left out) and the
// revision rule.
export type { TopologyEndpoint, TopologyInstanceInput, TopologyReplicaInput, TopologySource } from './source.js';
export { isLagging, routeReplica, type ExclusionReason, type ReplicaRouting } from './replica-routing.js';
export { isPublishablePrimary, publishedLag, recordedLag, renderTopologyContent, type TopologyContent } from './document.js';
export { sameContent, stampRevision, type PreviousPublication, type StampedTopology } from './revision.js';
export { renderServioEnvironment, type ServioEnvironment } from '@servio/replicasetdb-contract';
export {
  ENDPOINTS_LABEL_SELECTOR,
  TOPOLOGY_KEY,
  configMapDelta,
  endpointsLabels,
  labelValue,
  readPublishedTopology,
  renderEndpointsConfigMap,
  type EndpointsConfigMapContent,
} from './configmap.js';
export { planTopologyPublication, type PublicationInput, type TopologyPublication } from './publication.js';
