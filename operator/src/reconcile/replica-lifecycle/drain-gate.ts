// Drain before delete: the retirement gate the topology publisher puts in front of DeleteDBInstance.
//
//   1. The replica is published as `draining` (routing.ts marks every retiring replica; the publish phase
//      runs before any deletion of the same reconcile), and status.replicas[].drainingSince records when.
//   2. DeleteDBInstance waits until routing.drainSeconds have passed since drainingSince, and then until its
//      connections have been quiet or the drain maximum is reached (drain-release.ts).
//   3. Only a reconcile that *observed* the replica as draining in the ConfigMap may delete it, so a replica
//      never leaves the ConfigMap in the step that deletes it, even after a hand edit or deletion of the ConfigMap.
//
// The clock lives in the status, not in the process: a restarted operator neither restarts nor skips it.
import type { Observed } from '../observed.js';
import { drainRelease } from './drain-release.js';
import type { RetirementDecision, RetirementGate } from './retire.js';

function isObservedDraining(observed: Observed, identifier: string): boolean {
  return observed.publishedTopology()?.replicas.some((r) => r.id === identifier && r.state === 'draining') === true;
}

function hold(subject: string, message: string): RetirementDecision {
  return { proceed: false, steps: [], waits: [{ subject, message }] };
}

export const drainBeforeDelete: RetirementGate = ({ replica, observed, now, why }) => {
  const id = replica.identifier;
  // Never given an endpoint, so never in a topology: no client can be using it.
  if (replica.endpoint === undefined) return { proceed: true };
  const drainSeconds = observed.spec?.routing.drainSeconds ?? 0;
  const since = observed.previousInstanceStatus(id)?.drainingSince;
  if (since === undefined || !isObservedDraining(observed, id)) {
    return hold(id, `${id} is published as draining (${why}); it is deleted no sooner than ${drainSeconds}s after that`);
  }
  const verdict = drainRelease({ now, drainingSince: new Date(since), routing: observed.spec!.routing, connections: observed.drainingConnections(id) });
  if (verdict.release === undefined) return hold(id, `${id} is draining (${why}); ${verdict.why}`);
  return { proceed: true, release: verdict.release };
};
