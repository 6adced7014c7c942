// Replica lag, as narrow as the reconciler needs it: one question per reconcile, for every replica at once.

export interface ReplicaLagPort {
  /** CloudWatch's latest ReplicaLag (seconds) of each DB instance; `undefined` for an id without a recent
   * datapoint. Every id asked for is a key of the answer. */
  replicaLagSeconds(ids: readonly string[], options?: { signal?: AbortSignal }): Promise<Map<string, number | undefined>>;
}
