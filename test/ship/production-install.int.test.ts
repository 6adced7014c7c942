// The image without a container engine: the Dockerfile's production install done in a temporary folder (compiled
// dist/, package files, the deps stage's own `npm ci` command read from the Dockerfile), then the operator started
// from it the way the image's ENTRYPOINT starts it, against the real kube-apiserver and the RDS emulator.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { createNamespace, kubeConfig, testEnv, uniqueName } from '../env/helpers.js';
import { ROOT, ensureCrd, runCommand } from './chart.js';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

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
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

interface LogRecord {
  level?: string;
  msg?: string;
  port?: number;
  [k: string]: unknown;
}

describe('production install (what the Dockerfile builds)', () => {
  const app = mkdtempSync(join(tmpdir(), 'rsdb-image-'));
  const leaseName = uniqueName('prod-install');
  const lines: string[] = [];
  const records: LogRecord[] = [];
  let operator: ChildProcess | undefined;
  let exited: Promise<number | null> | undefined;
  let namespace = '';
  let base = '';

  ensureCrd();

  beforeAll(async () => {
    namespace = await createNamespace(kubeConfig(), uniqueName('rsdb-system'));

    // build stage: compile straight into the image folder (the repository's own dist/ is left alone).
    const tsc = await runCommand(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')]);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    for (const file of filesUnder(join(app, 'dist'))) if (/[/\\]testing[/\\]/.test(file)) rmSync(file);

    // deps stage: the package files, then the Dockerfile's own command. The npm cache of this machine makes it
    // an offline copy after the first run.
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    cpSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    mkdirSync(join(app, 'client'));
    cpSync(join(ROOT, 'client', 'package.json'), join(app, 'client', 'package.json'));
    const [npm, ...npmArgs] = dockerfileNpmCi();
    const install = await runCommand('/usr/bin/env', [`npm_config_prefer_offline=true`, npm!, ...npmArgs], undefined, app);
    expect(install.code, install.stdout + install.stderr).toBe(0);
    // The runtime stage ships dist/, node_modules and package.json only.
    rmSync(join(app, 'package-lock.json'));
    rmSync(join(app, 'client'), { recursive: true });

    const { kube, aws } = testEnv();
    const [node, ...args] = dockerfileEntrypoint();
    expect(node).toBe('node');
    operator = spawn(process.execPath, args, {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        KUBECONFIG: kube.kubeconfigPath,
        AWS_REGION: aws.region,
        AWS_ENDPOINT_URL: aws.endpoint,
        AWS_ACCESS_KEY_ID: aws.accessKeyId,
        AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
        METRICS_BIND_ADDRESS: '127.0.0.1',
        METRICS_PORT: '0',
        LEADER_ELECT: 'true',
        LEADER_ELECTION_LEASE_NAME: leaseName,
        POD_NAMESPACE: namespace,
        POD_NAME: 'operator-0',
        WATCH_NAMESPACES: namespace,
        LOG_LEVEL: 'info',
      },
    });
    const child = operator;
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`operator did not report its port within 30 s; stderr: ${stderr}; stdout: ${lines.join('\n')}`)), 30_000);
      void exited!.then((code) => reject(new Error(`operator exited with ${code}; stderr: ${stderr}; stdout: ${lines.join('\n')}`)));
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
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (operator && operator.exitCode === null) {
      operator.kill('SIGKILL');
      await exited;
    }
    rmSync(app, { recursive: true, force: true });
    if (namespace) {
      await kubeConfig().makeApiClient(k8s.CoordinationV1Api).deleteNamespacedLease({ name: leaseName, namespace }).catch(() => undefined);
    }
  });

  it('ships compiled JavaScript and production dependencies only', () => {
    const dist = filesUnder(join(app, 'dist'));
    expect(dist.some((f) => f.endsWith(join('dist', 'main.js')))).toBe(true);
    expect(dist.filter((f) => f.endsWith('.ts') || /\.test\.js$/.test(f) || /[/\\]testing[/\\]/.test(f))).toEqual([]);
    const modules = join(app, 'node_modules');
    for (const runtime of ['@kubernetes/client-node', '@aws-sdk/client-rds', 'pino', 'prom-client', 'zod']) expect(existsSync(join(modules, runtime)), runtime).toBe(true);
    // (@types/node is there: @kubernetes/client-node lists it as a dependency.)
    for (const dev of ['typescript', 'vitest', 'eslint', 'tsx', 'aws-sdk-client-mock', 'ajv']) expect(existsSync(join(modules, dev)), dev).toBe(false);
  });

  it('answers /healthz with 200', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });

  it('takes the Lease and serves metrics', async () => {
    const leases = kubeConfig().makeApiClient(k8s.CoordinationV1Api);
    await expect.poll(async () => (await leases.readNamespacedLease({ name: leaseName, namespace })).spec?.holderIdentity ?? '', { timeout: 30_000 }).toMatch(/^operator-0_[0-9a-f]{8}$/);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    await expect.poll(async () => (await (await fetch(`${base}/metrics`)).text()).includes('rsdb_leader 1'), { timeout: 10_000 }).toBe(true);
    expect(metrics).toContain('# TYPE rsdb_reconcile_total counter');
  });

  it('writes JSON log lines only', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const r of records) expect(r).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
  });

  it('on SIGTERM releases the Lease and exits 0', async () => {
    operator!.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lease = await kubeConfig().makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name: leaseName, namespace });
    expect(lease.spec?.holderIdentity ?? '').toBe('');
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(['shutting down', 'released the lease', 'stopped']));
  });
});
