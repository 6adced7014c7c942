// status.heldChanges after a reconcile: the holds that still apply, plus the change RDS has just refused when the
// error policy says to hold it (until the spec changes) or defer it (until the time RDS named).
import type { HeldChange } from '../api/index.js';
import type { ApplyOutcome } from './apply.js';
import { deferralMs, errorPolicy, type FailureIntervals } from './error-policy.js';
import type { Observed } from './observed.js';
import { holdFor, isDeferral, nextHeldChanges } from './plan/held.js';

export function heldChangesAfter(observed: Observed, outcome: ApplyOutcome, now: Date, intervals: Partial<FailureIntervals>): HeldChange[] | undefined {
  const failure = outcome.failure;
  // A rejected password is held by its fingerprint (status.credentials), released by the Secret, not the spec.
  if (failure === undefined || failure.step.kind === 'applyMasterPassword') return nextHeldChanges(observed, undefined, now);
  const decision = errorPolicy(failure, { deleting: observed.isDeleting() });
  const generation = observed.object.generation;
  const refused =
    decision.action === 'hold'
      ? holdFor(failure.step, failure, generation)
      : decision.action === 'defer'
        ? holdFor(failure.step, failure, generation, new Date(now.getTime() + deferralMs(decision, intervals)))
        : undefined;
  return nextHeldChanges(observed, refused, now);
}

/** One line per change held for a person, for the Ready condition. */
export function describeHeldChanges(held: readonly HeldChange[]): string {
  const lines = held.map((h) => `${h.operation} ${h.subject}${fieldsOf(h)} was rejected: ${h.message}`);
  return `${lines.join('; ')}. Change the spec to try again.`;
}

/** One line per change that waits for RDS, for the Progressing condition. */
export function describeDeferredChanges(deferred: readonly HeldChange[]): string {
  return deferred.map((h) => `${h.operation} ${h.subject}${fieldsOf(h)} is sent again after ${h.retryAt}: ${h.message}`).join('; ');
}

export function partitionHolds(held: readonly HeldChange[] | undefined): { rejected: HeldChange[]; deferred: HeldChange[] } {
  return { rejected: (held ?? []).filter((h) => !isDeferral(h)), deferred: (held ?? []).filter(isDeferral) };
}

function fieldsOf(h: HeldChange): string {
  return h.fields !== undefined ? ` (${h.fields.join(', ')})` : '';
}
