// Two electors on one Lease of the real API server, as two operator replicas would run.
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, kubeConfig, uniqueName } from '../../test/env/helpers.js';
import { LeaderElector, leaderElectionDefaults } from './leader-elector.js';
import { kubeLeaseStore } from './lease-store.js';

const kc = kubeConfig();
const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
const timing = { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 300 };
let namespace = '';
const electors: LeaderElector[] = [];

interface Candidate {
  elector: LeaderElector;
  identity: string;
}

/** Starts two candidates on a fresh lease, and tracks how many lead at any moment: from the start of their work to
 * the end of its stopping, which takes `stopWorkMs`. */
function election(timings: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number } = timing, stopWorkMs = 0) {
  const leaseName = uniqueName('lease');
  const state = { leaders: 0, maxLeaders: 0 };
  const make = (identity: string): Candidate => {
    const elector = new LeaderElector({
      store: kubeLeaseStore(kc, { namespace, name: leaseName }),
      identity,
      ...timings,
      log: pino({ level: 'silent' }),
      onStartedLeading: () => {
        state.leaders += 1;
        state.maxLeaders = Math.max(state.maxLeaders, state.leaders);
      },
      onStoppedLeading: async () => {
        if (stopWorkMs > 0) await new Promise((resolve) => setTimeout(resolve, stopWorkMs));
        state.leaders -= 1;
      },
    });
    electors.push(elector);
    elector.start();
    return { elector, identity };
  };
  const a = make('replica-a');
  const b = make('replica-b');
  const leader = () => [a, b].find((c) => c.elector.isLeader());
  const lease = () => coordination.readNamespacedLease({ namespace, name: leaseName });
  return { a, b, state, leader, lease };
}

async function renewalsObserved(read: () => Promise<k8s.V1Lease>, count: number): Promise<void> {
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        seen.add(String((await read()).spec?.renewTime));
        return seen.size;
      },
      { timeout: 20_000, interval: 100 },
    )
    .toBeGreaterThanOrEqual(count);
}

/** An election that has settled: one candidate leads and has renewed the lease; the other stands by. */
async function settledElection(timings = timing, stopWorkMs = 0) {
  const { a, b, state, leader, lease } = election(timings, stopWorkMs);
  await expect.poll(() => leader(), { timeout: 30_000 }).toBeDefined();
  const leading = leader() === a ? a : b;
  const standby = leading === a ? b : a;
  await renewalsObserved(lease, 2);
  return { leading, standby, state, lease };
}

beforeAll(async () => {
  namespace = await createNamespace(kc, uniqueName('leader'));
});

afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});

afterAll(async () => {
  if (namespace) await coordination.deleteCollectionNamespacedLease({ namespace });
});

describe('LeaderElector against the API server', () => {
  it('lets exactly one of two candidates lead, and keeps renewing', async () => {
    const { state, leader, lease } = election();
    await expect.poll(() => leader()?.identity).toBeDefined();
    const first = leader();
    await renewalsObserved(lease, 5);

    expect(state.maxLeaders).toBe(1);
    expect(leader()).toBe(first);
    const spec = (await lease()).spec;
    expect(spec).toMatchObject({ holderIdentity: first?.identity, leaseDurationSeconds: 4, leaseTransitions: 0 });
  });

  it('hands over within the lease duration after the leader dies without releasing, and not before it expires', async () => {
    const { leading: dead, standby: survivor, state, lease } = await settledElection();

    await dead.elector.stop({ release: false });
    const diedAt = Date.now();
    await expect.poll(() => survivor.elector.isLeader(), { timeout: 30_000, interval: 50 }).toBe(true);
    const takeoverMs = Date.now() - diedAt;

    // The last renewal happened at most a retry period before the death; the survivor must wait out the lease,
    // then takes over at its next retry. The upper bound is loose on purpose: a loaded machine delays requests.
    expect(takeoverMs).toBeGreaterThanOrEqual(timing.leaseDurationMs - timing.retryPeriodMs * 2);
    expect(takeoverMs).toBeLessThan(timing.leaseDurationMs * 2);
    expect(state.maxLeaders).toBe(1);
    const spec = (await lease()).spec;
    expect(spec).toMatchObject({ holderIdentity: survivor.identity, leaseTransitions: 1 });
  });

  it('hands over at once when the leader releases the lease on stop', async () => {
    const { leading: leaving, standby: successor, state, lease } = await settledElection();

    await leaving.elector.stop();
    const releasedAt = Date.now();
    await expect.poll(() => successor.elector.isLeader(), { timeout: 30_000, interval: 50 }).toBe(true);

    // Without the release the successor would wait the whole lease duration.
    expect(Date.now() - releasedAt).toBeLessThan(timing.leaseDurationMs);
    expect(state.maxLeaders).toBe(1);
    expect((await lease()).spec).toMatchObject({ holderIdentity: successor.identity, leaseTransitions: 1 });
  });

  it('goes on renewing while its work takes longer than the lease to stop, so the successor starts only after it', async () => {
    const stopWorkMs = 2 * timing.leaseDurationMs;
    const { leading: leaving, standby: successor, state, lease } = await settledElection(timing, stopWorkMs);

    const stopStartedAt = Date.now();
    await leaving.elector.stop();
    expect(Date.now() - stopStartedAt).toBeGreaterThanOrEqual(stopWorkMs - 50);
    await expect.poll(() => successor.elector.isLeader(), { timeout: 30_000, interval: 50 }).toBe(true);

    expect(state.maxLeaders).toBe(1);
    expect((await lease()).spec).toMatchObject({ holderIdentity: successor.identity, leaseTransitions: 1 });
  });

  it("at the default timings, hands a released lease over at the successor's next retry", async () => {
    const { leading: leaving, standby: successor, state } = await settledElection(leaderElectionDefaults);

    await leaving.elector.stop();
    const releasedAt = Date.now();
    await expect.poll(() => successor.elector.isLeader(), { timeout: 30_000, interval: 50 }).toBe(true);

    // One retry period, jittered by up to 20 %, and a second for the round trips: not the 15 s lease.
    expect(Date.now() - releasedAt).toBeLessThanOrEqual(leaderElectionDefaults.retryPeriodMs * 1.2 + 1_000);
    expect(state.maxLeaders).toBe(1);
  }, 60_000);
});
