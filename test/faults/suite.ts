// What every fault-suite file shares: the CRD, the chart's RBAC (cluster-wide mode) as the operator's identity,
// the realistic RDS layer, a namespace and a ReplicaSetDB per run, and the watch on the published topology.
import { afterAll, beforeAll } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, ListTagsForResourceCommand, type DBInstance } from '@aws-sdk/client-rds';
import { GROUP, PLURAL, VERSION } from '../../operator/src/api/replicasetdb.js';
import { TAG_OWNER_UID, TAG_ROLE } from '../../operator/src/naming/tags.js';
import { RealisticRds } from '../env/rds-world/proxy.js';
import { createNamespace, kubeConfig, rdsClient, testEnv, uniqueName } from '../env/helpers.js';
import { forceDeleteCustomObject } from '../../controller-runtime/testing/custom-objects.js';
import { ensureCrd, installChartIdentity, type ChartIdentity } from '../ship/chart.js';
import { startOperatorProcess, type OperatorProcess, type OperatorProcessOptions } from './operator-process.js';

export interface Suite {
  world(): RealisticRds;
  identity(): ChartIdentity;
}

/** Registers the file's hooks; the operator processes themselves are started by each run. */
export function useFaultSuite(): Suite {
  let world: RealisticRds | undefined;
  let identity: ChartIdentity | undefined;
  ensureCrd();
  beforeAll(async () => {
    world = await RealisticRds.start(testEnv().aws.endpoint);
    identity = await installChartIdentity({
      release: uniqueName('rsdb-faults'),
      namespace: await createNamespace(kubeConfig(), uniqueName('rsdb-faults-system')),
      values: { aws: { region: testEnv().aws.region }, watchNamespaces: [] },
    });
  });
  afterAll(async () => {
    await world?.close();
    await identity?.remove();
  });
  return { world: () => world!, identity: () => identity! };
}

export const custom = () => kubeConfig().makeApiClient(k8s.CustomObjectsApi);
export const core = () => kubeConfig().makeApiClient(k8s.CoreV1Api);

/** A ReplicaSetDB for the suite: the minimal example, with a short explicit drain (the default drain is minutes,
 * and without DatabaseConnections datapoints it lasts until maxDrainSeconds; a fault scenario must not wait for
 * it) and the given changes. */
export function specOf(overrides: {
  replicas: number;
  replicaClass?: string;
  primaryClass?: string;
  deletionPolicy?: 'Snapshot' | 'Delete';
  drainSeconds?: number;
  applyImmediately?: boolean;
}) {
  return {
    engineVersion: '16',
    databaseName: 'app',
    primary: { instanceClass: overrides.primaryClass ?? 'db.t4g.micro' },
    replicas: { count: overrides.replicas, ...(overrides.replicaClass ? { instanceClass: overrides.replicaClass } : {}) },
    deletionPolicy: overrides.deletionPolicy ?? 'Snapshot',
    applyImmediately: overrides.applyImmediately ?? true,
    routing: { drainSeconds: overrides.drainSeconds ?? 2, maxDrainSeconds: overrides.drainSeconds ?? 2 },
  };
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Stored {
  metadata: { uid: string; generation: number; finalizers?: string[] };
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    phase?: string;
    conditions?: Condition[];
    primary?: { identifier: string; rdsStatus?: string };
    replicas?: Array<{ identifier: string; rdsStatus?: string }>;
    [k: string]: unknown;
  };
}

