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
