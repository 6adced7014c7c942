// Every connection to the API server is cut, watches included, as a network partition or a load balancer in front
// of the control plane does: the operator reaches the API server through a TCP proxy that resets every connection
// and refuses new ones for 5 s, while the server itself stays up. Twice: once while RDS creates the new replicas of a
// scale 1 -> 3, once while the spec is changed (3 -> 2) so that the operator only learns of the change after
// reconnecting, which a real restart (apiserver-restart.int.test.ts) cannot show because nobody can write meanwhile.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../controller-runtime/testing/tcp-proxy.js';
import { testEnv } from '../env/helpers.js';
import { recordFigures } from './figures.js';
import { checkInvariants, executed } from './invariants.js';
import { Run, specOf, until, useFaultSuite } from './suite.js';

const DURATIONS = { creatingMs: 10_000, backingUpMs: 300, modifyingMs: 2_000, deletingMs: 2_000, snapshotCreatingMs: 1_000 };
const OUTAGE_MS = 5_000;
const DRAIN_SECONDS = 2;

/** A copy of `kubeconfigPath` (JSON, as the chart identity writes it) whose server is the proxy. */
function throughProxy(kubeconfigPath: string, proxy: TcpProxy): string {
  const config = JSON.parse(readFileSync(kubeconfigPath, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
  // The API server's certificate names 127.0.0.1, not a port, so TLS verifies through the proxy unchanged.
  for (const c of config.clusters) c.cluster.server = `https://127.0.0.1:${proxy.port}`;
  const path = join(kubeconfigPath, '..', 'kubeconfig-through-proxy');
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}

describe('every API server connection cut during a scale', () => {
  const suite = useFaultSuite();
  let run: Run | undefined;
  let proxy: TcpProxy | undefined;

  afterAll(async () => {
    await run?.cleanUp();
    await proxy?.close();
  });

  /** Every connection to the API server reset, reconnects refused for OUTAGE_MS; returns how many were cut. */
  async function outage(during?: () => Promise<void>): Promise<number> {
    proxy!.refuseNew(true);
    const cut = proxy!.openConnections();
    proxy!.breakAll();
    await during?.();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    proxy!.refuseNew(false);
    return cut;
  }

  it('converges without a duplicate instance after its connections are cut, and picks up a change made meanwhile', async () => {
    const started = Date.now();
    await suite.world().reset({ durations: DURATIONS });
    run = await Run.start(suite, 'watch-drop');
    const server = new URL(testEnv().kube.server);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
    await run.startOperator('watch-drop-op', {}, throughProxy(suite.identity().kubeconfigPath, proxy));

    await run.apply(specOf({ replicas: 1, drainSeconds: DRAIN_SECONDS }));
    await until('Ready with 1 replica', () => run!.isReady(), 120_000);

    const settledWith = (replicas: number) => async () =>
      (await run!.isReady()) && suite.world().transitioning().length === 0 && (await run!.get())?.status?.replicas?.length === replicas;

    // 1 -> 3: cut while RDS is creating the first new replica.
    await run.patchSpec({ replicas: { count: 3 } });
    await until('the scale to create a replica', async () => executed(suite.world().journal, 'CreateDBInstanceReadReplica').length >= 2, 60_000);
    const cutDuringScale = await outage();
    const scaleUp = await until('the scale to 3 replicas to converge', settledWith(3), 180_000, async () =>
      JSON.stringify((await run!.get())?.status?.conditions),
    );

    // The scale can converge (reconciles and requeues need no watch) while the watches still back off from the first
    // cut; a second cut then would find nothing to cut. Both watches (ReplicaSetDBs, endpoint ConfigMaps) first.
    await until('the operator to hold its two watch connections again', async () => proxy!.openConnections() >= 2, 120_000);
    // 3 -> 2, changed while the operator cannot see the API server: only a watch that resumes (or relists) sees it.
    const cutAroundChange = await outage(() => run!.patchSpec({ replicas: { count: 2 } }));
    const scaleDown = await until('the scale to 2 replicas to converge', settledWith(2), 120_000, async () =>
      JSON.stringify((await run!.get())?.status?.conditions),
    );

    const report = await checkInvariants(run, suite.world(), { instances: 3, deletionPolicy: 'Snapshot', drainSeconds: DRAIN_SECONDS });
    const replicaCreates = executed(suite.world().journal, 'CreateDBInstanceReadReplica').length;
    recordFigures({
      scenario: 'watch drop (every API server connection cut 5 s) during scale 1 -> 3 and around a change to 2',
      runs: 1,
      crashPoints: 0,
      faultsInjected: 2,
      invariantsChecked: report.checked,
      violations: report.violations.length,
      seconds: (Date.now() - started) / 1000,
      notes: `${cutDuringScale} connections cut during the scale up, ${cutAroundChange} around the change; converged ${(scaleUp / 1000).toFixed(0)} s and ${(scaleDown / 1000).toFixed(0)} s after; ${replicaCreates} CreateDBInstanceReadReplica executed for 3 replicas`,
    });
    expect(cutDuringScale).toBeGreaterThan(0);
    expect(cutAroundChange).toBeGreaterThan(0);
    expect(replicaCreates).toBe(3);
    expect(report.violations).toEqual([]);
  });
});
