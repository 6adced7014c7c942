// The crash-point machinery: a reference run records every mutating AWS call of a lifecycle; then, for each of
// them, a fresh run where the layer executes that call and withholds the answer while the test SIGKILLs the
// operator (and once a run where the first call on an instance is held before it reaches RDS), a new process is
// started, and the run must converge with every invariant intact.
import { afterAll, expect, it } from 'vitest';
import type { Durations } from '../env/rds-world/lifecycle.js';
import { describePoint, mutatingCalls, type CrashPoint } from './crash-point.js';
import { recordFigures, type ScenarioFigures } from './figures.js';
import { checkInvariants, faultsInjected, type Expected } from './invariants.js';
import { Run, until, type Suite } from './suite.js';

export const CONVERGE_MS = 90_000;

export interface Lifecycle {
  label: string;
  tag: string;
  expected: Expected;
  /** Brings the run to where the measured phase starts (the first operator process is running). */
  setUp(run: Run): Promise<void>;
  /** The measured phase; it runs while the test kills and restarts the operator, so it only changes the spec
   * and waits. */
  act(run: Run): Promise<void>;
  converged(run: Run): Promise<boolean>;
}

function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))]);
}

/** Registers one test per lifecycle. */
export function crashPointTests(suite: Suite, durations: Partial<Durations>, lifecycles: readonly Lifecycle[], timeoutMs: number): void {
  const figures: ScenarioFigures[] = [];
  afterAll(() => {
    for (const f of figures) recordFigures(f);
  });

  async function runOnce(lifecycle: Lifecycle, tag: string, point?: CrashPoint) {
    const world = suite.world();
    await world.reset({ durations });
    const run = await Run.start(suite, tag);
    try {
      const first = await run.startOperator(`${tag}-op1`);
      await lifecycle.setUp(run);
      const mark = world.journal.at(-1)?.seq ?? 0;
      const held = point ? world.hold(point.operation, point.phase, { nth: point.nth, process: first.name }) : undefined;
      const acting = lifecycle.act(run);
      if (held) {
        const call = await withTimeout(describePoint(point!), held, CONVERGE_MS);
        await first.kill();
        call.drop();
        await run.startOperator(`${tag}-op2`);
      }
      await acting;
      await until(
        `${lifecycle.label} to converge`,
        () => lifecycle.converged(run),
        CONVERGE_MS,
        async () => JSON.stringify((await run.get())?.status?.conditions ?? 'gone'),
      );
      const report = await checkInvariants(run, world, lifecycle.expected);
      return { report, mark, journal: [...world.journal], faults: faultsInjected(world.journal) };
    } finally {
      world.clearHolds();
      await run.cleanUp();
    }
  }

  for (const lifecycle of lifecycles) {
    it(
      `${lifecycle.label}: a kill after every mutating call, and before the first, converges with no violation`,
      async () => {
        const started = Date.now();
        const reference = await runOnce(lifecycle, `${lifecycle.tag}-ref`);
        expect(reference.report.violations).toEqual([]);
        const points = mutatingCalls(reference.journal, reference.mark);
        expect(points.length).toBeGreaterThan(0);
        // The first call on an instance (not the parameter group) is also held before it reaches RDS.
        const firstOnInstance = points.find((p) => p.operation.includes('DBInstance')) ?? points[0]!;
        points.push({ ...firstOnInstance, phase: 'before' });

        let checked = reference.report.checked;
        let faults = 0;
        let undrained = reference.report.undrainedOnDeletion;
        const violations: string[] = [];
        for (const [i, point] of points.entries()) {
          const result = await runOnce(lifecycle, `${lifecycle.tag}-${i}`, point);
          checked += result.report.checked;
          faults += result.faults;
          undrained += result.report.undrainedOnDeletion;
          violations.push(...result.report.violations.map((v) => `${describePoint(point)}: ${v}`));
        }
        figures.push({
          scenario: `crash: ${lifecycle.label}`,
          runs: points.length + 1,
          crashPoints: points.length,
          faultsInjected: faults,
          invariantsChecked: checked,
          violations: violations.length,
          seconds: (Date.now() - started) / 1000,
          notes: `${points.map(describePoint).join(', ')}${undrained > 0 ? `; ${undrained} replicas deleted with the ReplicaSetDB without a drain (by design, not counted)` : ''}`,
        });
        expect(violations).toEqual([]);
      },
      timeoutMs,
    );
  }
}
