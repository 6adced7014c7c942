// A real Kubernetes control plane for tests: etcd + kube-apiserver, built from their Go modules (no release
// binary can be downloaded here), on loopback with random ports, static-token authentication and RBAC.
// There is no controller-manager: no garbage collection and no namespace finalisation.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { KubeEndpoint } from './contract.js';
import { cachePath, projectRoot } from './cache.js';
import { freePort, run, sleep, startDaemon, waitUntil, type Daemon } from './process.js';
import { ETCD_VERSION, KUBERNETES_VERSION } from './versions.js';

const BUILD_SCRIPTS = join(projectRoot, 'test', 'env', 'bin-build');

async function ensureGo(part: string, logFile: string): Promise<void> {
  try {
    await run('go', ['version'], { part, step: 'find go', logFile });
  } catch {
    throw new Error(`test environment: ${part}: needs the Go toolchain on PATH to build from Go modules; see ${logFile}`);
  }
}

async function ensureBuilt(part: string, script: string, version: string, binary: string, logDir: string): Promise<string> {
  const outDir = cachePath('bin', `${binary}-${version}`);
  const path = join(outDir, binary);
  if (existsSync(path)) return path;
  const logFile = join(logDir, `build-${binary}.log`);
  await ensureGo(part, logFile);
  console.log(`[test env] building ${binary} ${version} from its Go module (first run only, several minutes); log: ${logFile}`);
  await run('bash', [join(BUILD_SCRIPTS, script), version, outDir], { part, step: `build ${binary} ${version}`, logFile });
  return path;
}

export async function ensureControlPlaneBinaries(logDir: string): Promise<{ etcd: string; apiserver: string }> {
  // One at a time: each build already uses every core, and two at once only add memory pressure.
  const etcd = await ensureBuilt('etcd', 'build-etcd.sh', ETCD_VERSION, 'etcd', logDir);
  const apiserver = await ensureBuilt('kube-apiserver', 'build-kube.sh', KUBERNETES_VERSION, 'kube-apiserver', logDir);
  return { etcd, apiserver };
}

export interface StartedControlPlane {
  kube: KubeEndpoint;
  daemons: Daemon[];
  /** Stops the kube-apiserver (SIGTERM, as an upgrade does), leaves it down `downMs`, starts it again on the same
   * port with the same etcd, tokens and certificates, and resolves once it is ready again. */
  restartApiserver(downMs: number): Promise<ApiserverRestart>;
}

/** Epoch ms of each moment of a restart. */
export interface ApiserverRestart {
  stoppedAt: number;
  startedAt: number;
  readyAt: number;
}

async function startEtcd(binary: string, runDir: string, logDir: string): Promise<{ url: string; daemon: Daemon }> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const logFile = join(logDir, 'etcd.log');
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const daemon = startDaemon(
    'etcd',
    binary,
    [
      '--name=test',
      `--data-dir=${join(runDir, 'etcd')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=test=${peer}`,
      // Test data is thrown away; skipping fsync keeps etcd fast on a shared disk.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    { logFile },
  );
  await waitUntil(async () => (await fetch(`${url}/health`)).ok, { part: 'etcd', step: 'wait for /health', logFile, timeoutMs: 60_000, daemon });
  return { url, daemon };
}

