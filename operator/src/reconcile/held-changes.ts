// status.heldChanges after a reconcile: the holds of this generation, plus the change RDS has just rejected when
// the error policy says to hold it.
import type { HeldChange } from '../api/index.js';
import type { ApplyOutcome } from './apply.js';
import { errorPolicy } from './error-policy.js';
import type { Observed } from './observed.js';
import { holdFor, nextHeldChanges } from './plan/held.js';

export function heldChangesAfter(observed: Observed, outcome: ApplyOutcome): HeldChange[] | undefined {
  const failure = outcome.failure;
  // A rejected password is held by its fingerprint (status.credentials), released by the Secret, not the spec.
  const rejected =
    failure !== undefined && failure.step.kind !== 'applyMasterPassword' && errorPolicy(failure, { deleting: observed.isDeleting() }).action === 'hold'
      ? holdFor(failure.step, failure, observed.object.generation)
      : undefined;
  return nextHeldChanges(observed, rejected);
}

/** One line per held change, for the Ready condition. */
export function describeHeldChanges(held: readonly HeldChange[]): string {
  const lines = held.map((h) => `${h.operation} ${h.subject}${h.fields !== undefined ? ` (${h.fields.join(', ')})` : ''} was rejected: ${h.message}`);
  return `${lines.join('; ')}. Change the spec to try again.`;
}
