export { TOPOLOGY_CONTRACT_VERSION, topologySchema } from './topology/schema.js';
export type { Topology, TopologyInput, TopologyPrimary, TopologyReplica, TopologyRouting } from './topology/schema.js';
export { formatTopology, parseTopology, TopologyError } from './topology/parse.js';
