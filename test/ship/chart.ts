// Helpers for tests of the Helm chart: render it with helm, run kubectl against the test API server. Exported for
// other tests (the lead's run of the operator with the chart's ServiceAccount uses renderChart and applyManifests).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CRD_FILE_NAME } from '../../operator/src/api/crd-yaml.js';
import { CRD_NAME } from '../../operator/src/api/replicasetdb.js';
import { testEnv } from '../env/helpers.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART_DIR = join(ROOT, 'charts', 'replicasetdb-operator');

const execFileAsync = promisify(execFile);

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with optional stdin; never throws on a non-zero exit (tests assert on the code). */
export function runCommand(file: string, args: readonly string[], input?: string, cwd?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 32 * 1024 * 1024, ...(cwd ? { cwd } : {}) }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      if (err && code === -1) reject(err);
      else resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export async function helm(args: readonly string[]): Promise<CommandResult> {
  return runCommand(testEnv().tools.helm, args);
}

/** kubectl as the cluster admin of the test environment. */
export async function kubectl(args: readonly string[], input?: string): Promise<CommandResult> {
  return runCommand(testEnv().tools.kubectl, ['--kubeconfig', testEnv().kube.kubeconfigPath, ...args], input);
}

export interface RenderOptions {
  release: string;
  namespace: string;
  values: Record<string, unknown>;
  includeCrds?: boolean;
}

/** `helm template` with the given values (written as JSON, which is YAML). Throws with helm's message on failure. */
export async function renderChart({ release, namespace, values, includeCrds = false }: RenderOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rsdb-chart-'));
  try {
    const valuesFile = join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values));
    const args = ['template', release, CHART_DIR, '--namespace', namespace, '--values', valuesFile];
    if (includeCrds) args.push('--include-crds');
    const { stdout } = await execFileAsync(testEnv().tools.helm, args, { maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export function parseManifests(yamlText: string): Manifest[] {
  return parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null && typeof m === 'object' && typeof m.kind === 'string');
}

export function manifestsToYaml(manifests: readonly Manifest[]): string {
  // JSON documents are YAML; kubectl reads a List as well as separate documents.
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests });
}

export const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
export const CLUSTER_SCOPED_KINDS = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

/** The ReplicaSetDB CRD, served (kubectl auth can-i resolves `replicasetdbs.db.servio.io` through discovery, and
 * the operator's informer lists it). Installed
 * when missing, and then removed again: other test files install the same CRD themselves. */
export function ensureCrd() {
  let created = false;
  beforeAll(async () => {
    if ((await kubectl(['get', 'crd', CRD_NAME, '-o', 'name'])).code === 0) return;
    const applied = await kubectl(['apply', '--server-side', '--field-manager=ship-test', '-f', join(ROOT, 'crds', CRD_FILE_NAME)]);
    expect(applied.code, applied.stderr).toBe(0);
    created = true;
    // Polled rather than `kubectl wait`, which fails instead of waiting when it reads the CRD before the API server
    // has set any condition (`.status.conditions accessor error: <nil>`).
    const established = `jsonpath={.status.conditions[?(@.type=="Established")].status}`;
    for (let i = 0; ; i++) {
      if ((await kubectl(['get', 'crd', CRD_NAME, '-o', established])).stdout.trim() === 'True') break;
      if (i === 120) throw new Error(`${CRD_NAME} not Established after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Discovery lags Established by a moment; can-i needs the resource in discovery.
    for (let i = 0; ; i++) {
      if ((await kubectl(['api-resources', '--api-group=db.servio.io', '-o', 'name'])).stdout.trim() === CRD_NAME) break;
      if (i === 60) throw new Error(`${CRD_NAME} not in discovery after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  afterAll(async () => {
    if (created) await kubectl(['delete', 'crd', CRD_NAME, '--ignore-not-found']);
  });
}

export interface ChartIdentity {
  /** A kubeconfig that authenticates as the chart's ServiceAccount (a bound token, 1 h). */
  kubeconfigPath: string;
  /** `system:serviceaccount:<namespace>:<name>` */
  user: string;
  /** Deletes the RBAC objects (cluster-scoped ones too) and the kubeconfig file. */
  remove(): Promise<void>;
}

/** Installs the chart's ServiceAccount and RBAC (nothing else) and returns credentials of that ServiceAccount, for
 * running the operator with exactly the rights the chart grants. */
export async function installChartIdentity(options: Omit<RenderOptions, 'includeCrds'>): Promise<ChartIdentity> {
  const rbac = parseManifests(await renderChart(options)).filter((m) => RBAC_KINDS.has(m.kind));
  const applied = await kubectl(['apply', '-f', '-'], manifestsToYaml(rbac));
  if (applied.code !== 0) throw new Error(`applying the chart's RBAC failed: ${applied.stderr}`);
  const sa = rbac.find((m) => m.kind === 'ServiceAccount');
  if (!sa) throw new Error('the chart rendered no ServiceAccount');
  const token = await kubectl(['create', 'token', sa.metadata.name, '-n', options.namespace, '--duration=1h']);
  if (token.code !== 0) throw new Error(`kubectl create token failed: ${token.stderr}`);
  const { kube } = testEnv();
  const admin = parseAllDocuments(readFileSync(kube.kubeconfigPath, 'utf8'))[0]!.toJS() as {
    clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  };
  const cluster = admin.clusters[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'rsdb-sa-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const user = `system:serviceaccount:${options.namespace}:${sa.metadata.name}`;
  writeFileSync(
    kubeconfigPath,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster],
      users: [{ name: 'operator', user: { token: token.stdout.trim() } }],
      contexts: [{ name: 'operator', context: { cluster: cluster.name, user: 'operator' } }],
      'current-context': 'operator',
    }),
    { mode: 0o600 },
  );
  return {
    kubeconfigPath,
    user,
    async remove() {
      // No controller-manager: nothing is garbage-collected, so every object is deleted explicitly.
      const ordered = [...rbac.filter((m) => !CLUSTER_SCOPED_KINDS.has(m.kind)), ...rbac.filter((m) => CLUSTER_SCOPED_KINDS.has(m.kind))];
      await kubectl(['delete', '--ignore-not-found', '-f', '-'], manifestsToYaml(ordered));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
