// What the process does when it loses the leader Lease, apart from the wiring: its reconciles were aborted when the
// elector's signal fired; here it waits for them to return, for at most the renew deadline. After that a successor
// may hold the Lease, and work that is still running is fenced the only sure way left: the process exits at once.
import type { Logger } from 'pino';
import { stopWithin } from '@servio/controller-runtime';

/** Lost the Lease; every reconcile stopped in time. The same code as any other failure: restart and campaign again. */
export const EXIT_LOST_LEADERSHIP = 1;
/** Lost the Lease and the reconciles did not stop within the renew deadline. */
export const EXIT_LOST_LEADERSHIP_WORK_STUCK = 3;

export interface LostLeadershipDeps {
  /** Stops the operator and waits for its in-flight reconciles. */
  stopWork: () => Promise<void>;
  renewDeadlineMs: number;
  log: Pick<Logger, 'fatal'>;
  exit: (code: number) => void;
}

/** Resolves once the work has stopped; otherwise logs why and calls `exit` with EXIT_LOST_LEADERSHIP_WORK_STUCK. */
export async function stopWorkOrExit({ stopWork, renewDeadlineMs, log, exit }: LostLeadershipDeps): Promise<'stopped' | 'exited'> {
  if ((await stopWithin(stopWork, renewDeadlineMs)) === 'stopped') return 'stopped';
  log.fatal(
    { renewDeadlineMs, exitCode: EXIT_LOST_LEADERSHIP_WORK_STUCK },
    'lost the leader Lease and in-flight reconciles did not stop within the renew deadline; exiting now so that nothing more is written',
  );
  exit(EXIT_LOST_LEADERSHIP_WORK_STUCK);
  return 'exited';
}
