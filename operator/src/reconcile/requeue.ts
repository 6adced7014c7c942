// When to look again. Often while anything moves (an instance creating, modifying, being deleted; a step just
// sent), rarely when steady. A state only a person can change (a conflict, a rejected spec, deletion
// protection) is looked at rarely: a spec change or an annotation triggers a reconcile through the watch anyway,
// so polling it often would only repeat the same answer.
import type { ApplyOutcome } from './apply.js';
import type { Verdict } from './status.js';

export interface ResyncIntervals {
  steadyMs: number;
  transitioningMs: number;
}

/** Milliseconds until the next reconcile, or undefined when the object needs none (its finalizer is gone). */
export function requeueAfterMs(verdict: Verdict, outcome: ApplyOutcome, intervals: ResyncIntervals): number | undefined {
  if (outcome.finalizerRemoved) return undefined;
  const failure = outcome.failure;
  if (failure?.kind === 'invalid-state' || failure?.kind === 'not-found' || failure?.kind === 'already-exists') return intervals.transitioningMs;
  if (failure?.kind === 'terminal') return intervals.steadyMs;
  return verdict.transitioning ? intervals.transitioningMs : intervals.steadyMs;
}