/** Ready=True for the current generation. */
export function isReady(obj: Stored | undefined): boolean {
  return obj?.status?.observedGeneration === obj?.metadata.generation && obj?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export class Run {
  readonly name = 'db';
  readonly processes: OperatorProcess[] = [];
  private drainPoll: NodeJS.Timeout | undefined;
  /** First time each replica id was seen published `draining` in the ConfigMap. */
  readonly drainingSeenAt = new Map<string, number>();

  private constructor(
    readonly namespace: string,
    private readonly suite: Suite,
  ) {}

  static async start(suite: Suite, label: string): Promise<Run> {
    const run = new Run(await createNamespace(kubeConfig(), uniqueName(`faults-${label}`.slice(0, 40))), suite);
    run.watchDrains();
    return run;
  }

  get ref() {
    return { group: GROUP, version: VERSION, plural: PLURAL, namespace: this.namespace, name: this.name };
  }

  /** `kubeconfigPath` runs the process as another Kubernetes user than the suite's (e.g. a second replica of the
   * chart, or the same user through a proxy). */
  async startOperator(name: string, env: Record<string, string> = {}, kubeconfigPath = this.suite.identity().kubeconfigPath): Promise<OperatorProcess> {
    const options: OperatorProcessOptions = {
      name,
      kubeconfigPath,
      awsEndpoint: this.suite.world().endpoint,
      namespace: this.namespace,
      // Short resyncs keep a scenario within its time bound; they only change how often the operator looks.
      env: { RESYNC_TRANSITIONING: '1s', RESYNC_STEADY: '5s', ...env },
    };
    const p = await startOperatorProcess(options);
    this.processes.push(p);
    return p;
  }

  async apply(spec: ReturnType<typeof specOf>, name = this.name): Promise<void> {
    await custom().createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace: this.namespace,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'ReplicaSetDB', metadata: { name, namespace: this.namespace }, spec },
    });
  }

  /** Every ReplicaSetDB of the run's namespace. */
  async list(): Promise<Array<Stored & { metadata: { name: string } }>> {
    return (
      (await custom().listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: this.namespace })) as {
        items: Array<Stored & { metadata: { name: string } }>;
      }
    ).items;
  }

  async patchSpec(spec: Record<string, unknown>): Promise<void> {
    await custom().patchNamespacedCustomObject({ ...this.ref, body: { spec } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  }

  async get(): Promise<Stored | undefined> {
    try {
      return (await custom().getNamespacedCustomObject(this.ref)) as Stored;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** When the test asked Kubernetes to delete the ReplicaSetDB. */
  deletionRequestedAt: number | undefined;

  async delete(): Promise<void> {
    this.deletionRequestedAt = Date.now();
    await custom().deleteNamespacedCustomObject(this.ref);
  }

  /** Ready=True for the current generation. */
  async isReady(): Promise<boolean> {
    return isReady(await this.get());
  }

  /** Every process SIGKILLed, the drain watch stopped, the Kubernetes objects removed (the finalizer stripped if
   * the run left it). The emulator is reset by the next run. */
  async cleanUp(): Promise<void> {
    if (this.drainPoll) clearInterval(this.drainPoll);
    for (const p of this.processes) await p.kill();
    const all = (await custom().listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: this.namespace })) as {
      items: Array<{ metadata: { name: string } }>;
    };
    for (const item of all.items) await forceDeleteCustomObject(kubeConfig(), { ...this.ref, name: item.metadata.name });
    for (const s of (await core().listNamespacedSecret({ namespace: this.namespace })).items)
      await core()
        .deleteNamespacedSecret({ name: s.metadata!.name!, namespace: this.namespace })
        .catch(() => undefined);
    for (const c of (await core().listNamespacedConfigMap({ namespace: this.namespace })).items)
      await core()
        .deleteNamespacedConfigMap({ name: c.metadata!.name!, namespace: this.namespace })
        .catch(() => undefined);
  }

  private watchDrains(): void {
    this.drainPoll = setInterval(() => {
      void core()
        .readNamespacedConfigMap({ name: `${this.name}-endpoints`, namespace: this.namespace })
        .then((cm) => {
          const doc = JSON.parse(cm.data?.['topology.json'] ?? '{}') as { replicas?: Array<{ id: string; state: string }> };
          for (const r of doc.replicas ?? []) if (r.state === 'draining' && !this.drainingSeenAt.has(r.id)) this.drainingSeenAt.set(r.id, Date.now());
        })
        .catch(() => undefined);
    }, 200);
  }
}

/** Polls until `probe` is true; throws with `what` and the last status seen. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number, describeState?: () => Promise<string>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describeState ? `: ${await describeState()}` : ''}`);
}

/** The emulator's own view (not through the layer): instances and their tags. */
export async function instancesInEmulator(): Promise<Array<DBInstance & { tags: Record<string, string> }>> {
  const rds = rdsClient();
  const out = (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
  return Promise.all(
    out.map(async (db) => {
      const tags = Object.fromEntries(
        ((await rds.send(new ListTagsForResourceCommand({ ResourceName: db.DBInstanceArn! }))).TagList ?? []).map((t) => [t.Key!, t.Value ?? '']),
      );
      return { ...db, tags };
    }),
  );
}

export async function snapshotsInEmulator(): Promise<string[]> {
  return ((await rdsClient().send(new DescribeDBSnapshotsCommand({}))).DBSnapshots ?? []).map((s) => s.DBSnapshotIdentifier!);
}

export { TAG_OWNER_UID, TAG_ROLE };
