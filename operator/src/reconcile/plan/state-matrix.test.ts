// Every RDS state of the primary and of a replica against every kind of spec change: which AWS calls the plan
// makes. The emulator makes instances available at once, so these states only ever occur here (and in the
// client-mock tests of the adapter and the reconciler).
import { describe, expect, it } from 'vitest';
import type { RdsInstance } from '../../rds/port.js';
import { Observed } from '../observed.js';
import { BASE, aReplicaSetDB, aWorld, type ReplicaSetDBBuilder } from '../testing/fixtures.js';
import { plan, stepsOf } from '../testing/plan-helpers.js';

const P = BASE;
const R = (i: number) => `${BASE}-r${i}`;

type State = 'creating' | 'available' | 'modifying' | 'backing-up' | 'storage-full' | 'failed' | 'deleting' | 'missing';
const STATES: State[] = ['creating', 'available', 'modifying', 'backing-up', 'storage-full', 'failed', 'deleting', 'missing'];

function overrides(state: State): Partial<RdsInstance> | undefined {
  if (state === 'missing') return undefined;
  return { status: state, endpoint: state === 'creating' ? undefined : { host: 'h', port: 5432 } };
}

interface Change {
  name: string;
  /** The world is in sync with `before`; the spec is then `after`. */
  before: () => ReplicaSetDBBuilder;
  after: () => ReplicaSetDBBuilder;
}

const CHANGES: Change[] = [
  { name: 'no change', before: () => aReplicaSetDB(), after: () => aReplicaSetDB() },
  { name: 'scale up 1 -> 3', before: () => aReplicaSetDB(), after: () => aReplicaSetDB().withReplicas(3) },
  { name: 'scale down 3 -> 1', before: () => aReplicaSetDB().withReplicas(3), after: () => aReplicaSetDB().withReplicas(1) },
  {
    name: 'primary class change',
    before: () => aReplicaSetDB(),
    after: () => aReplicaSetDB().withSpec({ primary: { instanceClass: 'db.r6g.2xlarge' } }),
  },
  {
    name: 'replica class change',
    before: () => aReplicaSetDB(),
    after: () => aReplicaSetDB().withSpec({ replicas: { instanceClass: 'db.r6g.xlarge' } }),
  },
  {
    name: 'storage grow 100 -> 200',
    before: () => aReplicaSetDB(),
    after: () => aReplicaSetDB().withSpec({ primary: { allocatedStorageGiB: 200 } }),
  },
  {
    name: 'parameter change',
    before: () => aReplicaSetDB(),
    after: () => aReplicaSetDB().withSpec({ parameters: { max_connections: '300' } }),
  },
];

/** The world of `before`, planned against the spec of `after`. */
function worldFor(change: Change, mutate: (w: ReturnType<typeof aWorld>) => void) {
  const world = aWorld(change.before()).inSync();
  mutate(world);
  const observed = world.build();
  const target = aWorld(change.after()).build();
  return new Observed({ ...observed.world, object: target.world.object, names: target.world.names });
}

const createPrimary = `createPrimary ${P}`;
const modifyPrimary = `modifyInstance ${P}`;
const setParameters = `setParameters ${P}-postgres15`;
const createReplica = (i: number) => `createReplica ${R(i)}`;
const modifyReplica = (i: number) => `modifyInstance ${R(i)}`;
const deleteReplica = (i: number) => `deleteInstance ${R(i)}`;

/** A table of expected steps, one row per change and one column per state (in the order of STATES). */
function byChange(rows: Record<string, string[][]>): Record<string, Record<State, string[]>> {
  return Object.fromEntries(
    Object.entries(rows).map(([change, cells]) => {
      if (cells.length !== STATES.length) throw new Error(`${change}: ${cells.length} columns for ${STATES.length} states`);
      return [change, Object.fromEntries(STATES.map((state, i) => [state, cells[i]!])) as Record<State, string[]>];
    }),
  );
}

// Expected steps for the primary in each state (replicas available and in sync).
const PRIMARY_EXPECTATIONS: Record<string, Record<State, string[]>> = byChange({
  // change: [creating, available, modifying, backing-up, storage-full, failed, deleting, missing]
  'no change': [[], [], [], [], [], [], [], [createPrimary]],
  'scale up 1 -> 3': [[], [createReplica(2), createReplica(3)], [], [], [], [], [], [createPrimary]],
  'scale down 3 -> 1': [
    [deleteReplica(3), deleteReplica(2)],
    [deleteReplica(3), deleteReplica(2)],
    [deleteReplica(3), deleteReplica(2)],
    [deleteReplica(3), deleteReplica(2)],
    [deleteReplica(3), deleteReplica(2)],
    [deleteReplica(3), deleteReplica(2)],
    [],
    [createPrimary],
  ],
  'primary class change': [[], [modifyPrimary], [], [], [], [], [], [createPrimary]],
  'replica class change': [
    [modifyReplica(1)],
    [modifyReplica(1)],
    [modifyReplica(1)],
    [modifyReplica(1)],
    [modifyReplica(1)],
    [modifyReplica(1)],
    [],
    [createPrimary],
  ],
  // Replicas first; the primary waits for them, except a full primary, whose growth cannot wait.
  'storage grow 100 -> 200': [
    [modifyReplica(1)],
    [modifyReplica(1)],
    [modifyReplica(1)],
    [modifyReplica(1)],
    [modifyReplica(1), modifyPrimary],
    [modifyReplica(1)],
    [],
    [createPrimary],
  ],
  'parameter change': [
    [setParameters],
    [setParameters],
    [setParameters],
    [setParameters],
    [setParameters],
    [setParameters],
    [setParameters],
    [setParameters, createPrimary],
  ],
});

