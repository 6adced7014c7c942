// The image without a container engine: the Dockerfile's production install done in a temporary folder (compiled
// dist/, package files, the deps stage's own `npm ci` command read from the Dockerfile), then the operator started
// from it the way the image's ENTRYPOINT starts it, against the real kube-apiserver and the RDS emulator, with the
// credentials of the Helm chart's ServiceAccount (so with exactly the chart's RBAC, namespaced mode).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { parse as parseYaml } from 'yaml';
import { GROUP, PLURAL, VERSION } from '../../operator/src/api/replicasetdb.js';
import { createNamespace, kubeConfig, rdsClient, testEnv, uniqueName } from '../env/helpers.js';
import { operatorProcessEnv } from '../env/operator-process-env.js';
import { forceDeleteCustomObject } from '../../controller-runtime/testing/custom-objects.js';
import { ROOT, ensureCrd, installChartIdentity, runCommand, type ChartIdentity } from './chart.js';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** The npm workspaces the operator imports at run time, each shipped as its package.json and compiled dist/. */
const WORKSPACES = ['contract', 'controller-runtime'] as const;

/** The production `npm ci` of the Dockerfile's deps stage, as argv. */
function dockerfileNpmCi(): string[] {
  const match = /^RUN (?:--mount=\S+ )*(npm ci --omit=dev[^\n\\]*)$/m.exec(dockerfile);
  if (!match) throw new Error('Dockerfile has no `RUN npm ci --omit=dev ...` line');
  return match[1]!.trim().split(/\s+/);
}

/** The image's ENTRYPOINT, as argv. */
function dockerfileEntrypoint(): string[] {
  const match = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile);
  if (!match) throw new Error('Dockerfile has no exec-form ENTRYPOINT');
  return JSON.parse(match[1]!) as string[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

interface LogRecord {
  level?: string;
  msg?: string;
  port?: number;
  [k: string]: unknown;
}

interface RunningProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  lines: string[];
  records: LogRecord[];
  base: string;
}

