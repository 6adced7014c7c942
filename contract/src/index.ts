// @servio/replicasetdb-contract: contract version 1 of what the replicasetdb operator publishes and its clients
// read. topology.json (the zod schema, its types, parsing and canonical rendering, the generated JSON Schema) and
// the Servio environment keys.
export { TOPOLOGY_CONTRACT_VERSION, tlsModeSchema, topologySchema } from './schema.js';
export type { TlsMode, Topology, TopologyInput, TopologyPrimary, TopologyReplica, TopologyRouting } from './schema.js';
export { formatTopology, parseTopology, TopologyError } from './parse.js';
export { buildTopologyJsonSchema, renderTopologyJsonSchema } from './json-schema.js';
export { SERVIO_ENV_KEYS, renderServioEnvironment, replicaHostKey, replicaNumberOf, replicaPortKey, type ServioEnvironment } from './environment.js';
