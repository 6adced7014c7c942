// Exponential backoff with jitter, shared by the work queue (failed reconciles) and the watcher (failed list or
// watch). Jitter spreads retries so that many keys failing together (the API server restarting, an AWS outage)
// do not come back in lockstep.

export interface BackoffPolicy {
  /** Delay after the first failure. */
  initialMs: number;
  /** Upper bound of any delay, jitter included. */
  maxMs: number;
  /** Growth per consecutive failure; 2 doubles. */
  factor: number;
  /** Fraction in [0, 1] of the delay that is randomised away: 0.2 gives a delay in [0.8 d, d]. Jitter only ever
   * shortens the delay, so `maxMs` stays a true bound. */
  jitter: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 5 * 60_000, factor: 2, jitter: 0.2 };

/** Delay before the next attempt after `failures` consecutive failures (1 = the first failure). */
export function backoffDelayMs(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  // Capping the exponent first keeps factor ** n finite for keys that have failed for days.
  const exponent = Math.min(failures - 1, 64);
  const full = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  return Math.round(full * (1 - jitter * random()));
}