describe('production install (what the Dockerfile builds)', () => {
  const app = mkdtempSync(join(tmpdir(), 'rsdb-image-'));
  const leaseName = uniqueName('prod-install');
  const processes: RunningProcess[] = [];
  let namespace = '';
  let identity: ChartIdentity | undefined;

  ensureCrd();

  /** Starts the operator from the installed folder as the image's ENTRYPOINT does; resolves once it serves. */
  async function startOperator(podName: string): Promise<RunningProcess> {
    const { aws } = testEnv();
    const [node, ...args] = dockerfileEntrypoint();
    expect(node).toBe('node');
    const child = spawn(process.execPath, args, {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: operatorProcessEnv({
        kubeconfigPath: identity!.kubeconfigPath,
        awsEndpoint: aws.endpoint,
        namespace,
        leader: { leaseName, podName },
        env: {
          NODE_ENV: 'production',
          // Short timings so that a hand-over fits in a test; the ratios are the defaults' (15s/10s/2s).
          LEADER_ELECTION_LEASE_DURATION: '4s',
          LEADER_ELECTION_RENEW_DEADLINE: '3s',
          LEADER_ELECTION_RETRY_PERIOD: '500ms',
          // The emulator finishes every instance at once; a short transitioning resync moves creates and deletes on.
          RESYNC_TRANSITIONING: '1s',
        },
      }),
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines: string[] = [];
    const records: LogRecord[] = [];
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${podName} did not report its port within 30 s; stderr: ${stderr}; stdout: ${lines.join('\n')}`)),
        30_000,
      );
      void exited.then((code) => reject(new Error(`${podName} exited with ${code}; stderr: ${stderr}; stdout: ${lines.join('\n')}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        const record = JSON.parse(line) as LogRecord;
        records.push(record);
        if (typeof record.port === 'number' && record.msg?.startsWith('serving /metrics')) {
          clearTimeout(timer);
          resolve(record.port);
        }
      });
    });
    const running = { name: podName, child, exited, lines, records, base: `http://127.0.0.1:${port}` };
    processes.push(running);
    return running;
  }

  const leases = () => kubeConfig().makeApiClient(k8s.CoordinationV1Api);
  const custom = () => kubeConfig().makeApiClient(k8s.CustomObjectsApi);
  const RSDB = 'ship-test';
  const holder = async () => (await leases().readNamespacedLease({ name: leaseName, namespace })).spec?.holderIdentity ?? '';
  const metricsOf = async (p: RunningProcess) => (await fetch(`${p.base}/metrics`)).text();

  beforeAll(async () => {
    namespace = await createNamespace(kubeConfig(), uniqueName('rsdb-system'));
    // The operator's namespace is also the one it watches: one Role for the ReplicaSetDBs, one for the Lease.
    identity = await installChartIdentity({
      release: uniqueName('rsdb'),
      namespace,
      values: { aws: { region: testEnv().aws.region }, watchNamespaces: [namespace], leaderElection: { leaseName } },
    });

    // build stage: compile the workspaces and the operator straight into the image folder (the repository's own
    // dist/ folders are left alone), then drop what the Dockerfile drops.
    const tscBin = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const workspace of WORKSPACES) {
      const built = await runCommand(process.execPath, [tscBin, '-p', join(ROOT, workspace, 'tsconfig.build.json'), '--outDir', join(app, workspace, 'dist')]);
      expect(built.code, built.stdout + built.stderr).toBe(0);
      for (const file of filesUnder(join(app, workspace, 'dist'))) if (/\.d\.ts(\.map)?$/.test(file)) rmSync(file);
    }
    const tsc = await runCommand(process.execPath, [tscBin, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')]);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);

    // deps stage: the package files, then the Dockerfile's own command. The npm cache of this machine makes it
    // an offline copy after the first run.
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    cpSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    for (const workspace of WORKSPACES) cpSync(join(ROOT, workspace, 'package.json'), join(app, workspace, 'package.json'));
    const [npm, ...npmArgs] = dockerfileNpmCi();
    const install = await runCommand('/usr/bin/env', ['npm_config_prefer_offline=true', npm!, ...npmArgs], undefined, app);
    expect(install.code, install.stdout + install.stderr).toBe(0);
    // The runtime stage ships package.json, node_modules, dist/ and each workspace's {package.json,dist} only.
    rmSync(join(app, 'package-lock.json'));
  });

  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    rmSync(app, { recursive: true, force: true });
    if (namespace) {
      await leases()
        .deleteNamespacedLease({ name: leaseName, namespace })
        .catch(() => undefined);
      // No operator runs any more to honour the finalizer; the emulator is reset for the next file anyway.
      await forceDeleteCustomObject(kubeConfig(), { group: GROUP, version: VERSION, plural: PLURAL, namespace, name: RSDB });
      const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
      for (const secret of (await core.listNamespacedSecret({ namespace })).items)
        await core.deleteNamespacedSecret({ name: secret.metadata!.name!, namespace });
      for (const cm of (await core.listNamespacedConfigMap({ namespace })).items) await core.deleteNamespacedConfigMap({ name: cm.metadata!.name!, namespace });
    }
    await identity?.remove();
  });

  it('ships compiled JavaScript and production dependencies only', () => {
    const dist = [...filesUnder(join(app, 'dist')), ...filesUnder(join(app, 'contract', 'dist'))];
    expect(dist.some((f) => f.endsWith(join('dist', 'main.js')))).toBe(true);
    expect(dist.filter((f) => f.endsWith('.ts') || /\.test\.js$/.test(f) || /[/\\]testing[/\\]/.test(f))).toEqual([]);
    const modules = join(app, 'node_modules');
    for (const runtime of ['@kubernetes/client-node', '@aws-sdk/client-rds', 'pino', 'prom-client', 'zod'])
      expect(existsSync(join(modules, runtime)), runtime).toBe(true);
    // The workspace link resolves to the shipped contract package.
    expect(existsSync(join(modules, '@servio', 'replicasetdb-contract', 'dist', 'index.js'))).toBe(true);
    // The client library and the PostgreSQL driver are for applications and tests, not for the operator.
    expect(readdirSync(join(modules, '@servio')).sort()).toEqual(['controller-runtime', 'replicasetdb-contract']);
    for (const driver of ['pg', 'pg-pool', 'pg-protocol']) expect(existsSync(join(modules, driver)), driver).toBe(false);
    expect(existsSync(join(app, 'client')), 'client/').toBe(false);
    // (@types/node is there: @kubernetes/client-node lists it as a dependency.)
    for (const dev of ['typescript', 'vitest', 'eslint', 'tsx', 'aws-sdk-client-mock', 'ajv', 'drizzle-orm'])
      expect(existsSync(join(modules, dev)), dev).toBe(false);
  });

  it('ships the controller runtime as compiled JavaScript behind its workspace link', () => {
    const dist = filesUnder(join(app, 'controller-runtime', 'dist'));
    expect(dist.filter((f) => f.endsWith('.ts') || /\.test\.js$/.test(f) || /[/\\]testing[/\\]/.test(f))).toEqual([]);
    expect(existsSync(join(app, 'node_modules', '@servio', 'controller-runtime', 'dist', 'index.js'))).toBe(true);
  });

  it('starts, answers /healthz with 200 and takes the Lease', async () => {
    const a = await startOperator('operator-a');
    const res = await fetch(`${a.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
    await expect.poll(holder, { timeout: 30_000 }).toMatch(/^operator-a_[0-9a-f]{8}$/);
    await expect.poll(async () => (await metricsOf(a)).includes('rsdb_leader 1'), { timeout: 10_000 }).toBe(true);
    expect(await metricsOf(a)).toContain('# TYPE rsdb_reconcile_total counter');
    // Ready once the leader's informer has listed the ReplicaSetDBs.
    await expect.poll(async () => (await fetch(`${a.base}/readyz`)).status, { timeout: 30_000 }).toBe(200);
  });

  it('runs a second process as a ready standby while the first leads', async () => {
    const b = await startOperator('operator-b');
    await expect.poll(async () => (await fetch(`${b.base}/readyz`)).status, { timeout: 15_000 }).toBe(200);
    expect(await holder()).toMatch(/^operator-a_/);
    expect(await metricsOf(b)).toContain('rsdb_leader 0');
  });

  it('reconciles in the leader only', async () => {
    const [a, b] = processes;
    const body = parseYaml(readFileSync(join(ROOT, 'examples', 'minimal.yaml'), 'utf8')) as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    body.metadata = { name: RSDB, namespace };
    body.spec.deletionPolicy = 'Delete';
    // Replicas are drained before they are deleted; a short drain keeps the deletion below quick.
    body.spec.routing = { drainSeconds: 2, maxDrainSeconds: 2 };
    await custom().createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, body });
    // Whatever the outcome of a reconcile, it is counted: the count tells which process reconciled.
    await expect.poll(async () => /^rsdb_reconcile_total\{/m.test(await metricsOf(a!)), { timeout: 30_000 }).toBe(true);
    expect(await metricsOf(b!)).not.toMatch(/^rsdb_reconcile_total\{/m);
    // The chart's rights were enough: the finalizer and a status were written, and nothing was forbidden.
    const ref = { group: GROUP, version: VERSION, plural: PLURAL, namespace, name: RSDB };
    await expect
      .poll(
        async () => {
          const obj = (await custom().getNamespacedCustomObject(ref)) as { metadata: { finalizers?: string[] }; status?: { observedGeneration?: number } };
          return { finalizers: obj.metadata.finalizers ?? [], observed: obj.status?.observedGeneration };
        },
        { timeout: 30_000 },
      )
      .toEqual({ finalizers: ['db.servio.io/finalizer'], observed: 1 });
    expect(a!.lines.filter((l) => /forbidden/i.test(l))).toEqual([]);
  });

  it('hands the Lease to the standby within the lease duration when the leader is killed', async () => {
    const [a, b] = processes;
    a!.child.kill('SIGKILL');
    await a!.exited;
    const killedAt = Date.now();
    await expect.poll(holder, { timeout: 15_000, interval: 200 }).toMatch(/^operator-b_/);
    // 4 s lease duration, plus one jittered retry period (0.6 s), the poll interval and slack for a busy machine.
    expect(Date.now() - killedAt).toBeLessThan(4_000 + 2_000);
    await expect.poll(async () => (await metricsOf(b!)).includes('rsdb_leader 1'), { timeout: 10_000 }).toBe(true);
    // The new leader lists the ReplicaSetDB and reconciles it.
    await expect.poll(async () => /^rsdb_reconcile_total\{/m.test(await metricsOf(b!)), { timeout: 30_000 }).toBe(true);
  });

  it("takes the ReplicaSetDB through its whole life in the new leader, with the chart's rights only", async () => {
    const ref = { group: GROUP, version: VERSION, plural: PLURAL, namespace, name: RSDB };
    const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
    type Stored = { status?: { conditions?: Array<{ type: string; status: string }> } };
    await expect
      .poll(async () => ((await custom().getNamespacedCustomObject(ref)) as Stored).status?.conditions?.find((c) => c.type === 'Ready')?.status, {
        timeout: 60_000,
      })
      .toBe('True');
    // The credentials Secret (create), the endpoints ConfigMap (server-side apply) and Events (create/patch).
    const secret = await core.readNamespacedSecret({ name: `${RSDB}-credentials`, namespace });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['DB_PASSWORD', 'DB_USERNAME', 'password', 'password_fingerprint_key', 'username']);
    const endpoints = await core.readNamespacedConfigMap({ name: `${RSDB}-endpoints`, namespace });
    expect(JSON.parse(endpoints.data?.['topology.json'] ?? '{}')).toMatchObject({ version: 1, name: RSDB, namespace });
    const events = await core.listNamespacedEvent({ namespace });
    expect(events.items.some((e) => e.involvedObject.name === RSDB && e.reportingComponent !== undefined)).toBe(true);

    // Deletion: replicas, then the primary (deletionPolicy Delete), the ConfigMap, then the finalizer.
    await custom().deleteNamespacedCustomObject(ref);
    await expect
      .poll(
        async () => {
          try {
            await custom().getNamespacedCustomObject(ref);
            return 'present';
          } catch (err) {
            return (err as { code?: number }).code === 404 ? 'gone' : String(err);
          }
        },
        { timeout: 60_000 },
      )
      .toBe('gone');
    await expect(core.readNamespacedConfigMap({ name: `${RSDB}-endpoints`, namespace })).rejects.toMatchObject({ code: 404 });
    const left = (await rdsClient().send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
    expect(left.map((i) => i.DBInstanceIdentifier)).toEqual([]);
  });

  it('never met a refusal of the API server', () => {
    for (const p of processes) expect(p.lines.filter((l) => /forbidden|\b403\b/i.test(l))).toEqual([]);
  });

  it('on SIGTERM releases the Lease at once and exits 0', async () => {
    const b = processes[1]!;
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(await holder()).toBe('');
    expect(b.records.map((r) => r.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped leading', 'released the lease', 'stopped']));
  });

  it('writes JSON log lines only', () => {
    for (const p of processes) {
      expect(p.lines.length).toBeGreaterThan(0);
      for (const r of p.records) expect(r).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
    }
  });
});