// Expected steps for replica r1 in each state (primary available and in sync).
const REPLICA_EXPECTATIONS: Record<string, Record<State, string[]>> = byChange({
  // change: [creating, available, modifying, backing-up, storage-full, failed, deleting, missing]
  'no change': [[], [], [], [], [], [deleteReplica(1)], [], [createReplica(1)]],
  'scale up 1 -> 3': [
    [createReplica(2), createReplica(3)],
    [createReplica(2), createReplica(3)],
    [createReplica(2), createReplica(3)],
    [createReplica(2), createReplica(3)],
    [createReplica(2), createReplica(3)],
    [deleteReplica(1), createReplica(2), createReplica(3)],
    [createReplica(2), createReplica(3)],
    [createReplica(1), createReplica(2), createReplica(3)],
  ],
  // r3 in the given state; r2 available; r1 stays.
  'scale down 3 -> 1': [
    [deleteReplica(2)],
    [deleteReplica(3), deleteReplica(2)],
    [deleteReplica(2)],
    [deleteReplica(2)],
    [deleteReplica(3), deleteReplica(2)],
    [deleteReplica(3), deleteReplica(2)],
    [deleteReplica(2)],
    [deleteReplica(2)],
  ],
  // The primary's class waits while a replica is in a transition; a broken replica does not hold it back.
  'primary class change': [[], [modifyPrimary], [], [modifyPrimary], [modifyPrimary], [deleteReplica(1), modifyPrimary], [modifyPrimary], [createReplica(1)]],
  'replica class change': [[], [modifyReplica(1)], [], [], [], [deleteReplica(1)], [], [createReplica(1)]],
  'storage grow 100 -> 200': [[], [modifyReplica(1)], [], [], [modifyReplica(1)], [deleteReplica(1), modifyPrimary], [modifyPrimary], [createReplica(1)]],
  'parameter change': [
    [setParameters],
    [setParameters],
    [setParameters],
    [setParameters],
    [setParameters],
    [setParameters, deleteReplica(1)],
    [setParameters],
    [setParameters, createReplica(1)],
  ],
});

describe('plan: the primary in every RDS state against every kind of spec change', () => {
  for (const change of CHANGES) {
    describe(change.name, () => {
      it.each(STATES)('primary %s', (state) => {
        const observed = worldFor(change, (w) => w.withPrimary(overrides(state)));
        expect(stepsOf(plan(observed))).toEqual(PRIMARY_EXPECTATIONS[change.name]![state]);
      });
    });
  }
});

describe('plan: a replica in every RDS state against every kind of spec change', () => {
  for (const change of CHANGES) {
    describe(change.name, () => {
      it.each(STATES)('replica %s', (state) => {
        const index = change.name.startsWith('scale down') ? 3 : 1;
        const observed = worldFor(change, (w) => w.withReplica(index, overrides(state)));
        expect(stepsOf(plan(observed))).toEqual(REPLICA_EXPECTATIONS[change.name]![state]);
      });
    });
  }
});

describe('plan: what the state matrix implies', () => {
  it('never modifies an instance that is not available (except growing a full one)', () => {
    for (const change of CHANGES) {
      for (const state of STATES.filter((s) => s !== 'available' && s !== 'missing')) {
        for (const target of ['primary', 'replica'] as const) {
          const observed = worldFor(change, (w) => (target === 'primary' ? w.withPrimary(overrides(state)) : w.withReplica(1, overrides(state))));
          const id = target === 'primary' ? P : R(1);
          for (const step of plan(observed).steps) {
            if (step.kind !== 'modifyInstance' || step.identifier !== id) continue;
            expect(state, `${change.name}: ${target} ${state}`).toBe('storage-full');
            expect(Object.keys(step.changes).every((k) => k === 'allocatedStorageGiB' || k === 'maxAllocatedStorageGiB')).toBe(true);
          }
        }
      }
    }
  });

  it('explains every state it waits for', () => {
    const observed = worldFor(CHANGES[3]!, (w) => w.withPrimary(overrides('modifying')));
    expect(plan(observed).waits.map((w) => w.message)).toContain(`${P} is modifying; it is modified once available`);
  });
});
