import type { MetricDatapoint } from './connections-query.js';

// Replica lag, as narrow as the reconciler needs it: one question per reconcile, for every replica at once.
export interface ReplicaLagPort {
  /** CloudWatch's latest ReplicaLag (seconds) of each DB instance; `undefined` for an id without a recent
   * datapoint. Every id asked for is a key of the answer. `subject` names the object asking and its threshold, so a
   * port that keeps reading between reconciles knows whom a change of lag concerns. */
  replicaLagSeconds(ids: readonly string[], subject?: LagSubject): Promise<Map<string, number | undefined>>;
}

export interface LagSubject {
  /** The controller's key of the object: `namespace/name`. */
  key: string;
  maxReplicaLagSeconds: number;
}

/** DatabaseConnections, for the drain gate: whether a draining replica still has clients. */
export interface DatabaseConnectionsPort {
  /** Each instance's one-minute DatabaseConnections datapoints of the recent past, oldest first; an empty list when
   * CloudWatch has none. Every id asked for is a key of the answer. */
  databaseConnections(ids: readonly string[]): Promise<Map<string, MetricDatapoint[]>>;
}
