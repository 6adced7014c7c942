// Fencing: an operator whose reconcile is stuck in a slow AWS call loses its Lease to another identity on the real
// API server. From the moment it knows, it must make no further mutating AWS call and no Kubernetes write, and its
// work must stop within the renew deadline. AWS is the emulator behind a proxy that answers slowly and shows which
// requests got through; the election runs at its default timings, the controller with its default shutdown grace.
// The second test runs the operator's own process (main.ts) and checks that it exits, and how.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import * as k8s from '@kubernetes/client-node';
import { RDSClient } from '@aws-sdk/client-rds';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createReplicaSetDB,
  deleteAllReplicaSetDBs,
  installReplicaSetDBCrd,
  replicaSetDBResource,
} from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import { controllerDefaults, kubeLeaseStore, LeaderElector, leaderElectionDefaults } from '@servio/controller-runtime';
import { startTcpProxy, type TcpProxy } from '../../controller-runtime/testing/tcp-proxy.js';
import { awsClientConfig, createNamespace, testEnv, uniqueName } from '../env/helpers.js';
import { operatorProcessEnv } from '../env/operator-process-env.js';
import { apiServerClients } from '../../controller-runtime/testing/api-server.js';
import { startTestOperator } from './support/operator-harness.js';

const { kc, custom, core } = apiServerClients();
const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
const log = pino({ level: 'silent' });
/** Longer than the elector's retry period, so the loss is noticed while the call is still waiting for its answer. */
const SLOW_ANSWER_MS = 6_000;
const READ_ONLY = /^(Describe|List|GetMetric)/;

let namespace = '';
let proxy: TcpProxy | undefined;

interface AwsRequest {
  action: string;
  at: number;
}

/** The Action of every query-protocol request that reached the emulator, when it arrived. */
function recordRequests(p: TcpProxy): AwsRequest[] {
  const requests: AwsRequest[] = [];
  const pending = new Map<number, string>();
  p.onRequestData((chunk, connection) => {
    const text = (pending.get(connection) ?? '') + chunk.toString('latin1');
    let rest = text;
    for (const match of text.matchAll(/Action=(\w+)&/g)) {
      requests.push({ action: match[1]!, at: Date.now() });
      rest = text.slice((match.index ?? 0) + match[0].length);
    }
    pending.set(connection, rest.slice(-64));
  });
  return requests;
}

