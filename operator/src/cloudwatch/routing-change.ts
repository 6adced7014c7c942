// Which objects a new lag reading re-routes. A replica's lag matters to routing only through its class against
// the object's routing.maxReplicaLagSeconds: within it, over it, or unknown (no recent datapoint: routed like
// "within", but published without a lag). An object whose replicas all keep the class its last reconcile saw needs
// no reconcile before its next resync; one with a replica in another class now needs one at once. Pure.
import { isLagging } from '../topology/replica-routing.js';

export type LagClass = 'unknown' | 'within' | 'lagging';

export type LagValues = ReadonlyMap<string, number | undefined>;

export interface LagInterest {
  /** The lag of each replica of the object as its last reconcile was told it. */
  answered: LagValues;
  maxReplicaLagSeconds: number;
}

export function lagClass(lagSeconds: number | undefined, maxReplicaLagSeconds: number): LagClass {
  if (lagSeconds === undefined) return 'unknown';
  return isLagging(lagSeconds, maxReplicaLagSeconds) ? 'lagging' : 'within';
}

/** Keys of the objects with a replica whose class in `reading` differs from the one its last reconcile saw; a
 * replica missing from the reading counts as unknown. */
export function objectsWithRoutingChange(interests: Iterable<readonly [string, LagInterest]>, reading: LagValues): string[] {
  const changed: string[] = [];
  for (const [key, { answered, maxReplicaLagSeconds }] of interests) {
    const moved = [...answered].some(([id, lag]) => lagClass(lag, maxReplicaLagSeconds) !== lagClass(reading.get(id), maxReplicaLagSeconds));
    if (moved) changed.push(key);
  }
  return changed;
}
