// A replica's way out of service, in one place: its states (lifecycle.ts), what a pass does in each (retire.ts), the
// drain that guards the deletion (drain-gate.ts, drain-release.ts), its part in the topology (routing.ts), the
// status fields it owns (status.ts), and the deletion-protection step it shares with the object's deletion.
export * from './lifecycle.js';
export { planRetirement, retireImmediately, type RetirementDecision, type RetirementGate, type RetirementReason, type RetirementRequest } from './retire.js';
export { drainBeforeDelete } from './drain-gate.js';
export { drainRelease, type DrainRelease, type DrainReleaseInput, type DrainVerdict } from './drain-release.js';
export { isRetiring, isSurplus, retirementReason } from './routing.js';
export { drainingSince, withDrainRelease, type DrainingSinceInput } from './status.js';
export { liftDeletionProtection } from './deletion-protection.js';
