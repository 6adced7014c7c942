// `npm run demo`: the main job on the embedded default. Starts the local control plane and the RDS emulator (the
// test environment's code), installs the CRD, runs the operator as its own process (operator/src/main.ts, as the
// container does), applies examples/servio.yaml with kubectl, waits for Ready and prints what a platform engineer
// would look at. In a terminal it keeps reconciling until Ctrl-C; without one it stops after printing.
import { spawn, execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { parseDocument } from 'yaml';
import { projectRoot } from '../test/env/cache.js';
import { startEnvironment } from '../test/env/environment.js';
import { createSubnetGroup } from '../operator/src/rds/testing/emulator.js';

const NAMESPACE = 'servio-demo';
const execFileAsync = promisify(execFile);

const env = await startEnvironment({ kube: true, aws: true, tools: true });
const kube = env.kube!;
const aws = env.aws!;
const tools = env.tools!;
const operatorLog = join(env.logDir, 'operator.log');

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(tools.kubectl, ['--kubeconfig', kube.kubeconfigPath, ...args]);
  return stdout;
}

const operator = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    join(projectRoot, 'operator/src/main.ts'),
    '--kubeconfig',
    kube.kubeconfigPath,
    '--aws-region',
    aws.region,
    '--aws-endpoint',
    aws.endpoint,
    '--metrics-port',
    '0',
    '--resync-transitioning',
    '5s',
    '--log-level',
    'info',
  ],
  {
    cwd: projectRoot,
    env: { ...process.env, AWS_ACCESS_KEY_ID: aws.accessKeyId, AWS_SECRET_ACCESS_KEY: aws.secretAccessKey, POD_NAME: 'demo-operator' },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
const logStream = createWriteStream(operatorLog);
operator.stdout.pipe(logStream);
operator.stderr.pipe(logStream);

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping the operator, the control plane and the emulator ...');
    if (operator.exitCode === null) {
      operator.kill('SIGTERM');
      await new Promise((resolve) => operator.once('exit', resolve));
    }
    await env.stop();
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
operator.once('exit', (code) => {
  if (!stopping) {
    console.error(`the operator exited with code ${code}; see ${operatorLog}`);
    void stop(1);
  }
});

try {
  console.log(`control plane: kube-apiserver ${kube.version} at ${kube.server}`);
  console.log(`RDS emulator:  moto at ${aws.endpoint}`);
  console.log(`operator log:  ${operatorLog}`);
  console.log(`kubectl:       export KUBECONFIG=${kube.kubeconfigPath}\n`);

  await kubectl('apply', '--server-side', '-f', join(projectRoot, 'crds/replicasetdbs.db.servio.io.yaml'));
  await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/replicasetdbs.db.servio.io');
  await kubectl('create', 'namespace', NAMESPACE);

  // What the platform team has in the AWS account before applying servio.yaml: its DB subnet group.
  const rds = new RDSClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  });
  await createSubnetGroup(rds, aws, 'servio-subnet-group');

  // moto counts a maintenance window that merely touches the backup window (Mon 03:00 after 02:00-03:00) as an
  // overlap, which AWS does not; the demo moves it by one hour so that the emulator accepts the Servio settings.
  const manifest = parseDocument(await readFile(join(projectRoot, 'examples/servio.yaml'), 'utf8'));
  manifest.setIn(['spec', 'maintenanceWindow'], 'Mon:04:00-Mon:05:00');
  const manifestPath = join(env.runDir, 'servio.yaml');
  await writeFile(manifestPath, manifest.toString());
  console.log('applying examples/servio.yaml (maintenance window moved to Mon:04:00-Mon:05:00 for the emulator) ...');
  console.log((await kubectl('apply', '-n', NAMESPACE, '-f', manifestPath)).trim());

  const started = Date.now();
  await kubectl('wait', '-n', NAMESPACE, '--for=condition=Ready', '--timeout=300s', 'rsdb/servio');
  console.log(`Ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  console.log('$ kubectl get rsdb -o wide');
  console.log(await kubectl('get', 'rsdb', '-n', NAMESPACE, '-o', 'wide'));

  console.log('RDS instances as the emulator reports them:');
  const instances = (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
  console.table(
    instances.map((i) => ({
      identifier: i.DBInstanceIdentifier,
      role: i.ReadReplicaSourceDBInstanceIdentifier ? `replica of ${i.ReadReplicaSourceDBInstanceIdentifier}` : 'primary',
      status: i.DBInstanceStatus,
      class: i.DBInstanceClass,
      storageGiB: i.AllocatedStorage,
      multiAZ: i.MultiAZ,
      endpoint: i.Endpoint ? `${i.Endpoint.Address}:${i.Endpoint.Port}` : '',
    })),
  );

  const configMaps = await kubectl('get', 'configmap', '-n', NAMESPACE, '-l', 'app.kubernetes.io/managed-by=replicasetdb-operator', '-o', 'name');
  for (const name of configMaps.split('\n').filter(Boolean)) {
    console.log(`\n$ kubectl get ${name} -o yaml`);
    console.log(await kubectl('get', name, '-n', NAMESPACE, '-o', 'yaml'));
  }

  if (process.stdin.isTTY) {
    console.log('The operator keeps reconciling. Try: kubectl -n servio-demo patch rsdb servio --type merge -p \'{"spec":{"replicas":{"count":3}}}\'');
    console.log('Press Ctrl-C to stop everything.');
  } else {
    await stop(0);
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  console.error(`operator log: ${operatorLog}`);
  await stop(1);
}
