import { describe, expect, it } from 'vitest';
import { SharedProbe } from './shared-probe.js';

/** A probe whose runs the test finishes by hand, numbered from 1. */
function manualProbe() {
  const runs: Array<(value: number) => void> = [];
  const fails: Array<(err: Error) => void> = [];
  const probe = new SharedProbe<number>(
    () =>
      new Promise<number>((resolve, reject) => {
        runs.push(resolve);
        fails.push(reject);
      }),
  );
  return { probe, runs, fails, settle: () => new Promise((resolve) => setImmediate(resolve)) };
}

/** current() once every earlier probe has answered starts probe number `run` of its own and takes its answer. */
async function expectFreshProbe({ probe, runs, settle }: Pick<ReturnType<typeof manualProbe>, 'probe' | 'runs' | 'settle'>, run: number, answer: number) {
  const fresh = probe.current();
  await settle();
  expect(runs).toHaveLength(run);
  runs[run - 1]?.(answer);
  expect(await fresh).toBe(answer);
}

describe('SharedProbe', () => {
  it('current() joins the probe in flight', async () => {
    const { probe, runs, settle } = manualProbe();
    const a = probe.current();
    const b = probe.current();
    await settle();
    expect(runs).toHaveLength(1);
    runs[0]?.(7);
    expect([await a, await b]).toEqual([7, 7]);
    await expectFreshProbe({ probe, runs, settle }, 2, 8);
  });

  it('next() never takes an answer from a probe that began before it, and callers meanwhile share one', async () => {
    const { probe, runs, settle } = manualProbe();
    const first = probe.next();
    await settle();
    const second = probe.next();
    const third = probe.next();
    await settle();
    expect(runs).toHaveLength(1);
    runs[0]?.(1);
    expect(await first).toBe(1);
    await settle();
    expect(runs).toHaveLength(2);
    runs[1]?.(2);
    expect([await second, await third]).toEqual([2, 2]);
  });

  it('a failed probe fails its callers and the next call probes again', async () => {
    const { probe, runs, fails, settle } = manualProbe();
    const failing = probe.current();
    const queued = probe.next();
    await settle();
    fails[0]?.(new Error('connection reset'));
    await expect(failing).rejects.toThrow('connection reset');
    await settle();
    runs[1]?.(5);
    expect(await queued).toBe(5);
    await expectFreshProbe({ probe, runs, settle }, 3, 6);
  });

  it('is busy while a probe runs or is queued, and idle once all have answered', async () => {
    const { probe, runs, settle } = manualProbe();
    expect(probe.busy).toBe(false);
    const first = probe.current();
    expect(probe.busy).toBe(true);
    const queued = probe.next();
    await settle();
    runs[0]?.(1);
    await first;
    expect(probe.busy).toBe(true);
    await settle();
    runs[1]?.(2);
    expect(await queued).toBe(2);
    await settle();
    expect(probe.busy).toBe(false);
  });
});
