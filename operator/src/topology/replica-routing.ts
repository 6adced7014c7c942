// Whether a replica is offered to clients, and how. The rules:
// - a replica being retired is `draining` for as long as it can be reached (it has an endpoint and RDS is not
//   deleting it), whatever its lag: clients stop sending it new reads but finish the ones in flight;
// - otherwise it is `active` only when RDS reports it `available` and its lag is within
//   routing.maxReplicaLagSeconds, or unknown (no recent CloudWatch datapoint must not take every replica out);
// - anything else is left out, with the reason (a lagging replica is what the Degraded condition reports).
import type { TopologyReplicaInput } from './source.js';

export type ExclusionReason = 'deleting' | 'no-endpoint' | 'unavailable' | 'lagging';

export type ReplicaRouting = { state: 'active' } | { state: 'draining' } | { state: 'excluded'; reason: ExclusionReason };

/** A negative ReplicaLag is what RDS reports when replication is not running (MySQL's -1); never within bounds. */
export function isLagging(lagSeconds: number | undefined, maxReplicaLagSeconds: number): boolean {
  return lagSeconds !== undefined && (lagSeconds < 0 || lagSeconds > maxReplicaLagSeconds);
}

export function routeReplica(replica: TopologyReplicaInput, maxReplicaLagSeconds: number): ReplicaRouting {
  if (replica.status === 'deleting') return { state: 'excluded', reason: 'deleting' };
  if (replica.endpoint === undefined) return { state: 'excluded', reason: 'no-endpoint' };
  if (replica.retiring) return { state: 'draining' };
  if (replica.status !== 'available') return { state: 'excluded', reason: 'unavailable' };
  if (isLagging(replica.lagSeconds, maxReplicaLagSeconds)) return { state: 'excluded', reason: 'lagging' };
  return { state: 'active' };
}
