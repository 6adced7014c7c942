// Crash points of (b) scaling 2 -> 4 -> 1 replicas and (c) resizing the replicas, then the primary.
import { describe } from 'vitest';
import { crashPointTests, CONVERGE_MS, type Lifecycle } from './crash.js';
import { instancesInEmulator, specOf, until, useFaultSuite, type Run, type Suite } from './suite.js';

const DURATIONS = { creatingMs: 1_000, backingUpMs: 300, modifyingMs: 1_000, deletingMs: 1_000, snapshotCreatingMs: 1_000 };
const DRAIN_SECONDS = 2;
const spec = specOf({ replicas: 2, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS });

const readyAt2 = async (run: Run) => {
  await run.apply(spec);
  await until('Ready with 2 replicas', () => run.isReady(), CONVERGE_MS);
};

function settled(suite: Suite, run: Run, instances: number, instanceClass?: string): Promise<boolean> {
  return (async () => {
    if (!(await run.isReady()) || suite.world().transitioning().length > 0) return false;
    const all = await instancesInEmulator();
    return all.length === instances && (instanceClass === undefined || all.every((db) => db.DBInstanceClass === instanceClass));
  })();
}

describe('crash points: scale and resize', () => {
  const suite = useFaultSuite();
  const SCALE: Lifecycle = {
    label: 'scale 2 -> 4 -> 1 replicas',
    tag: 'b',
    expected: { instances: 2, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS },
    setUp: readyAt2,
    async act(run) {
      await run.patchSpec({ replicas: { count: 4 } });
      await until('4 replicas', () => settled(suite, run, 5), CONVERGE_MS);
      await run.patchSpec({ replicas: { count: 1 } });
    },
    converged: (run) => settled(suite, run, 2),
  };
  const RESIZE: Lifecycle = {
    label: 'resize replicas, then the primary',
    tag: 'c',
    expected: { instances: 3, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS },
    setUp: readyAt2,
    act: (run) => run.patchSpec({ primary: { instanceClass: 'db.t4g.small' }, replicas: { instanceClass: 'db.t4g.small' } }),
    converged: (run) => settled(suite, run, 3, 'db.t4g.small'),
  };
  crashPointTests(suite, DURATIONS, [SCALE, RESIZE], 540_000);
});
