// The Helm chart against the real kube-apiserver: it lints strictly, every object it renders is accepted by a
// server-side dry run in both scopes, and its RBAC grants exactly the verbs the operator uses (kubectl auth can-i
// as the chart's ServiceAccount, and one real request with that ServiceAccount's token).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../operator/src/config/index.js';
import { createNamespace, kubeConfig, testEnv, uniqueName } from '../env/helpers.js';
import {
  CHART_DIR,
  CLUSTER_SCOPED_KINDS,
  RBAC_KINDS,
  ensureCrd,
  helm,
  installChartIdentity,
  kubectl,
  manifestsToYaml,
  parseManifests,
  renderChart,
  runCommand,
  type Manifest,
} from './chart.js';

const REGION = { aws: { region: 'us-east-1' } };
const LEASE = 'replicasetdb-operator';

function find(manifests: Manifest[], kind: string, name?: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
}

interface Container {
  env: Array<{ name: string; value?: string }>;
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: Record<string, unknown>;
}

function deploymentOf(manifests: Manifest[]) {
  const [deployment] = find(manifests, 'Deployment');
  const spec = deployment!.spec as {
    replicas: number;
    strategy?: { type: string };
    template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } };
  };
  const container = spec.template.spec.containers[0]!;
  const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
  return { spec, container, env };
}

describe('helm lint', () => {
  it('passes --strict with the default values and in namespaced mode', async () => {
    const plain = await helm(['lint', '--strict', CHART_DIR]);
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    const namespaced = await helm([
      'lint',
      '--strict',
      CHART_DIR,
      '--set',
      'aws.region=eu-west-1',
      '--set',
      'watchNamespaces={team-a,team-b}',
      '--set',
      'replicaCount=2',
      '--set',
      'podDisruptionBudget.enabled=true',
      '--set',
      'metrics.serviceMonitor.enabled=true',
    ]);
    expect(namespaced.code, namespaced.stdout + namespaced.stderr).toBe(0);
  });

  it('fails on a value the schema refuses (a typo must not be ignored)', async () => {
    const typo = await helm(['lint', '--strict', CHART_DIR, '--set', 'replicas=2']);
    expect(typo.code).not.toBe(0);
    expect(typo.stdout + typo.stderr).toContain("additional properties 'replicas' not allowed");
    const level = await helm(['lint', '--strict', CHART_DIR, '--set', 'logLevel=loud']);
    expect(level.code).not.toBe(0);
  });
});

