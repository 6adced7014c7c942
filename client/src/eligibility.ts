// Which replica may serve a read: pure predicates over what the router last observed.
import type { Lsn } from './lsn.js';

export interface ReplicaView {
  state: 'active' | 'draining' | 'removed';
  healthy: boolean;
  /** Infinity when unknown. */
  lagSeconds: number;
  /** A position the replica is known to have replayed (replay never goes back while it stays up). */
  replayLsn: Lsn | undefined;
}

export interface ReadRequirement {
  maxLagSeconds: number;
  /** A session's last commit: the replica must have replayed it. */
  minLsn?: Lsn | undefined;
}

export function isEligible(r: ReplicaView, need: ReadRequirement): boolean {
  if (r.state !== 'active' || !r.healthy || !(r.lagSeconds <= need.maxLagSeconds)) return false;
  return need.minLsn === undefined || (r.replayLsn !== undefined && r.replayLsn >= need.minLsn);
}

/** Round-robin: the first item from `start` on (wrapping) that passes, and the cursor for the next call. */
export function pickRoundRobin<T>(items: readonly T[], start: number, accept: (item: T) => boolean): { item: T; next: number } | undefined {
  const n = items.length;
  for (let i = 0; i < n; i++) {
    const index = (start + i) % n;
    const item = items[index] as T;
    if (accept(item)) return { item, next: (index + 1) % n };
  }
  return undefined;
}
