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

// Expected steps for the primary in each state (replicas available and in sync).
const PRIMARY_EXPECTATIONS: Record<string, Record<State, string[]>> = {
  'no change': {
    creating: [],
    available: [],
    modifying: [],
    'backing-up': [],
    'storage-full': [],
    failed: [],
    deleting: [],
    missing: [`createPrimary ${P}`],
  },
  'scale up 1 -> 3': {
    creating: [],
    available: [`createReplica ${R(2)}`, `createReplica ${R(3)}`],
    modifying: [],
    'backing-up': [],
    'storage-full': [],
    failed: [],
    deleting: [],
    missing: [`createPrimary ${P}`],
  },
  'scale down 3 -> 1': {
    creating: [`deleteInstance ${R(3)}`, `deleteInstance ${R(2)}`],
    available: [`deleteInstance ${R(3)}`, `deleteInstance ${R(2)}`],
    modifying: [`deleteInstance ${R(3)}`, `deleteInstance ${R(2)}`],
    'backing-up': [`deleteInstance ${R(3)}`, `deleteInstance ${R(2)}`],
    'storage-full': [`deleteInstance ${R(3)}`, `deleteInstance ${R(2)}`],
    failed: [`deleteInstance ${R(3)}`, `deleteInstance ${R(2)}`],
    deleting: [],
    missing: [`createPrimary ${P}`],
  },
  'primary class change': {
    creating: [],
    available: [`modifyInstance ${P}`],
    modifying: [],
    'backing-up': [],
    'storage-full': [],
    failed: [],
    deleting: [],
    missing: [`createPrimary ${P}`],
  },
  'replica class change': {
    creating: [`modifyInstance ${R(1)}`],
    available: [`modifyInstance ${R(1)}`],
    modifying: [`modifyInstance ${R(1)}`],
    'backing-up': [`modifyInstance ${R(1)}`],
    'storage-full': [`modifyInstance ${R(1)}`],
    failed: [`modifyInstance ${R(1)}`],
    deleting: [],
    missing: [`createPrimary ${P}`],
  },
  'storage grow 100 -> 200': {
    // Replicas first; the primary waits for them, except a full primary, whose growth cannot wait.
    creating: [`modifyInstance ${R(1)}`],
    available: [`modifyInstance ${R(1)}`],
    modifying: [`modifyInstance ${R(1)}`],
    'backing-up': [`modifyInstance ${R(1)}`],
    'storage-full': [`modifyInstance ${R(1)}`, `modifyInstance ${P}`],
    failed: [`modifyInstance ${R(1)}`],
    deleting: [],
    missing: [`createPrimary ${P}`],
  },
  'parameter change': {
    creating: [`setParameters ${P}-postgres15`],
    available: [`setParameters ${P}-postgres15`],
    modifying: [`setParameters ${P}-postgres15`],
    'backing-up': [`setParameters ${P}-postgres15`],
    'storage-full': [`setParameters ${P}-postgres15`],
    failed: [`setParameters ${P}-postgres15`],
    deleting: [`setParameters ${P}-postgres15`],
    missing: [`setParameters ${P}-postgres15`, `createPrimary ${P}`],
  },
};

// Expected steps for replica r1 in each state (primary available and in sync).
const REPLICA_EXPECTATIONS: Record<string, Record<State, string[]>> = {
  'no change': {
    creating: [],
    available: [],
    modifying: [],
    'backing-up': [],
    'storage-full': [],
    failed: [`deleteInstance ${R(1)}`],
    deleting: [],
    missing: [`createReplica ${R(1)}`],
  },
  'scale up 1 -> 3': {
    creating: [`createReplica ${R(2)}`, `createReplica ${R(3)}`],
    available: [`createReplica ${R(2)}`, `createReplica ${R(3)}`],
    modifying: [`createReplica ${R(2)}`, `createReplica ${R(3)}`],
    'backing-up': [`createReplica ${R(2)}`, `createReplica ${R(3)}`],
    'storage-full': [`createReplica ${R(2)}`, `createReplica ${R(3)}`],
    failed: [`deleteInstance ${R(1)}`, `createReplica ${R(2)}`, `createReplica ${R(3)}`],
    deleting: [`createReplica ${R(2)}`, `createReplica ${R(3)}`],
    missing: [`createReplica ${R(1)}`, `createReplica ${R(2)}`, `createReplica ${R(3)}`],
  },
  'scale down 3 -> 1': {
    // r3 in the given state; r2 available; r1 stays.
    creating: [`deleteInstance ${R(2)}`],
    available: [`deleteInstance ${R(3)}`, `deleteInstance ${R(2)}`],
    modifying: [`deleteInstance ${R(2)}`],
    'backing-up': [`deleteInstance ${R(2)}`],
    'storage-full': [`deleteInstance ${R(3)}`, `deleteInstance ${R(2)}`],
    failed: [`deleteInstance ${R(3)}`, `deleteInstance ${R(2)}`],
    deleting: [`deleteInstance ${R(2)}`],
    missing: [`deleteInstance ${R(2)}`],
  },
  'primary class change': {
    // The primary's class waits while a replica is in a transition; a broken replica does not hold it back.
    creating: [],
    available: [`modifyInstance ${P}`],
    modifying: [],
    'backing-up': [`modifyInstance ${P}`],
    'storage-full': [`modifyInstance ${P}`],
    failed: [`deleteInstance ${R(1)}`, `modifyInstance ${P}`],
    deleting: [`modifyInstance ${P}`],
    missing: [`createReplica ${R(1)}`],
  },
  'replica class change': {
    creating: [],
    available: [`modifyInstance ${R(1)}`],
    modifying: [],
    'backing-up': [],
    'storage-full': [],
    failed: [`deleteInstance ${R(1)}`],
    deleting: [],
    missing: [`createReplica ${R(1)}`],
  },
  'storage grow 100 -> 200': {
    creating: [],
    available: [`modifyInstance ${R(1)}`],
    modifying: [],
    'backing-up': [],
    'storage-full': [`modifyInstance ${R(1)}`],
    failed: [`deleteInstance ${R(1)}`, `modifyInstance ${P}`],
    deleting: [`modifyInstance ${P}`],
    missing: [`createReplica ${R(1)}`],
  },
  'parameter change': {
    creating: [`setParameters ${P}-postgres15`],
    available: [`setParameters ${P}-postgres15`],
    modifying: [`setParameters ${P}-postgres15`],
    'backing-up': [`setParameters ${P}-postgres15`],
    'storage-full': [`setParameters ${P}-postgres15`],
    failed: [`setParameters ${P}-postgres15`, `deleteInstance ${R(1)}`],
    deleting: [`setParameters ${P}-postgres15`],
    missing: [`setParameters ${P}-postgres15`, `createReplica ${R(1)}`],
  },
};

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
