// A retiring replica's way out, as states and the facts that move it on:
//
//   serving --retire--> draining --drainReleased--> releasingDeletionProtection --protectionOff--> deleting --vanished--> gone
//
// The plan is level-triggered, so no state is stored: each pass folds what it observed about the replica through
// `nextLifecycleState`, starting from `serving`, and the state reached says what the pass does (retire.ts). What the
// fold needs from earlier passes is in the status: `drainingSince` (when the ConfigMap showing it draining took
// effect) and `drainReleasedBy` (what ended the drain, kept while RDS still lists the replica).
//
// - retire: the spec no longer wants the replica (index above replicas.count) or RDS cannot recover it.
// - keep: the spec wants it again; a replica not yet deleting goes back to serving.
// - drainHeld / drainReleased: the drain gate's verdict (drain-gate.ts): released once routing.drainSeconds have
//   passed since drainingSince, the replica was observed draining, and its DatabaseConnections stayed quiet
//   (ConnectionsQuiet) or routing.maxDrainSeconds was reached (MaxDrainSeconds).
// - protectionOn / protectionOff: RDS reports deletion protection on or off.
// - deletionStarted: RDS reports the replica `deleting` (by us in an earlier pass, or by someone else).
// - vanished: RDS no longer lists it.
export const LIFECYCLE_STATES = ['serving', 'draining', 'releasingDeletionProtection', 'deleting', 'gone'] as const;
export type ReplicaLifecycleState = (typeof LIFECYCLE_STATES)[number];

export const LIFECYCLE_INPUTS = ['retire', 'keep', 'drainHeld', 'drainReleased', 'protectionOn', 'protectionOff', 'deletionStarted', 'vanished'] as const;
export type ReplicaLifecycleInput = (typeof LIFECYCLE_INPUTS)[number];

/** Only the moves; any other input leaves the state as it is. */
const MOVES: Record<ReplicaLifecycleState, Partial<Record<ReplicaLifecycleInput, ReplicaLifecycleState>>> = {
  serving: { retire: 'draining', deletionStarted: 'deleting', vanished: 'gone' },
  draining: { keep: 'serving', drainReleased: 'releasingDeletionProtection', deletionStarted: 'deleting', vanished: 'gone' },
  releasingDeletionProtection: { keep: 'serving', protectionOff: 'deleting', deletionStarted: 'deleting', vanished: 'gone' },
  // A DeleteDBInstance cannot be taken back.
  deleting: { vanished: 'gone' },
  gone: {},
};

export function nextLifecycleState(state: ReplicaLifecycleState, input: ReplicaLifecycleInput): ReplicaLifecycleState {
  return MOVES[state][input] ?? state;
}

/** The state one pass's observations lead to, in the order they were made. */
export function lifecycleStateAfter(inputs: readonly ReplicaLifecycleInput[], from: ReplicaLifecycleState = 'serving'): ReplicaLifecycleState {
  return inputs.reduce(nextLifecycleState, from);
}