describe('helm template', () => {
  it('refuses to render without an AWS region, or with two replicas and no leader election', async () => {
    await expect(renderChart({ release: 'r', namespace: 'ops', values: {} })).rejects.toThrow(/aws.region is required/);
    await expect(renderChart({ release: 'r', namespace: 'ops', values: { ...REGION, replicaCount: 2, leaderElection: { enabled: false } } })).rejects.toThrow(
      /leaderElection.enabled must be true when replicaCount > 1/,
    );
  });

  it('renders a locked-down pod with probes, resources and the operator settings', async () => {
    const manifests = parseManifests(
      await renderChart({
        release: 'r',
        namespace: 'ops',
        values: { aws: { region: 'eu-west-1', endpoint: 'http://moto:5000' }, logLevel: 'debug', replicaCount: 2 },
      }),
    );
    const { spec, container, env } = deploymentOf(manifests);
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '320Mi' }, limits: { memory: '512Mi' } });
    expect(env).toMatchObject({
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://moto:5000',
      LOG_LEVEL: 'debug',
      LEADER_ELECT: 'true',
      WATCH_NAMESPACES: '',
      ADOPT_NAMESPACES: '',
    });
    expect(container.env.map((e) => e.name)).toEqual(expect.arrayContaining(['POD_NAME', 'POD_NAMESPACE']));
  });

  it('gives the operator its own defaults, and the pod the shutdown timeout plus 5 s to stop in', async () => {
    const { spec, env } = deploymentOf(parseManifests(await renderChart({ release: 'r', namespace: 'ops', values: REGION })));
    const fromChart = loadConfig({ argv: [], env: { ...env, POD_NAMESPACE: 'ops' } });
    const builtIn = loadConfig({ argv: [], env: { AWS_REGION: 'us-east-1', POD_NAMESPACE: 'ops' } });
    // What the docs state as defaults is what the operator runs with once installed by the chart.
    const timings = ['resyncSteady', 'resyncTransitioning', 'awsActionRetry', 'shutdownTimeout', 'leaseDuration', 'renewDeadline', 'retryPeriod'] as const;
    const other = ['concurrency', 'logLevel', 'metricsPort', 'leaseName', 'leaseNamespace'] as const;
    for (const key of [...timings, ...other]) expect({ key, value: fromChart[key] }).toEqual({ key, value: builtIn[key] });
    expect(fromChart).toMatchObject({ resyncSteady: 600_000, resyncTransitioning: 15_000, awsActionRetry: 300_000, shutdownTimeout: 25_000 });
    // The chart turns leader election on (rolling updates overlap two pods); the binary alone does not.
    expect([fromChart.leaderElect, builtIn.leaderElect]).toEqual([true, false]);
    const grace = (spec.template.spec as unknown as { terminationGracePeriodSeconds: number }).terminationGracePeriodSeconds;
    expect(grace).toBe(fromChart.shutdownTimeout / 1000 + 5);
    // One pod unless asked for more.
    expect(spec.replicas).toBe(1);
  });

  it('allows adoption only in the namespaces adoption.namespaces lists, and refuses a value that is not a namespace', async () => {
    const manifests = parseManifests(
      await renderChart({ release: 'r', namespace: 'ops', values: { ...REGION, adoption: { namespaces: ['legacy', 'migration'] } } }),
    );
    expect(deploymentOf(manifests).env.ADOPT_NAMESPACES).toBe('legacy,migration');
    await expect(renderChart({ release: 'r', namespace: 'ops', values: { ...REGION, adoption: { namespaces: ['*'] } } })).rejects.toThrow(/adoption/);
  });

  it('turns leader election off only when asked, and then never overlaps two pods', async () => {
    const manifests = parseManifests(await renderChart({ release: 'r', namespace: 'ops', values: { ...REGION, leaderElection: { enabled: false } } }));
    const { spec, env } = deploymentOf(manifests);
    expect(env.LEADER_ELECT).toBe('false');
    expect(spec.strategy).toEqual({ type: 'Recreate' });
    expect(find(manifests, 'Role')).toEqual([]);
  });

  it('puts the IRSA annotation on the ServiceAccount, and renders the ServiceMonitor and the PodDisruptionBudget on demand', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/replicasetdb-operator';
    const manifests = parseManifests(
      await renderChart({
        release: 'r',
        namespace: 'ops',
        values: {
          ...REGION,
          serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
          metrics: { serviceMonitor: { enabled: true } },
          podDisruptionBudget: { enabled: true },
        },
      }),
    );
    expect(find(manifests, 'ServiceAccount')[0]!.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': roleArn });
    expect(find(manifests, 'ServiceMonitor')).toHaveLength(1);
    expect(find(manifests, 'PodDisruptionBudget')).toHaveLength(1);
    expect((find(manifests, 'PodDisruptionBudget')[0] as unknown as { spec: unknown }).spec).toMatchObject({ maxUnavailable: 1 });
    const plain = parseManifests(await renderChart({ release: 'r', namespace: 'ops', values: REGION }));
    expect(find(plain, 'ServiceMonitor')).toEqual([]);
    expect(find(plain, 'PodDisruptionBudget')).toEqual([]);
  });

  it('names the ServiceAccount after the release, or the release alone when it already holds the chart name', async () => {
    const accountOf = async (release: string, values: Record<string, unknown> = {}) =>
      find(parseManifests(await renderChart({ release, namespace: 'ops', values: { ...REGION, ...values } })), 'ServiceAccount')[0]!.metadata.name;
    expect(await accountOf('team-a')).toBe('team-a-replicasetdb-operator');
    // The install command the operations guide shows: the IRSA trust policy must name this account.
    expect(await accountOf('replicasetdb-operator')).toBe('replicasetdb-operator');
    expect(await accountOf('team-a', { serviceAccount: { name: 'rds-operator' } })).toBe('rds-operator');
  });
});

describe('kubectl apply --dry-run=server', () => {
  const {
    operatorNs,
    others: [teamA, teamB],
  } = namespacesFor(['team-a', 'team-b']);

  it('accepts every object of the cluster-wide install, CRD included', async () => {
    const yaml = await renderChart({
      release: uniqueName('rsdb'),
      namespace: operatorNs,
      values: { ...REGION, replicaCount: 2, podDisruptionBudget: { enabled: true } },
      includeCrds: true,
    });
    const manifests = parseManifests(yaml);
    expect(find(manifests, 'ClusterRole')).toHaveLength(1);
    expect(find(manifests, 'CustomResourceDefinition')).toHaveLength(1);
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], yaml);
    expect(result.code, result.stderr).toBe(0);
    const applied = result.stdout.trim().split('\n');
    expect(applied.every((l) => l.endsWith('(server dry run)'))).toBe(true);
    expect(applied).toHaveLength(manifests.length);
  });

  it('accepts the namespaced install, which has no cluster-wide rights', async () => {
    const yaml = await renderChart({ release: uniqueName('rsdb'), namespace: operatorNs, values: { ...REGION, watchNamespaces: [teamA, teamB] } });
    const manifests = parseManifests(yaml);
    expect(find(manifests, 'ClusterRole')).toEqual([]);
    expect(find(manifests, 'ClusterRoleBinding')).toEqual([]);
    expect(
      find(manifests, 'Role')
        .map((r) => r.metadata.namespace)
        .sort(),
    ).toEqual([operatorNs, teamA, teamB].sort());
    expect(deploymentOf(manifests).env.WATCH_NAMESPACES).toBe(`${teamA},${teamB}`);
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], yaml);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(manifests.length);
  });

  it('is refused by the server for a namespace that does not exist (the dry run really checks)', async () => {
    const yaml = await renderChart({ release: uniqueName('rsdb'), namespace: operatorNs, values: { ...REGION, watchNamespaces: [uniqueName('missing')] } });
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], yaml);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/namespaces? "missing-[0-9a-f]+" not found/);
  });
});

