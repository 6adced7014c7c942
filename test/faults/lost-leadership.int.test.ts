// Lost leadership between two operator processes, as two replicas of the chart run them: leader election on, the
// default lease timings, each process its own ServiceAccount (so the API server's audit log tells their writes
// apart) and its own AWS user agent (so the layer's journal tells their AWS calls apart).
//
// How the leader loses its Lease: it is SIGSTOPped while its ModifyDBInstance is in flight (the layer answers it
// after 6 s). That is what a long GC pause, a frozen VM or a node under memory pressure does to a real pod: the
// process keeps its sockets and its belief that it leads, but cannot renew. The standby takes the Lease over once
// the lease duration has passed without a renewal; then the old leader is SIGCONTed and wakes up with the AWS
// answer waiting in its socket. From the hand-over on it must make no mutating AWS call and no Kubernetes write,
// and exit (1, or 3 if its work did not stop within the renew deadline); the new leader finishes the change.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaderElectionDefaults } from '@servio/controller-runtime';
import { isMutating } from '../env/rds-world/journal.js';
import { createNamespace, kubeConfig, testEnv, uniqueName } from '../env/helpers.js';
import { installChartIdentity, type ChartIdentity } from '../ship/chart.js';
import { auditedWrites } from './audit.js';
import { recordFigures } from './figures.js';
import { checkInvariants, executed } from './invariants.js';
import { Run, instancesInEmulator, specOf, until, useFaultSuite } from './suite.js';

const DURATIONS = { creatingMs: 2_000, backingUpMs: 300, modifyingMs: 3_000, deletingMs: 1_000, snapshotCreatingMs: 1_000 };
/** Longer than the elector's retry period: the call is still in flight when the process is stopped. */
const MODIFY_LATENCY_MS = 6_000;
/** The chart's default Lease name, which its Role lets the operator update. */
const LEASE_NAME = 'replicasetdb-operator';
const RESIZED = 'db.t4g.small';

