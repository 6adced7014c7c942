// @servio/replicasetdb-client: routes PostgreSQL queries to the primary and to fresh read replicas, following
// the topology the replicasetdb operator publishes.

// The topology contract, defined in @servio/replicasetdb-contract (shared with the operator) and re-exported so
// that applications need one import.
export { TOPOLOGY_CONTRACT_VERSION, formatTopology, parseTopology, topologySchema, TopologyError } from '@servio/replicasetdb-contract';
export type { TlsMode, Topology, TopologyInput, TopologyPrimary, TopologyReplica, TopologyRouting } from '@servio/replicasetdb-contract';

// The router.
export { createReplicaRouter, ReplicaRouter, type CloseReport, type ReplicaRouterEvents } from './router.js';
export type { CutQueries } from './core.js';
export type { Credentials, PoolOptions, ReplicaRouterOptions } from './options.js';
export type { ReadOptions, TransactionClient } from './read-options.js';
export type { TransactionOptions, QueryText, QueryValues } from './query.js';
export { Session, type SessionOptions } from './session.js';
export type { EndpointCounters, EndpointStats, PoolStats, ReadYourWritesCounts, RouterStats } from './stats.js';
export { fromEnv, type FromEnvOptions } from './env.js';
export { BaseRepository, type FindOptions, type RepositoryDb, type RepositoryOptions } from './repository/base-repository.js';
export type { ListOptions, OrderBy, TableRef } from './repository/sql.js';
export { TlsConnectionError, type TlsOptions } from './tls.js';
export type { IamAuthOptions } from './iam-auth.js';
export { EndpointError, FallbackLimitError, ReadOnlyQueryError, RouterClosedError } from './errors.js';