/** Applies the chart's ServiceAccount and RBAC for real, and removes them (cluster-scoped ones above all) after. */
/** An operator namespace and the namespaces named after `prefixes` (e.g. team-a), created before the describe's
 * first test; their names, the release and its ServiceAccount user are known at once. */
function namespacesFor<const Prefixes extends readonly string[]>(prefixes: Prefixes) {
  const admin = kubeConfig();
  const release = uniqueName('rsdb');
  const operatorNs = uniqueName('rsdb-system');
  const others = prefixes.map((prefix) => uniqueName(prefix)) as { [K in keyof Prefixes]: string };
  beforeAll(async () => {
    for (const namespace of [operatorNs, ...others]) await createNamespace(admin, namespace);
  });
  return { release, operatorNs, others, sa: `system:serviceaccount:${operatorNs}:${release}-replicasetdb-operator` };
}

function installRbac(render: () => Promise<Manifest[]>) {
  const installed: Manifest[] = [];
  beforeAll(async () => {
    const rbac = (await render()).filter((m) => RBAC_KINDS.has(m.kind));
    const result = await kubectl(['apply', '-f', '-'], manifestsToYaml(rbac));
    expect(result.code, result.stderr).toBe(0);
    installed.push(...rbac);
  });
  afterAll(async () => {
    // No controller-manager: nothing is garbage-collected, so every object is deleted explicitly.
    const ordered = [...installed.filter((m) => !CLUSTER_SCOPED_KINDS.has(m.kind)), ...installed.filter((m) => CLUSTER_SCOPED_KINDS.has(m.kind))];
    if (ordered.length > 0) await kubectl(['delete', '--ignore-not-found', '-f', '-'], manifestsToYaml(ordered));
  });
}

async function canI(sa: string, verb: string, resource: string, namespace: string | undefined, subresource?: string): Promise<boolean> {
  const args = ['auth', 'can-i', verb, resource, `--as=${sa}`];
  if (namespace === undefined) args.push('--all-namespaces');
  else args.push('-n', namespace);
  if (subresource) args.push(`--subresource=${subresource}`);
  const result = await kubectl(args);
  if (result.code !== 0 && result.code !== 1) throw new Error(`kubectl auth can-i failed: ${result.stderr}`);
  return result.code === 0;
}

type Check = [verb: string, resource: string, subresource?: string];

const GRANTED_IN_MANAGED_NAMESPACES: Check[] = [
  ...['get', 'list', 'watch', 'patch'].map((v): Check => [v, 'replicasetdbs.db.servio.io']),
  ['patch', 'replicasetdbs.db.servio.io', 'status'],
  ['update', 'replicasetdbs.db.servio.io', 'finalizers'],
  ...['get', 'list', 'watch', 'create', 'patch', 'delete'].map((v): Check => [v, 'configmaps']),
  ['get', 'secrets'],
  ['create', 'secrets'],
  ['patch', 'secrets'],
  ['create', 'events'],
  ['patch', 'events'],
];

const REFUSED_IN_MANAGED_NAMESPACES: Check[] = [
  ['create', 'replicasetdbs.db.servio.io'],
  ['update', 'replicasetdbs.db.servio.io'],
  ['delete', 'replicasetdbs.db.servio.io'],
  ['update', 'replicasetdbs.db.servio.io', 'status'],
  ['get', 'replicasetdbs.db.servio.io', 'status'],
  ['update', 'configmaps'],
  ['delete', 'secrets'],
  ['update', 'secrets'],
  ['list', 'secrets'],
  ['watch', 'secrets'],
  ['delete', 'events'],
  ['get', 'pods'],
  ['create', 'pods'],
  ['create', 'rolebindings.rbac.authorization.k8s.io'],
  ['create', 'leases.coordination.k8s.io'],
];

