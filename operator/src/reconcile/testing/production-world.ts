// The reconciler as the operator wires it, at the default resyncs and drain: behind the steady cache (an inventory
// kept 0.8 of the steady resync), with the drain gate and a DatabaseConnections reading in which every replica has been quiet
// for minutes (a drain ends at drainSeconds). A test moves the clock itself and reconciles when it chooses.
import { expect } from 'vitest';
import { steadyCacheOptions, withSteadyStateCache } from '../../rds/steady-cache.js';
import { FakeRds } from '../../rds/testing/fake-rds.js';
import { createReplicaSetDBReconciler } from '../reconciler.js';
import { drainBeforeDelete } from '../replica-lifecycle/index.js';
import { FakeKubernetes } from './fake-kubernetes.js';
import { NAME, NAMESPACE, aReplicaSetDB } from './fixtures.js';
import { CapturingLogger } from './harness.js';

export const DEFAULT_STEADY_MS = 600_000;
export const DEFAULT_TRANSITIONING_MS = 15_000;

/** The object with `replicas` replicas and the drain at its defaults (the fixture's is 30 s). */
export function atDefaultDrain(replicas: number) {
  return aReplicaSetDB()
    .withReplicas(replicas)
    .withSpec({ routing: { drainSeconds: 150, maxDrainSeconds: 900 } });
}

export function productionWorld(replicas: number, kube = new FakeKubernetes()) {
  const rds = new FakeRds();
  const log = new CapturingLogger();
  let now = new Date('2026-12-07T16:00:00Z').getTime();
  kube.put(atDefaultDrain(replicas).build());
  const ref = { namespace: NAMESPACE, name: NAME };
  const reconcile = createReplicaSetDBReconciler({
    kube,
    rds: withSteadyStateCache(rds, { ...steadyCacheOptions(DEFAULT_STEADY_MS), now: () => now }),
    resync: { steadyMs: DEFAULT_STEADY_MS, transitioningMs: DEFAULT_TRANSITIONING_MS },
    now: () => new Date(now),
    generatePassword: () => 'GeneratedPassword0123456789abcdefABCDEF',
    retirementGate: drainBeforeDelete,
    connections: {
      databaseConnections: async (ids: readonly string[]) =>
        new Map(ids.map((id) => [id, [3, 2, 1].map((m) => ({ at: new Date(now - m * 60_000), value: 0 }))])),
    },
  });
  const advance = (ms: number) => (now += ms);
  const pass = () => reconcile(ref, { log });
  /** Reconciles as the requeues ask until the object only waits for its steady resync. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 40; i++) {
      const { requeueAfterMs } = await pass();
      if (requeueAfterMs === undefined || requeueAfterMs >= DEFAULT_STEADY_MS) return;
      advance(requeueAfterMs);
    }
    throw new Error('the object did not settle');
  }
  /** Ready, and one steady resync later: the inventory now holds every instance, available. */
  async function steady(): Promise<void> {
    await settle();
    advance(DEFAULT_STEADY_MS);
    await settle();
    expect(kube.record(ref)?.status?.phase).toBe('Ready');
  }
  const deleted = () => rds.calls.filter((c) => c.operation === 'DeleteDBInstance').map((c) => c.subject);
  return { rds, kube, ref, pass, advance, steady, deleted, now: () => now };
}