export async function startControlPlane(runDir: string, logDir: string): Promise<StartedControlPlane> {
  const binaries = await ensureControlPlaneBinaries(logDir);
  const daemons: Daemon[] = [];
  try {
    const etcd = await startEtcd(binaries.etcd, runDir, logDir);
    daemons.push(etcd.daemon);

    const pki = join(runDir, 'pki');
    await mkdir(pki, { recursive: true });
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(pki, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    await writeFile(join(pki, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

    // Static tokens: `admin` is cluster-admin through system:masters; the others have no rights until a test
    // binds them, which is how RBAC tests prove that a grant is really needed.
    const tokens: Record<string, string> = {};
    const lines: string[] = [];
    const users: Array<[string, string[]]> = [
      ['admin', ['system:masters']],
      ['operator', []],
      ['alice', []],
      ['bob', []],
    ];
    for (const [user, groups] of users) {
      tokens[user] = randomBytes(16).toString('hex');
      lines.push(`${tokens[user]},${user},${user},"${['system:authenticated', ...groups].join(',')}"`);
    }
    const tokenFile = join(pki, 'tokens.csv');
    await writeFile(tokenFile, `${lines.join('\n')}\n`, { mode: 0o600 });

    // Every write, who made it and when (metadata only, never a body): how a test proves that a process made no
    // Kubernetes write after some moment, e.g. an operator after it lost its Lease.
    const auditPolicy = join(pki, 'audit-policy.yaml');
    await writeFile(auditPolicy, AUDIT_WRITES_POLICY);
    const auditLogPath = join(logDir, 'kube-apiserver-audit.log');

    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const logFile = join(logDir, 'kube-apiserver.log');
    const apiserverArgs = [
      `--etcd-servers=${etcd.url}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      // No --tls-cert-file: the server writes a self-signed serving certificate (with its CA) into cert-dir.
      `--cert-dir=${pki}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=RBAC',
      '--anonymous-auth=false',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/24',
      '--allow-privileged=true',
      '--profiling=false',
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${auditLogPath}`,
      '--audit-log-format=json',
      '--v=1',
    ];
    const startApiserver = () => startDaemon('kube-apiserver', binaries.apiserver, apiserverArgs, { logFile });
    let daemon = startApiserver();
    daemons.push(daemon);

    const caFile = join(pki, 'apiserver.crt');
    const kubeconfigPath = join(runDir, 'kubeconfig');
    await writeFile(
      kubeconfigPath,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: test',
        '  cluster:',
        `    server: ${server}`,
        `    certificate-authority: ${caFile}`,
        'users:',
        '- name: admin',
        '  user:',
        `    token: ${tokens.admin}`,
        'contexts:',
        '- name: test',
        '  context: {cluster: test, user: admin, namespace: default}',
        'current-context: test',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );

    // /readyz includes the RBAC bootstrap post-start hook, so roles exist once it answers ok.
    const insecure = { rejectUnauthorized: false } as const;
    let version = '';
    const ready = (d: Daemon) =>
      waitUntil(
        async () => {
          const res = await httpsGet(`${server}/readyz`, tokens.admin!, insecure);
          if (res.status !== 200) return false;
          const v = await httpsGet(`${server}/version`, tokens.admin!, insecure);
          version = (JSON.parse(v.body) as { gitVersion: string }).gitVersion;
          return existsSync(caFile);
        },
        { part: 'kube-apiserver', step: 'wait for /readyz', logFile, timeoutMs: 180_000, daemon: d },
      );
    await ready(daemon);
    // The serving certificate stays in cert-dir, so a restarted server presents the same one.
    const restartApiserver = async (downMs: number): Promise<ApiserverRestart> => {
      const index = daemons.indexOf(daemon);
      await daemon.stop();
      const stoppedAt = Date.now();
      await sleep(downMs);
      daemon = startApiserver();
      daemons[index] = daemon;
      const startedAt = Date.now();
      await ready(daemon);
      return { stoppedAt, startedAt, readyAt: Date.now() };
    };
    return { kube: { kubeconfigPath, server, version, tokens, auditLogPath }, daemons, restartApiserver };
  } catch (err) {
    for (const d of daemons.reverse()) await d.stop();
    throw err;
  }
}

/** Writes only, at the Metadata level (no request or response body, so no Secret data), once the answer is sent. */
const AUDIT_WRITES_POLICY = [
  'apiVersion: audit.k8s.io/v1',
  'kind: Policy',
  'omitStages: [RequestReceived, ResponseStarted]',
  'rules:',
  '- level: Metadata',
  '  verbs: [create, update, patch, delete, deletecollection]',
  '- level: None',
  '',
].join('\n');

async function httpsGet(url: string, token: string, tls: { rejectUnauthorized: boolean }): Promise<{ status: number; body: string }> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers: { Authorization: `Bearer ${token}` }, ...tls }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}
