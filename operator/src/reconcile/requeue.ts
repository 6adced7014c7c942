// When to look again. Often while anything moves (an instance creating, modifying, being deleted; a step just
// sent), rarely when steady. After a failed step, the error policy decides (error-policy.ts). A state only a person
// can change (a conflict, a held change, deletion protection) is looked at rarely: a spec change or an annotation
// triggers a reconcile through the watch anyway, so polling it often would only repeat the same answer.
import type { ApplyOutcome } from './apply.js';
import { errorPolicy, requeueAfterFailureMs, type FailureIntervals } from './error-policy.js';
import type { Verdict } from './status.js';

export type ResyncIntervals = FailureIntervals;

/** Milliseconds until the next reconcile, or undefined when the object needs none (its finalizer is gone) or the
 * controller's backoff decides (the reconciler throws for those). */
export function requeueAfterMs(verdict: Verdict, outcome: ApplyOutcome, intervals: ResyncIntervals, deleting = false): number | undefined {
  if (outcome.finalizerRemoved) return undefined;
  if (outcome.failure !== undefined) {
    const decision = errorPolicy(outcome.failure, { deleting });
    // A held change waits for the spec (a deferred one for its time), but the rest of the plan may still be moving.
    const holds = decision.action === 'hold' || decision.action === 'defer';
    if (!holds || !verdict.transitioning) return withinRetry(requeueAfterFailureMs(decision, intervals), verdict);
  }
  return withinRetry(verdict.transitioning ? intervals.transitioningMs : intervals.steadyMs, verdict);
}

/** A deferred change is sent again at its time, not up to a steady interval later. */
function withinRetry(requeueMs: number | undefined, verdict: Verdict): number | undefined {
  if (requeueMs === undefined || verdict.nextRetryMs === undefined) return requeueMs;
  return Math.min(requeueMs, verdict.nextRetryMs);
}