describe('lost leadership between two operator processes', () => {
  const suite = useFaultSuite();
  const coordination = kubeConfig().makeApiClient(k8s.CoordinationV1Api);
  let leaseNamespace = '';
  const replicas: ChartIdentity[] = [];
  let run: Run | undefined;

  beforeAll(async () => {
    // Two releases of the chart in one namespace: two ServiceAccounts with the same rights, one Lease.
    leaseNamespace = await createNamespace(kubeConfig(), uniqueName('rsdb-leader'));
    for (const release of ['rsdb-a', 'rsdb-b']) {
      replicas.push(
        await installChartIdentity({
          release,
          namespace: leaseNamespace,
          values: { aws: { region: testEnv().aws.region }, watchNamespaces: [], leaderElection: { leaseName: LEASE_NAME } },
        }),
      );
    }
  });

  afterAll(async () => {
    await run?.cleanUp();
    for (const r of replicas) await r.remove();
  });

  async function lease(): Promise<{ holder: string | undefined; acquiredAt: number | undefined }> {
    const l = await coordination.readNamespacedLease({ namespace: leaseNamespace, name: LEASE_NAME });
    const acquired = l.spec?.acquireTime as unknown;
    return { holder: l.spec?.holderIdentity, acquiredAt: acquired === undefined ? undefined : new Date(acquired as string | Date).getTime() };
  }

  it('the old leader makes no AWS or Kubernetes write after the hand-over and exits; the new one converges', async () => {
    const started = Date.now();
    await suite.world().reset({ durations: DURATIONS, faults: { latencyMs: { ModifyDBInstance: MODIFY_LATENCY_MS } } });
    run = await Run.start(suite, 'leader');
    const election = { LEADER_ELECT: 'true', POD_NAMESPACE: leaseNamespace, LEADER_ELECTION_LEASE_NAME: LEASE_NAME };
    const [oldUser, newUser] = replicas;
    const a = await run.startOperator('leader-a', { ...election, POD_NAME: 'leader-a' }, oldUser!.kubeconfigPath);
    await until('leader-a to lead', async () => (await lease()).holder?.startsWith('leader-a_') === true, 60_000);
    const b = await run.startOperator('leader-b', { ...election, POD_NAME: 'leader-b' }, newUser!.kubeconfigPath);

    await run.apply(specOf({ replicas: 1 }));
    await until('Ready', () => run!.isReady(), 120_000);
    expect(executed(suite.world().journal, 'CreateDBInstance').map((e) => e.process)).toEqual(['leader-a']);

    // Stop the leader while the first ModifyDBInstance of the resize is in flight.
    const held = suite.world().hold('ModifyDBInstance', 'before', { process: 'leader-a' });
    await run.patchSpec({ primary: { instanceClass: RESIZED } });
    const call = await held;
    call.release();
    a.child.kill('SIGSTOP');
    const stoppedAt = Date.now();

    await until(
      'leader-b to take the Lease over',
      async () => (await lease()).holder?.startsWith('leader-b_') === true,
      leaderElectionDefaults.leaseDurationMs + 30_000,
    );
    const handOverAt = (await lease()).acquiredAt!;
    expect(handOverAt).toBeGreaterThan(stoppedAt);
    // The standby sees the last renewal at its next retry (every retry period, jittered by up to 20 %), counts the
    // lease duration from then on its own clock, and takes over at the first retry after that; a second of slack
    // covers the round trips.
    const { leaseDurationMs, retryPeriodMs } = leaderElectionDefaults;
    expect(handOverAt - stoppedAt).toBeLessThanOrEqual(leaseDurationMs + 2 * retryPeriodMs * 1.2 + 1_000);
    // Never before the lease could have run out: the leader renewed it at most a retry period (and a round trip)
    // before it was stopped, and the standby counts the whole lease duration from when it saw that renewal.
    expect(handOverAt - stoppedAt).toBeGreaterThanOrEqual(leaseDurationMs - retryPeriodMs - 1_000);
    a.child.kill('SIGCONT');

    const exitCode = await Promise.race([
      a.exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), leaderElectionDefaults.renewDeadlineMs + 20_000)),
    ]);
    const resized = async () =>
      (await run!.isReady()) && suite.world().transitioning().length === 0 && (await instancesInEmulator()).every((db) => db.DBInstanceClass === RESIZED);
    await until('the new leader to converge the resize', resized, 120_000);
    // The audit log is written as each request completes; a write still in flight would show up within this.
    await new Promise((r) => setTimeout(r, 2_000));

    const awsAfterHandOver = suite.world().journal.filter((e) => e.process === 'leader-a' && isMutating(e) && e.at >= handOverAt);
    const kubeAfterHandOver = auditedWrites(oldUser!.user, handOverAt);
    // Both methods see the old leader while it led: an empty answer after the hand-over means it wrote nothing.
    const awsWhileLeading = suite.world().journal.filter((e) => e.process === 'leader-a' && isMutating(e) && e.at < handOverAt).length;
    const kubeWhileLeading = auditedWrites(oldUser!.user, started).filter((w) => w.receivedAt < handOverAt).length;
    const report = await checkInvariants(run, suite.world(), { instances: 2, deletionPolicy: 'Snapshot', drainSeconds: 2 });
    const modifies = executed(suite.world().journal, 'ModifyDBInstance');
    recordFigures({
      scenario: 'lost leadership: 2 processes, leader SIGSTOPped during a 6 s ModifyDBInstance',
      runs: 1,
      crashPoints: 1,
      faultsInjected: 1,
      invariantsChecked: report.checked + 3,
      violations: report.violations.length + awsAfterHandOver.length + kubeAfterHandOver.length + (exitCode === 1 || exitCode === 3 ? 0 : 1),
      seconds: (Date.now() - started) / 1000,
      notes: `Lease handed over ${((handOverAt - stoppedAt) / 1000).toFixed(1)} s after the stop (lease duration ${leaderElectionDefaults.leaseDurationMs / 1000} s); old leader exited ${exitCode}; while leading it made ${awsWhileLeading} mutating AWS calls and ${kubeWhileLeading} Kubernetes writes, after the hand-over it made ${awsAfterHandOver.length} mutating AWS calls and ${kubeAfterHandOver.length} Kubernetes writes (audit log); ModifyDBInstance executed ${modifies.length} times (${modifies.map((m) => m.process).join(', ')}); b ${b.child.exitCode === null ? 'still leading' : `exited ${b.child.exitCode}`}`,
    });
    expect(awsWhileLeading).toBeGreaterThan(0);
    expect(kubeWhileLeading).toBeGreaterThan(0);
    expect(awsAfterHandOver).toEqual([]);
    expect(kubeAfterHandOver).toEqual([]);
    expect([1, 3]).toContain(exitCode);
    expect(report.violations).toEqual([]);
    // The new leader did the work after the hand-over: it is still running and leading.
    expect(b.child.exitCode).toBeNull();
    expect((await lease()).holder).toMatch(/^leader-b_/);
  });
});
