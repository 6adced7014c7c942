// Operator benchmark: 100 ReplicaSetDBs x (1 primary + 2 replicas) against the RDS emulator and the real
// kube-apiserver. Measures the time until all are Ready, the AWS calls by operation over the steady-state
// resyncs, and memory. The baseline, run in the same process, is the same operator with DescribeDBInstances
// coalescing switched off (one describe per reconcile); the naive reference is one describe per instance.
import * as k8s from '@kubernetes/client-node';
import type { RDSClient } from '@aws-sdk/client-rds';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import type { AwsEndpoint } from '../../test/env/contract.js';
import { installReplicaSetDBCrd } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { configSchema } from '../../operator/src/config/index.js';
import { startOperator, DEFAULT_COALESCING } from '../../operator/src/operator.js';
import type { OperatorOptions } from '../../operator/src/operator.js';
import { emulatorRdsClient } from './emulator.js';
import { createFleet, untilFleetReady } from './fleet.js';

const RESOURCES = 100;
const REPLICAS = 2;
/** The operator's defaults, from its configuration schema: the bench departs from them only in the intervals. */
const DEFAULTS = configSchema.parse({ awsRegion: 'us-east-1' });
/** Shorter than the default 10 minutes so that several resyncs fit the run. What a resync calls does not depend on how
 * often it comes; the lag reading, which runs on its own period (30 s), is counted apart. */
const RESYNC_STEADY_MS = 5_000;
/** How long steady state is watched, in resync intervals. Resyncs come 0.9 to 1 interval apart, so a fixed window
 * cuts one at either end: calls are counted over the resyncs seen whole, and divided by their reconciles (one per
 * object per resync), not by the window's length. */
const STEADY_WINDOW_INTERVALS = 6;
/** Within a resync calls and reconciles follow each other closely; between two, nothing happens for most of an
 * interval. A quiet spell this long separates two resyncs (the baseline's long ones may run into each other: they
 * are then seen as one stretch, and counted by their reconciles all the same). */
const RESYNC_GAP_MS = 1_000;
const MUTATING = /^(Create|Modify|Delete|Add|Remove|Reset|Reboot|Promote)/;
/** A full garbage collection, so that heap figures count what is held, not what is waiting to be collected. */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const heapHeldMiB = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** CloudWatch operations: the operator's lag reading. */
const LAG_READING = new Set(['GetMetricData']);

interface RoundResult {
  label: string;
  secondsToReady: number;
  /** AWS calls by operation, over the resyncs seen whole, or the whole window. */
  steadyCalls: Map<string, number>;
  /** The stretches of activity seen whole, with their reconciles and DescribeDBInstances calls (none when the
   * resyncs ran into each other). */
  stretches: Array<{ reconciles: number; describes: number }>;
  /** The resyncs counted: their reconciles over the objects. */
  resyncs: number;
  /** What was counted: the stretches seen whole, or the whole window when resyncs ran into each other. */
  countedOver: 'stretches' | 'window';
  /** CloudWatch lag readings over the whole window: they run on their own period, not per resync. */
  lagReadings: number;
  /** Mutating AWS calls over the whole window, cut resyncs included. */
  mutatingCalls: number;
  rssMiB: number;
  heapMiB: number;
  /** Heap held after a full collection, less the same before the operator started: the operator's own, mostly. */
  operatorHeapMiB: number;
}

/** What happened when: an AWS call by operation name, or a finished reconcile. */
type Activity = Array<{ at: number; what: string }>;
const RECONCILE = 'reconcile';

/** Records each command by operation name, in a middleware any AWS SDK v3 client takes. */
function callCounter(calls: Activity) {
  return <A, R>(next: (args: A) => Promise<R>, context: { commandName?: string }) =>
    async (args: A): Promise<R> => {
      calls.push({ at: performance.now(), what: (context.commandName ?? '?').replace(/Command$/, '') });
      return next(args);
    };
}

/** The activity split into resyncs at the quiet spells between them; the first and the last are dropped, as the
 * window may have cut them. The lag reading, on its own period, is left out. */
function wholeResyncs(activity: Activity): Activity[] {
  const resyncs: Activity[] = [];
  let current: Activity = [];
  for (const event of activity.filter((e) => !LAG_READING.has(e.what))) {
    const last = current[current.length - 1];
    if (last !== undefined && event.at - last.at > RESYNC_GAP_MS) {
      resyncs.push(current);
      current = [];
    }
    current.push(event);
  }
  resyncs.push(current);
  return resyncs.slice(1, -1);
}

