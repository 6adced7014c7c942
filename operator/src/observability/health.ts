// Liveness and readiness as the kubelet sees them.
//
// Ready means "this replica is doing what it should": a standby is ready because its job is to wait for the
// Lease (a rollout must not stall on replicas that are correctly idle), and the leader is ready once its
// informer caches have synced (before that it would reconcile from an empty view). While the election has not
// reached the API server yet, or after SIGTERM, the replica is not ready.
export type ElectionState = 'starting' | 'leader' | 'standby' | 'stopping';

export interface ProbeResult {
  ok: boolean;
  reasons: string[];
}

/** Returns a reason when the process is broken beyond self-repair (the kubelet restarts it), else undefined. */
export type LivenessCheck = () => string | undefined;

export class Health {
  private election: ElectionState = 'starting';
  private cachesSynced: () => boolean = () => false;
  private readonly livenessChecks = new Map<string, LivenessCheck>();

  setElection(state: ElectionState): void {
    this.election = state;
  }

  /** A value, or a check read at every probe (so readiness is never staler than the probe itself). */
  setCachesSynced(synced: boolean | (() => boolean)): void {
    this.cachesSynced = typeof synced === 'function' ? synced : () => synced;
  }

  addLivenessCheck(name: string, check: LivenessCheck): void {
    this.livenessChecks.set(name, check);
  }

  liveness(): ProbeResult {
    const reasons: string[] = [];
    for (const [name, check] of this.livenessChecks) {
      const reason = check();
      if (reason !== undefined) reasons.push(`${name}: ${reason}`);
    }
    return { ok: reasons.length === 0, reasons };
  }

  readiness(): ProbeResult {
    switch (this.election) {
      case 'starting':
        return { ok: false, reasons: ['leader election has not started'] };
      case 'stopping':
        return { ok: false, reasons: ['shutting down'] };
      case 'standby':
        return { ok: true, reasons: [] };
      case 'leader':
        return this.cachesSynced() ? { ok: true, reasons: [] } : { ok: false, reasons: ['leader: caches not synced yet'] };
    }
  }

  snapshot(): { election: ElectionState; cachesSynced: boolean } {
    return { election: this.election, cachesSynced: this.cachesSynced() };
  }
}