async function expectGrid(sa: string, namespace: string | undefined, granted: Check[], refused: Check[]) {
  const verdicts = await Promise.all(
    [...granted, ...refused].map(
      async ([verb, resource, sub]) => `${verb} ${resource}${sub ? `/${sub}` : ''}: ${(await canI(sa, verb, resource, namespace, sub)) ? 'yes' : 'no'}`,
    ),
  );
  const expected = [...granted.map(([v, r, s]) => `${v} ${r}${s ? `/${s}` : ''}: yes`), ...refused.map(([v, r, s]) => `${v} ${r}${s ? `/${s}` : ''}: no`)];
  expect(verdicts).toEqual(expected);
}

describe('RBAC', () => {
  ensureCrd();

  describe('cluster-wide mode', () => {
    const {
      release,
      operatorNs,
      sa,
      others: [appNs],
    } = namespacesFor(['app']);
    installRbac(async () => parseManifests(await renderChart({ release, namespace: operatorNs, values: REGION })));

    it('grants the operator verbs in any namespace and refuses the rest', async () => {
      await expectGrid(sa, appNs, GRANTED_IN_MANAGED_NAMESPACES, REFUSED_IN_MANAGED_NAMESPACES);
      await expectGrid(
        sa,
        undefined,
        [
          ['list', 'replicasetdbs.db.servio.io'],
          ['watch', 'configmaps'],
        ],
        [['list', 'secrets']],
      );
    });

    it('grants no cluster-level rights', async () => {
      await expectGrid(
        sa,
        undefined,
        [],
        [
          ['list', 'nodes'],
          ['get', 'namespaces'],
          ['create', 'clusterroles.rbac.authorization.k8s.io'],
          ['update', 'customresourcedefinitions.apiextensions.k8s.io'],
          ['impersonate', 'serviceaccounts'],
        ],
      );
    });

    it('confines the Lease rights to its own namespace and its own Lease name', async () => {
      expect(await canI(sa, 'create', 'leases.coordination.k8s.io', operatorNs)).toBe(true);
      expect(await canI(sa, 'get', `leases.coordination.k8s.io/${LEASE}`, operatorNs)).toBe(true);
      expect(await canI(sa, 'update', `leases.coordination.k8s.io/${LEASE}`, operatorNs)).toBe(true);
      expect(await canI(sa, 'get', 'leases.coordination.k8s.io/someone-elses', operatorNs)).toBe(false);
      expect(await canI(sa, 'delete', `leases.coordination.k8s.io/${LEASE}`, operatorNs)).toBe(false);
      expect(await canI(sa, 'list', 'leases.coordination.k8s.io', operatorNs)).toBe(false);
      expect(await canI(sa, 'get', `leases.coordination.k8s.io/${LEASE}`, appNs)).toBe(false);
    });

    it('refuses a real request made with the ServiceAccount token for a verb it does not grant', async () => {
      // A second release in the same namespace, through the helper other tests use to run the operator as the chart.
      const identity = await installChartIdentity({ release: uniqueName('rsdb'), namespace: operatorNs, values: REGION });
      try {
        const asOperator = (args: string[]) => runCommand(testEnv().tools.kubectl, ['--kubeconfig', identity.kubeconfigPath, ...args]);
        const whoami = await asOperator(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
        expect(whoami.stdout).toBe(identity.user);
        const allowed = await asOperator(['get', 'configmaps', '-n', appNs, '-o', 'name']);
        expect(allowed.code, allowed.stderr).toBe(0);
        const refused = await asOperator(['get', 'secrets', '-n', appNs]);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain(`User "${identity.user}" cannot list resource "secrets"`);
      } finally {
        await identity.remove();
      }
      // Its cluster-scoped binding is gone again.
      expect((await kubectl(['get', 'clusterrolebindings', '-o', 'name'])).stdout).not.toContain(identity.user.split(':').pop()!);
    });
  });

  describe('namespaced mode', () => {
    const {
      release,
      operatorNs,
      sa,
      others: [watched, unwatched],
    } = namespacesFor(['team-a', 'team-z']);
    installRbac(async () => parseManifests(await renderChart({ release, namespace: operatorNs, values: { ...REGION, watchNamespaces: [watched] } })));

    it('grants the operator verbs in a watched namespace', async () => {
      await expectGrid(sa, watched, GRANTED_IN_MANAGED_NAMESPACES, REFUSED_IN_MANAGED_NAMESPACES);
    });

    it('grants nothing in other namespaces, its own included, and nothing cluster-wide', async () => {
      const nothing = GRANTED_IN_MANAGED_NAMESPACES;
      await expectGrid(sa, unwatched, [], nothing);
      await expectGrid(
        sa,
        operatorNs,
        [],
        nothing.filter(([, r]) => r !== 'leases.coordination.k8s.io'),
      );
      await expectGrid(
        sa,
        undefined,
        [],
        [
          ['list', 'replicasetdbs.db.servio.io'],
          ['watch', 'configmaps'],
          ['list', 'nodes'],
        ],
      );
    });
  });
});
