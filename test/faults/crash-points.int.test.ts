// Crash points of (a) creating a primary and 2 replicas and (d) deleting them with deletionPolicy Snapshot.
import { describe } from 'vitest';
import { crashPointTests, CONVERGE_MS, type Lifecycle } from './crash.js';
import { specOf, until, useFaultSuite } from './suite.js';

const DURATIONS = { creatingMs: 1_000, backingUpMs: 300, modifyingMs: 1_000, deletingMs: 1_000, snapshotCreatingMs: 1_000 };
const DRAIN_SECONDS = 2;
const spec = specOf({ replicas: 2, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS });

const CREATE: Lifecycle = {
  label: 'create primary + 2 replicas',
  tag: 'a',
  expected: { instances: 3, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS },
  setUp: async () => undefined,
  act: (run) => run.apply(spec),
  converged: (run) => run.isReady(),
};

const DELETE: Lifecycle = {
  label: 'delete with deletionPolicy Snapshot',
  tag: 'd',
  expected: { instances: 0, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS },
  async setUp(run) {
    await run.apply(spec);
    await until('Ready before the deletion', () => run.isReady(), CONVERGE_MS);
  },
  act: (run) => run.delete(),
  converged: async (run) => (await run.get()) === undefined,
};

describe('crash points: create and delete', () => {
  crashPointTests(useFaultSuite(), DURATIONS, [CREATE, DELETE], 420_000);
});
