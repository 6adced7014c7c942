// The operator's memory and CPU in a process of its own, started as the image starts it (node on the compiled
// dist/main.js) with every setting at its default, against the resources the chart gives it: the in-process rounds
// share their heap with the bench harness and cannot show what the container holds. The baseline is the same
// process idle for 20 s before any ReplicaSetDB exists.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as k8s from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { AwsEndpoint } from '../../test/env/contract.js';
import { createFleet, untilFleetReady } from './fleet.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** 100 as in the other operator rounds; BENCH_MEMORY_OBJECTS runs the round for another fleet size (1,000 takes
 * about 7 minutes to become Ready here). */
const RESOURCES = objectCount(process.env.BENCH_MEMORY_OBJECTS);
const REPLICAS = 2;
/** How long the process is watched once every object is Ready: the default transitioning resync (15 s) comes and
 * goes several times, and the steady one is ten minutes away, as in production. */
const STEADY_WATCH_MS = 60_000;
const SAMPLE_MS = 250;
/** How long the process is watched before any object exists, for the baseline. */
const IDLE_WATCH_MS = 20_000;

export function objectCount(setting: string | undefined): number {
  if (setting === undefined || setting === '') return 100;
  const count = Number(setting);
  if (!Number.isInteger(count) || count < 1) throw new Error(`BENCH_MEMORY_OBJECTS must be a whole number of at least 1, got ${JSON.stringify(setting)}`);
  return count;
}

/** The resources the chart gives the operator: memory request and limit in MiB, CPU request in millicores. */
export function chartResources(): { memoryRequest: number; memoryLimit: number; cpuRequest: number } {
  const values = parseYaml(readFileSync(join(ROOT, 'charts', 'replicasetdb-operator', 'values.yaml'), 'utf8')) as {
    resources: { requests: { memory: string; cpu: string }; limits: { memory: string } };
  };
  return {
    memoryRequest: mebibytes(values.resources.requests.memory),
    memoryLimit: mebibytes(values.resources.limits.memory),
    cpuRequest: millicores(values.resources.requests.cpu),
  };
}

/** A Kubernetes quantity of CPU ("50m", "1") in millicores. */
export function millicores(quantity: string): number {
  const match = /^(\d+)(m?)$/.exec(quantity);
  if (!match) throw new Error(`CPU quantity not in cores or millicores: ${quantity}`);
  return Number(match[1]) * (match[2] === 'm' ? 1 : 1000);
}

/** A Kubernetes quantity of memory ("128Mi", "1Gi") in MiB. */
export function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`memory quantity not in Mi or Gi: ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

/** Resident and peak resident memory of a process, in MiB, from /proc. */
function residentMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** CPU time a process has used so far, in milliseconds, from /proc (user and system, at 100 ticks a second). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchOperatorMemory(kc: k8s.KubeConfig, kubeconfigPath: string, aws: AwsEndpoint): Promise<void> {
  await fetch(`${aws.endpoint}/moto-api/reset`, { method: 'POST' });
  const namespace = `bench-memory-${Date.now().toString(36)}`;
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const child = spawn(process.execPath, ['--enable-source-maps', join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    // Only what locates the cluster and the emulator: every operator setting keeps its default.
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      KUBECONFIG: kubeconfigPath,
      AWS_REGION: aws.region,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: aws.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
      WATCH_NAMESPACES: namespace,
      METRICS_BIND_ADDRESS: '127.0.0.1',
      METRICS_PORT: '0',
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the operator process did not start within 60 s')), 60_000);
      void exited.then((code) => reject(new Error(`the operator process exited with ${code}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('serving /metrics')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const pid = child.pid!;
    await sleep(2_000);
    const idleCpuBefore = cpuMs(pid);
    await sleep(IDLE_WATCH_MS);
    const idleMillicores = ((cpuMs(pid) - idleCpuBefore) / IDLE_WATCH_MS) * 1000;
    const idle = residentMiB(pid).rss;

    const started = Date.now();
    await createFleet(api, namespace, RESOURCES, REPLICAS);
    await untilFleetReady(api, namespace, RESOURCES, 'the operator in its own process');
    const secondsToReady = (Date.now() - started) / 1000;
    const peakWhileCreating = residentMiB(pid).peak;

    const steady: number[] = [];
    const cpuBefore = cpuMs(pid);
    const steadyStarted = performance.now();
    for (const end = Date.now() + STEADY_WATCH_MS; Date.now() < end; await sleep(SAMPLE_MS)) steady.push(residentMiB(pid).rss);
    const steadyMillicores = ((cpuMs(pid) - cpuBefore) / (performance.now() - steadyStarted)) * 1000;
    const { rss: last, peak } = residentMiB(pid);
    const steadyMax = Math.max(...steady);
    const chart = chartResources();
    const goal = steadyMax <= chart.memoryRequest && peak <= chart.memoryLimit && steadyMillicores <= chart.cpuRequest;

    console.log(`\n[operator] memory of the operator in its own process (node dist/main.js as the image runs it, every setting at its default)`);
    console.log(`  ${RESOURCES} ReplicaSetDBs x ${1 + REPLICAS} instances, all Ready after ${secondsToReady.toFixed(1)} s`);
    console.log(`  RSS with no object (baseline):      ${idle.toFixed(0)} MiB`);
    console.log(`  peak RSS until all Ready:           ${peakWhileCreating.toFixed(0)} MiB (${(peakWhileCreating / idle).toFixed(2)}x the baseline)`);
    console.log(
      `  RSS over ${STEADY_WATCH_MS / 1000} s once Ready:          at most ${steadyMax.toFixed(0)} MiB, ${last.toFixed(0)} MiB at the end (${(steadyMax / idle).toFixed(2)}x the baseline)`,
    );
    console.log(`  peak RSS of the whole run:          ${peak.toFixed(0)} MiB`);
    console.log(
      `  CPU over ${STEADY_WATCH_MS / 1000} s once Ready:          ${steadyMillicores.toFixed(0)}m (with no object, over ${IDLE_WATCH_MS / 1000} s: ${idleMillicores.toFixed(0)}m)`,
    );
    console.log(
      `  chart: memory request ${chart.memoryRequest}Mi, limit ${chart.memoryLimit}Mi (peak at ${((peak / chart.memoryLimit) * 100).toFixed(0)}% of it), CPU request ${chart.cpuRequest}m`,
    );
    console.log(`  goal: steady RSS within the memory request, peak RSS within the limit, steady CPU within the request -> ${goal ? 'met' : 'NOT met'}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  }
}
