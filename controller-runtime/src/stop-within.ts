// Bounded waiting for work to stop. After losing leadership a process has until its renew deadline to stop acting:
// by then a successor may hold the Lease, so work still running is no longer fenced by anything but the process
// exiting (client-go's leader election ends the same way: OnStoppedLeading, then exit).

export type StopOutcome = 'stopped' | 'timed-out';

/** Runs `stop` and resolves 'stopped' when it settles (fulfilled or rejected), or 'timed-out' after `deadlineMs`. */
export async function stopWithin(stop: () => Promise<void>, deadlineMs: number): Promise<StopOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<StopOutcome>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), deadlineMs);
  });
  const stopped = Promise.resolve()
    .then(stop)
    .then(
      (): StopOutcome => 'stopped',
      (): StopOutcome => 'stopped',
    );
  try {
    return await Promise.race([stopped, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
