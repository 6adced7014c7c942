// A real kube-apiserver restart in the middle of a scale 1 -> 3, as in a control-plane upgrade: the server is
// stopped (SIGTERM, it drains and exits) while RDS creates the new replicas, stays down 3 s and comes back on the same port with the same
// etcd data (the global setup restarts it; see test/env/restart-endpoint.ts). The operator's watches and requests
// fail meanwhile. It must converge with no duplicate instance, and react to a change made after the restart (its
// watches are back).
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiserverRestart } from '../env/control-plane.js';
import { testEnv } from '../env/helpers.js';
import { recordFigures } from './figures.js';
import { checkInvariants, executed } from './invariants.js';
import { Run, specOf, until, useFaultSuite } from './suite.js';

const DURATIONS = { creatingMs: 2_000, backingUpMs: 300, modifyingMs: 2_000, deletingMs: 2_000, snapshotCreatingMs: 1_000 };
/** The replicas of the scale take longer than the whole restart: a SIGTERMed API server drains for about 10 s before
 * it exits, then stays down DOWN_MS and takes a few seconds to be ready. */
const SCALE_CREATING_MS = 25_000;
const DOWN_MS = 3_000;
const DRAIN_SECONDS = 2;

async function restartApiserver(downMs: number): Promise<ApiserverRestart> {
  const res = await fetch(`${testEnv().kube.restartUrl!}?downMs=${downMs}`, { method: 'POST' });
  if (!res.ok) throw new Error(`restarting the API server failed: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as ApiserverRestart;
}

describe('the kube-apiserver restarts during a scale', () => {
  const suite = useFaultSuite();
  let run: Run | undefined;

  afterAll(async () => {
    await run?.cleanUp();
  });

  it('converges without a duplicate instance, and its watches come back', async () => {
    const started = Date.now();
    await suite.world().reset({ durations: DURATIONS });
    run = await Run.start(suite, 'apiserver-restart');
    await run.startOperator('restart-op');
    await run.apply(specOf({ replicas: 1, drainSeconds: DRAIN_SECONDS }));
    await until('Ready with 1 replica', () => run!.isReady(), 120_000);
    const settledWith = (replicas: number) => async () =>
      (await run!.isReady()) && suite.world().transitioning().length === 0 && (await run!.get())?.status?.replicas?.length === replicas;

    suite.world().configure({ durations: { ...DURATIONS, creatingMs: SCALE_CREATING_MS } });
    await run.patchSpec({ replicas: { count: 3 } });
    await until('the scale to create a replica', async () => executed(suite.world().journal, 'CreateDBInstanceReadReplica').length >= 2, 60_000);
    const restartRequestedAt = Date.now();
    const restart = await restartApiserver(DOWN_MS);
    // Still creating once the server is back: the outage fell inside the transition.
    const creatingAfterRestart = suite
      .world()
      .transitioning()
      .filter((i) => i.status === 'creating').length;
    const scaleUp = await until('the scale to 3 replicas to converge', settledWith(3), 180_000, async () =>
      JSON.stringify((await run!.get())?.status?.conditions),
    );

    // A change after the restart reaches the operator only through a watch (or relist) made again.
    await run.patchSpec({ replicas: { count: 2 } });
    const scaleDown = await until('the scale to 2 replicas to converge', settledWith(2), 120_000, async () =>
      JSON.stringify((await run!.get())?.status?.conditions),
    );

    const report = await checkInvariants(run, suite.world(), { instances: 3, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS });
    const replicaCreates = executed(suite.world().journal, 'CreateDBInstanceReadReplica').length;
    const downFor = restart.readyAt - restart.stoppedAt;
    recordFigures({
      scenario: 'kube-apiserver restart (down 3 s) during scale 1 -> 3',
      runs: 1,
      crashPoints: 0,
      faultsInjected: 1,
      invariantsChecked: report.checked,
      violations: report.violations.length,
      seconds: (Date.now() - started) / 1000,
      notes: `stopping took ${((restart.stoppedAt - restartRequestedAt) / 1000).toFixed(1)} s (SIGTERM), then down ${DOWN_MS / 1000} s and ${((restart.readyAt - restart.startedAt) / 1000).toFixed(1)} s to ready, after which ${creatingAfterRestart} replicas were still creating; converged ${(scaleUp / 1000).toFixed(0)} s after it was back, then 3 -> 2 in ${(scaleDown / 1000).toFixed(0)} s; ${replicaCreates} CreateDBInstanceReadReplica executed for 3 replicas`,
    });
    expect(downFor).toBeGreaterThanOrEqual(DOWN_MS);
    expect(creatingAfterRestart).toBeGreaterThan(0);
    expect(replicaCreates).toBe(3);
    expect(report.violations).toEqual([]);
  });
});
