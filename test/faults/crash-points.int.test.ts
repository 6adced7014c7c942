// Crash points: the operator process is SIGKILLed right after each mutating AWS call of a lifecycle has run in RDS
// (the layer executes the call, then withholds the answer while the test kills the caller), and once right before
// the first create is sent; a new process must converge with every invariant intact.
import { afterAll, describe, expect, it } from 'vitest';
import { isMutating, type JournalEntry } from '../env/rds-world/journal.js';
import { recordFigures } from './figures.js';
import { checkInvariants, faultsInjected, type Expected } from './invariants.js';
import { Run, specOf, until, useFaultSuite } from './suite.js';

const DURATIONS = { creatingMs: 1_000, backingUpMs: 300, modifyingMs: 1_000, deletingMs: 1_000, snapshotCreatingMs: 1_000 };
const CONVERGE_MS = 60_000;
const DRAIN_SECONDS = 2;

/** A call by its operation and rank among that operation's calls (identifiers change with the namespace). */
interface CrashPoint {
  operation: string;
  nth: number;
  phase: 'before' | 'after';
}

interface Lifecycle {
  label: string;
  expected: Expected;
  /** Brings the run to where the measured phase starts (operator `op` already running). */
  setUp(run: Run): Promise<void>;
  /** Starts the measured phase. */
  act(run: Run): Promise<void>;
  converged(run: Run): Promise<boolean>;
}

const spec = specOf({ replicas: 2, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS });

const CREATE: Lifecycle = {
  label: 'create primary + 2 replicas',
  expected: { instances: 3, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS },
  setUp: async () => undefined,
  act: (run) => run.apply(spec),
  converged: (run) => run.isReady(),
};

const DELETE: Lifecycle = {
  label: 'delete with deletionPolicy Snapshot',
  expected: { instances: 0, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS },
  async setUp(run) {
    await run.apply(spec);
    await until('Ready before the deletion', () => run.isReady(), CONVERGE_MS);
  },
  act: (run) => run.delete(),
  converged: async (run) => (await run.get()) === undefined,
};

function mutatingCalls(journal: readonly JournalEntry[], fromSeq: number): CrashPoint[] {
  const rank = new Map<string, number>();
  const out: CrashPoint[] = [];
  for (const e of journal) {
    if (e.seq <= fromSeq || !isMutating(e) || !e.executed || e.outcome !== 'ok') continue;
    const nth = (rank.get(e.operation) ?? 0) + 1;
    rank.set(e.operation, nth);
    out.push({ operation: e.operation, nth, phase: 'after' });
  }
  return out;
}

const describePoint = (p: CrashPoint) => `${p.phase} ${p.operation}${p.nth > 1 ? ` #${p.nth}` : ''}`;

function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))]);
}

describe('crash points', () => {
  const suite = useFaultSuite();
  const figures: Array<Parameters<typeof recordFigures>[0]> = [];

  afterAll(() => {
    for (const f of figures) recordFigures(f);
  });

  /** One run: optionally a crash at `point`; returns the invariant report and the faults put in. */
  async function runOnce(lifecycle: Lifecycle, tag: string, point?: CrashPoint) {
    const world = suite.world();
    await world.reset({ durations: DURATIONS });
    const run = await Run.start(suite, tag);
    try {
      const first = await run.startOperator(`${tag}-op1`);
      await lifecycle.setUp(run);
      const mark = world.journal.at(-1)?.seq ?? 0;
      const held = point ? world.hold(point.operation, point.phase, { nth: point.nth, process: first.name }) : undefined;
      await lifecycle.act(run);
      if (held) {
        const call = await withTimeout(describePoint(point!), held, CONVERGE_MS);
        await first.kill();
        call.drop();
        await run.startOperator(`${tag}-op2`);
      }
      const seconds = (await until(`${lifecycle.label} to converge`, () => lifecycle.converged(run), CONVERGE_MS, async () => JSON.stringify((await run.get())?.status?.conditions ?? 'gone'))) / 1000;
      // Let the drain watch see the last writes before the journal is compared with it.
      const report = await checkInvariants(run, world, lifecycle.expected);
      return { report, seconds, mark, journal: [...world.journal], faults: faultsInjected(world.journal) };
    } finally {
      world.clearHolds();
      await run.cleanUp();
    }
  }

  for (const lifecycle of [CREATE, DELETE]) {
    it(`${lifecycle.label}: every mutating call, a kill after it and before the first create, converges with no violation`, async () => {
      const started = Date.now();
      const tag = lifecycle === CREATE ? 'a' : 'd';
      const reference = await runOnce(lifecycle, `${tag}-ref`);
      expect(reference.report.violations).toEqual([]);
      const points = mutatingCalls(reference.journal, reference.mark);
      expect(points.length).toBeGreaterThan(0);
      const firstCreate = points.find((p) => p.operation === 'CreateDBInstance' || p.operation === 'DeleteDBInstance');
      if (firstCreate) points.push({ operation: firstCreate.operation, nth: 1, phase: 'before' });

      let checked = reference.report.checked;
      let faults = 0;
      let undrained = reference.report.undrainedOnDeletion;
      const violations: string[] = [];
      for (const [i, point] of points.entries()) {
        const result = await runOnce(lifecycle, `${tag}-${i}`, point);
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
    }, 420_000);
  }
});
