// Replica lag from CloudWatch (ReplicaLag, AWS/RDS): the port, the SDK adapter and its client.
export type { ReplicaLagPort } from './port.js';
export { createCloudWatchClient, type CloudWatchClientOptions } from './client.js';
export { SdkReplicaLagPort, type SdkReplicaLagOptions } from './sdk-adapter.js';
export { DEFAULT_LAG_WINDOW, LAG_DIMENSION, LAG_METRIC, LAG_NAMESPACE, type LagWindow } from './lag-query.js';
export { withSharedLagReads, type SharedLagOptions } from './shared-lag.js';
