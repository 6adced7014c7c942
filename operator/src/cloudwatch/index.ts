// Replica lag from CloudWatch (ReplicaLag, AWS/RDS): the port, the SDK adapter and its client.
export type { LagSubject, ReplicaLagPort } from './port.js';
export { createCloudWatchClient, type CloudWatchClientOptions } from './client.js';
export { SdkReplicaLagPort, type SdkReplicaLagOptions } from './sdk-adapter.js';
export { DEFAULT_LAG_WINDOW, LAG_DIMENSION, LAG_METRIC, LAG_NAMESPACE, type LagWindow } from './lag-query.js';
export { PeriodicLagReader, type PeriodicLagOptions } from './periodic-lag.js';
export { lagClass, objectsWithRoutingChange, type LagClass, type LagInterest } from './routing-change.js';
export type { DatabaseConnectionsPort } from './port.js';
export { CONNECTIONS_METRIC, DEFAULT_CONNECTIONS_WINDOW, type MetricDatapoint } from './connections-query.js';
export { SdkDatabaseConnectionsPort, type SdkDatabaseConnectionsOptions } from './connections-adapter.js';
export { sharedReading, type SharedReadingOptions } from './shared-reading.js';