function countingClient(aws: AwsEndpoint, calls: Activity): RDSClient {
  const client = emulatorRdsClient(aws);
  client.middlewareStack.add(callCounter(calls), { step: 'initialize', name: 'benchCallCounter' });
  return client;
}

function countingCloudWatch(aws: AwsEndpoint, calls: Activity): CloudWatchClient {
  const client = new CloudWatchClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  });
  client.middlewareStack.add(callCounter(calls), { step: 'initialize', name: 'benchCallCounter' });
  return client;
}

type ReadStrategy = Pick<OperatorOptions, 'coalescing' | 'steadyCache'>;

async function runRound(kc: k8s.KubeConfig, aws: AwsEndpoint, label: string, reads: ReadStrategy): Promise<RoundResult> {
  await fetch(`${aws.endpoint}/moto-api/reset`, { method: 'POST' });
  const namespace = `bench-${label.replace(/[^a-z]/g, '')}-${Date.now().toString(36)}`;
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: namespace } } });

  const activity: Activity = [];
  const started = Date.now();
  const heapBefore = heapHeldMiB();
  const operator = startOperator({
    config: {
      watchNamespaces: [namespace],
      concurrency: DEFAULTS.concurrency,
      awsRegion: aws.region,
      awsEndpoint: aws.endpoint,
      resyncSteady: RESYNC_STEADY_MS,
      // The emulator's instances are available at once; a shorter wait between checks only shortens the run.
      resyncTransitioning: 1_000,
      shutdownTimeout: 5_000,
      identity: 'bench',
    },
    kubeConfig: kc,
    log: pino({ level: 'silent' }),
    rdsClient: countingClient(aws, activity),
    cloudWatchClient: countingCloudWatch(aws, activity),
    // Only the count of reconciles is read; the other figures are the operator's own business here.
    metrics: {
      observeReconcile: () => void activity.push({ at: performance.now(), what: RECONCILE }),
      observeAwsCall: () => undefined,
      setInstanceStatuses: () => undefined,
      setReplicaLag: () => undefined,
      setTopologyRevision: () => undefined,
      forgetObject: () => undefined,
    },
    ...reads,
  });
  try {
    await createFleet(api, namespace, RESOURCES, REPLICAS);
    await untilFleetReady(api, namespace, RESOURCES, label);
    const secondsToReady = (Date.now() - started) / 1000;

    // Let the last creates' follow-up reconciles settle, then watch the steady resyncs.
    await new Promise((r) => setTimeout(r, RESYNC_STEADY_MS));
    activity.length = 0;
    await new Promise((r) => setTimeout(r, RESYNC_STEADY_MS * STEADY_WINDOW_INTERVALS));
    const window = [...activity];
    const whole = wholeResyncs(window);
    // Resyncs that run into each other (the baseline's) leave no quiet spell: their calls are then spread evenly over
    // their reconciles, and the whole window is counted instead.
    const reconcilesOf = (events: Activity) => events.filter((e) => e.what === RECONCILE).length;
    const countedOver = reconcilesOf(whole.flat()) >= 2 * RESOURCES ? 'stretches' : 'window';
    const counted = countedOver === 'stretches' ? whole.flat() : window.filter((e) => !LAG_READING.has(e.what));
    const reconciles = reconcilesOf(counted);
    if (reconciles < 2 * RESOURCES) throw new Error(`${label}: fewer than two resyncs in the steady window (${reconciles} reconciles)`);
    const steadyCalls = new Map<string, number>();
    for (const { what } of counted) if (what !== RECONCILE) steadyCalls.set(what, (steadyCalls.get(what) ?? 0) + 1);
    const stretches = whole.map((r) => ({
      reconciles: reconcilesOf(r),
      describes: r.filter((e) => e.what === 'DescribeDBInstances').length,
    }));
    const lagReadings = window.filter((e) => LAG_READING.has(e.what)).length;
    const mutatingCalls = window.filter((e) => MUTATING.test(e.what)).length;
    const operatorHeapMiB = heapHeldMiB() - heapBefore;
    const mem = process.memoryUsage();
    return {
      label,
      secondsToReady,
      steadyCalls,
      stretches,
      resyncs: reconciles / RESOURCES,
      countedOver,
      lagReadings,
      mutatingCalls,
      rssMiB: mem.rss / 2 ** 20,
      heapMiB: mem.heapUsed / 2 ** 20,
      operatorHeapMiB,
    };
  } finally {
    await operator.stop();
  }
}

