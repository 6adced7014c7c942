// A retiring replica's part in the topology: it is withdrawn from routing (published as `draining`) from the first
// pass that retires it until RDS no longer lists it, so no client is sent to it while it is deleted. Derived from
// the spec and RDS, not from the plan's retirement calls, so a draining replica stays draining while a blocker holds
// every other change.
import { needsReplacement } from '../instance-states.js';
import type { Observed } from '../observed.js';

/** Retiring: the spec no longer wants it (index above replicas.count), or RDS cannot recover it (it is replaced). */
export function isRetiring(observed: Observed, identifier: string, status: string): boolean {
  const index = observed.names.replicaIndexOf(identifier);
  const count = observed.spec?.replicas.count ?? 0;
  return index !== undefined && (index > count || needsReplacement(status));
}
