// What the process does when it loses the leader Lease, apart from the wiring: its reconciles were aborted when the
// elector's signal fired; here it waits for them to return, but only until a successor could hold the Lease. The
// elector steps down at the renew deadline after the last renewal it sent; a successor takes the Lease once it has
// seen that renewal unchanged for a lease duration, so no sooner than a lease duration after it was sent. Work still
// running a second before that is fenced the only sure way left: the process exits at once.
import type { Logger } from 'pino';
import { stopWithin } from '@servio/controller-runtime';

/** Lost the Lease; every reconcile stopped in time. The same code as any other failure: restart and campaign again. */
export const EXIT_LOST_LEADERSHIP = 1;
/** Lost the Lease and the reconciles did not stop before a successor could take it. */
export const EXIT_LOST_LEADERSHIP_WORK_STUCK = 3;

/** A successor's clock and the API server's latency are not this process's. */
const FENCE_MARGIN_MS = 1_000;

/** How long after stepping down the work may take to stop: the lease duration less the renew deadline, less a
 * margin (4 s at the defaults of 15 s and 10 s). */
export function fenceWindowMs(timing: { leaseDurationMs: number; renewDeadlineMs: number }): number {
  return Math.max(0, timing.leaseDurationMs - timing.renewDeadlineMs - FENCE_MARGIN_MS);
}

export interface LostLeadershipDeps {
  /** Stops the operator and waits for its in-flight reconciles. */
  stopWork: () => Promise<void>;
  /** fenceWindowMs of the elector's timings. */
  fenceMs: number;
  log: Pick<Logger, 'fatal'>;
  exit: (code: number) => void;
}

/** Resolves once the work has stopped; otherwise logs why and calls `exit` with EXIT_LOST_LEADERSHIP_WORK_STUCK. */
export async function stopWorkOrExit({ stopWork, fenceMs, log, exit }: LostLeadershipDeps): Promise<'stopped' | 'exited'> {
  if ((await stopWithin(stopWork, fenceMs)) === 'stopped') return 'stopped';
  log.fatal(
    { fenceMs, exitCode: EXIT_LOST_LEADERSHIP_WORK_STUCK },
    'lost the leader Lease and in-flight reconciles did not stop before a successor could take it; exiting now so that nothing more is written',
  );
  exit(EXIT_LOST_LEADERSHIP_WORK_STUCK);
  return 'exited';
}

/**
 * While the work stops on SIGTERM the Lease is still renewed, so the work gets its full grace. Lost meanwhile (the
 * elector aborts `leadership`), a successor may take over a lease duration after the last renewal, and the work is
 * fenced as after any loss: `onStuck` runs unless the work stopped within `fenceMs` of the loss. Call the returned
 * function once the work has stopped.
 */
export function fenceIfLostWhileStopping(leadership: AbortSignal | undefined, fenceMs: number, onStuck: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const onLoss = () => {
    timer = setTimeout(onStuck, fenceMs);
  };
  if (leadership?.aborted === true) onLoss();
  else leadership?.addEventListener('abort', onLoss, { once: true });
  return () => {
    clearTimeout(timer);
    leadership?.removeEventListener('abort', onLoss);
  };
}