/** Another process takes the Lease over: holder, renew time and transitions as a new leader writes them. */
async function takeOverLease(name: string, identity: string): Promise<void> {
  for (;;) {
    const lease = await coordination.readNamespacedLease({ namespace, name });
    const now = new k8s.V1MicroTime();
    lease.spec = { ...lease.spec, holderIdentity: identity, acquireTime: now, renewTime: now, leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 };
    try {
      await coordination.replaceNamespacedLease({ namespace, name, body: lease });
      return;
    } catch (err) {
      // The leader renewed in between: read again.
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }
}

/** What the operator could have written in the namespace: the object, Events, Secrets, ConfigMaps. */
async function kubernetesState(name: string) {
  const object = (await custom.getNamespacedCustomObject({ ...replicaSetDBResource, namespace, name })) as { metadata: { resourceVersion: string } };
  const [events, secrets, configMaps] = await Promise.all([
    core.listNamespacedEvent({ namespace }),
    core.listNamespacedSecret({ namespace }),
    core.listNamespacedConfigMap({ namespace }),
  ]);
  const versions = (items: Array<{ metadata?: k8s.V1ObjectMeta }>) => items.map((i) => `${i.metadata?.name}@${i.metadata?.resourceVersion}`).sort();
  return {
    object: object.metadata.resourceVersion,
    events: versions(events.items),
    secrets: versions(secrets.items),
    configMaps: versions(configMaps.items.filter((c) => c.metadata?.name !== 'kube-root-ca.crt')),
  };
}

beforeAll(async () => {
  await installReplicaSetDBCrd(kc);
  namespace = await createNamespace(kc, uniqueName('fencing'));
  const endpoint = new URL(testEnv().aws.endpoint);
  proxy = await startTcpProxy({ host: endpoint.hostname, port: Number(endpoint.port) });
});

afterAll(async () => {
  await proxy?.close();
  if (!namespace) return;
  await deleteAllReplicaSetDBs(kc, namespace);
  await core.deleteCollectionNamespacedSecret({ namespace });
  await core.deleteCollectionNamespacedConfigMap({ namespace });
  await core.deleteCollectionNamespacedEvent({ namespace });
  await coordination.deleteCollectionNamespacedLease({ namespace });
});

describe('an operator that loses its Lease in the middle of a slow AWS call', () => {
  it('makes no mutating AWS call and no Kubernetes write once it knows, and stops within the renew deadline', async () => {
    const requests = recordRequests(proxy!);
    const rdsClient = new RDSClient({ ...awsClientConfig(), endpoint: `http://127.0.0.1:${proxy!.port}`, maxAttempts: 1 });
    const leaseName = uniqueName('lease');
    const name = 'fenced';
    let operator: RunningOperator | undefined;
    let lostAt: number | undefined;
    let stoppedAt: number | undefined;

    const elector = new LeaderElector({
      store: kubeLeaseStore(kc, { namespace, name: leaseName }),
      identity: 'operator-a',
      ...leaderElectionDefaults,
      log,
      onStartedLeading: (signal) => {
        signal.addEventListener('abort', () => (lostAt = Date.now()), { once: true });
        operator = startTestOperator(kc, log, {
          namespace,
          identity: 'operator-a',
          rdsClient,
          leadership: signal,
          settings: { shutdownTimeout: controllerDefaults.shutdownGraceMs },
        });
      },
      onStoppedLeading: async () => {
        await operator?.stop();
        stoppedAt = Date.now();
      },
    });
    try {
      elector.start();
      await expect.poll(() => elector.isLeader(), { timeout: 10_000 }).toBe(true);
      proxy!.delayResponses(SLOW_ANSWER_MS);
      await createReplicaSetDB(kc, namespace, name);

      // The reconcile is now waiting for AWS to answer its first mutating call.
      await expect.poll(() => requests.find((r) => !READ_ONLY.test(r.action))?.action, { timeout: 30_000 }).toBe('CreateDBParameterGroup');
      await takeOverLease(leaseName, 'operator-b');
      await expect.poll(() => lostAt, { timeout: leaderElectionDefaults.retryPeriodMs * 2 + 5_000 }).toBeDefined();
      const atLoss = await kubernetesState(name);

      // Long enough for the slow answer to arrive and for an unfenced reconcile to go on to its next steps.
      await new Promise((resolve) => setTimeout(resolve, SLOW_ANSWER_MS + 4_000));
      expect(requests.filter((r) => r.at > lostAt! && !READ_ONLY.test(r.action))).toEqual([]);
      expect(await kubernetesState(name)).toEqual(atLoss);
      expect(stoppedAt).toBeDefined();
      expect(stoppedAt! - lostAt!).toBeLessThan(leaderElectionDefaults.renewDeadlineMs);
    } finally {
      proxy!.delayResponses(0);
      await elector.stop({ release: false });
      await operator?.stop();
      // The next test's operator watches the same namespace: it must not find this object.
      await deleteAllReplicaSetDBs(kc, namespace);
    }
  });

  it('the operator process exits with code 1 within the renew deadline, saying why', async () => {
    const requests = recordRequests(proxy!);
    const leaseName = uniqueName('lease');
    const name = 'fenced-process';
    const { kube } = testEnv();
    const main = fileURLToPath(new URL('../../operator/src/main.ts', import.meta.url));
    proxy!.delayResponses(SLOW_ANSWER_MS);
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Default lease duration, renew deadline and retry period, and the default shutdown timeout.
      env: operatorProcessEnv({
        kubeconfigPath: kube.kubeconfigPath,
        awsEndpoint: `http://127.0.0.1:${proxy!.port}`,
        namespace,
        leader: { leaseName, podName: 'operator-a' },
      }),
    });
    const records: Array<{ msg?: string; time?: string | number }> = [];
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => records.push(JSON.parse(line) as { msg?: string; time?: string | number }));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
    const logged = (msg: string) => records.find((r) => r.msg === msg);
    try {
      await expect.poll(() => logged('started leading'), { timeout: 30_000 }).toBeDefined();
      await createReplicaSetDB(kc, namespace, name);
      await expect.poll(() => requests.find((r) => !READ_ONLY.test(r.action))?.action, { timeout: 30_000 }).toBe('CreateDBParameterGroup');
      await takeOverLease(leaseName, 'operator-b');

      const exit = await Promise.race([
        exited,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), controllerDefaults.shutdownGraceMs + 15_000)),
      ]);
      expect(exit, `still running; stderr: ${stderr}`).toBeDefined();
      const stoppedLeading = logged('stopped leading');
      expect(stoppedLeading).toBeDefined();
      const lostAt = new Date(stoppedLeading!.time!).getTime();
      expect(exit!.code).toBe(1);
      expect(exit!.at - lostAt).toBeLessThan(leaderElectionDefaults.renewDeadlineMs);
      expect(records.find((r) => r.msg === 'shutting down')).toMatchObject({ reason: 'lost the leader Lease' });
      expect(requests.filter((r) => r.at > lostAt && !READ_ONLY.test(r.action))).toEqual([]);
    } finally {
      proxy!.delayResponses(0);
      child.kill('SIGKILL');
    }
  });
});
