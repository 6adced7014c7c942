// The operator as its own process (node + tsx on the sources, the way `main.ts` starts in the image), pointed at
// the realistic RDS layer. Each process names itself in the AWS user agent (AWS_SDK_UA_APP_ID), so the layer's
// journal says which process made each call.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../ship/chart.js';
import { testEnv } from '../env/helpers.js';
import { operatorProcessEnv } from '../env/operator-process-env.js';

export interface OperatorProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** SIGKILL: no shutdown, no Lease release, in-flight calls abandoned. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

export interface OperatorProcessOptions {
  name: string;
  kubeconfigPath: string;
  awsEndpoint: string;
  namespace: string;
  /** Extra environment, e.g. resync intervals. */
  env?: Record<string, string>;
}

export async function startOperatorProcess(options: OperatorProcessOptions): Promise<OperatorProcess> {
  const { logDir } = testEnv();
  const logFile = join(logDir, `faults-${options.name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'operator', 'src', 'main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: operatorProcessEnv({
      kubeconfigPath: options.kubeconfigPath,
      awsEndpoint: options.awsEndpoint,
      namespace: options.namespace,
      env: { AWS_SDK_UA_APP_ID: options.name, ...options.env },
    }),
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr!.pipe(log, { end: false });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} did not start within 60 s; log: ${logFile}`)), 60_000);
    void exited.then((code) => reject(new Error(`${options.name} exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.write(`${line}\n`);
      if (line.includes('serving /metrics')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name: options.name,
    child,
    exited,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}