function report(r: RoundResult): void {
  const describes = r.steadyCalls.get('DescribeDBInstances') ?? 0;
  console.log(`\n[operator] ${r.label} (concurrency ${DEFAULTS.concurrency}, the default; steady resync every ${RESYNC_STEADY_MS / 1000} s)`);
  console.log(`  time to all ${RESOURCES} Ready:           ${r.secondsToReady.toFixed(1)} s`);
  const n = r.resyncs;
  console.log(`  AWS calls in ${n.toFixed(1)} steady resyncs:     ${[...r.steadyCalls].map(([op, c]) => `${op}=${c}`).join(' ') || 'none'}`);
  console.log(
    `  reconciles / DescribeDBInstances by stretch of activity: ${r.stretches.map((x) => `${x.reconciles} / ${x.describes}`).join(', ') || 'none'} (one reconcile per object per resync)${r.countedOver === 'window' ? '; resyncs ran into each other, so the whole window is counted' : ''}`,
  );
  console.log(
    `  DescribeDBInstances per resync:     ${(describes / n).toFixed(1)} (per 100 instances: ${((describes / n) * (100 / (RESOURCES * (1 + REPLICAS)))).toFixed(2)})`,
  );
  console.log(`  mutating calls in steady state:     ${r.mutatingCalls}`);
  console.log(`  process RSS / heap after the round: ${r.rssMiB.toFixed(0)} MiB / ${r.heapMiB.toFixed(0)} MiB (operator and bench harness in one process)`);
  console.log(`  heap the operator holds:            ${r.operatorHeapMiB.toFixed(1)} MiB (after a full collection, less the same before it started)`);
}

export async function benchOperator(kc: k8s.KubeConfig, aws: AwsEndpoint): Promise<void> {
  await installReplicaSetDBCrd(kc);
  const shared = await runRound(kc, aws, 'shared steady inventory + coalesced describes (default)', { coalescing: DEFAULT_COALESCING });
  report(shared);
  const baseline = await runRound(kc, aws, 'baseline: every reconcile reads AWS itself', { coalescing: { windowMs: 0, maxIds: 1 }, steadyCache: false });
  report(baseline);
  const per = (r: RoundResult) => (r.steadyCalls.get('DescribeDBInstances') ?? 0) / r.resyncs;
  const naive = RESOURCES * (1 + REPLICAS);
  console.log('\n[operator] ratios');
  console.log(
    `  describes per resync: shared inventory ${per(shared).toFixed(1)} vs baseline ${per(baseline).toFixed(1)} (${(per(shared) / Math.max(per(baseline), 1)).toFixed(3)}x) vs naive one-per-instance ${naive} (${(per(shared) / naive).toFixed(3)}x)`,
  );
  // The lag reading runs on its own period, not per resync: it is shown apart.
  const total = (r: RoundResult) => [...r.steadyCalls].reduce((a, [, n]) => a + n, 0) / r.resyncs;
  const lagReadings = (r: RoundResult) => r.lagReadings;
  console.log(
    `  RDS calls per resync: shared inventory ${total(shared).toFixed(1)} vs baseline ${total(baseline).toFixed(1)} (${(total(shared) / Math.max(total(baseline), 1)).toFixed(3)}x)`,
  );
  console.log(
    `  CloudWatch lag readings in the ${(RESYNC_STEADY_MS * STEADY_WINDOW_INTERVALS) / 1000} s window: ${lagReadings(shared)} vs baseline ${lagReadings(baseline)} (one GetMetricData per 30 s per 500 replicas)`,
  );
  console.log(`  goal: at most 1 DescribeDBInstances per 100 instances per resync -> ${per(shared) * (100 / naive) <= 1 ? 'met' : 'NOT met'}`);
  console.log(
    `  time to Ready: shared inventory ${shared.secondsToReady.toFixed(1)} s vs baseline ${baseline.secondsToReady.toFixed(1)} s (${(shared.secondsToReady / baseline.secondsToReady).toFixed(3)}x)`,
  );
}
