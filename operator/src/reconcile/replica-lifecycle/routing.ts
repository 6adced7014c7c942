// A retiring replica's part in the topology: it is withdrawn from routing (published as `draining`) from the first
// pass that retires it until RDS no longer lists it, so no client is sent to it while it is deleted. Derived from
// the spec and RDS, not from the plan's retirement calls, so a draining replica stays draining while a blocker holds
// every other change.
import { needsReplacement } from '../instance-states.js';
import type { Observed } from '../observed.js';
import type { RetirementReason } from './retire.js';

/** Above replicas.count: the spec no longer wants it. */
export function isSurplus(index: number, count: number): boolean {
  return index > count;
}

/** Why replica `index` is retired, if it is: the spec no longer wants it (index above replicas.count), or RDS
 * cannot recover it (it is replaced). A surplus replica goes as scale-down whatever its state: it is not created
 * again. The plan retires for this reason and the topology withdraws for it, so the two never disagree. */
export function retirementReason(index: number, status: string, count: number): RetirementReason | undefined {
  if (isSurplus(index, count)) return 'scale-down';
  if (needsReplacement(status)) return 'replacement';
  return undefined;
}

export function isRetiring(observed: Observed, identifier: string, status: string): boolean {
  const index = observed.names.replicaIndexOf(identifier);
  return index !== undefined && retirementReason(index, status, observed.spec?.replicas.count ?? 0) !== undefined;
}
