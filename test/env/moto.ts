// The RDS (and CloudWatch) API emulator: moto in server mode, installed into a virtualenv inside the cache.
// Limits worth knowing: instances are `available` at once and deletes are immediate.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwsEndpoint } from './contract.js';
import { aptInstall } from './apt.js';
import { cachePath } from './cache.js';
import { freePort, run, startDaemon, waitUntil, type Daemon } from './process.js';
import { MOTO_VERSION } from './versions.js';

const PART = 'moto (RDS emulator)';

export function motoVenvDir(): string {
  return cachePath(`moto-${MOTO_VERSION}`);
}

async function hasVenvModule(logFile: string): Promise<boolean> {
  try {
    await run('python3', ['-c', 'import venv, ensurepip'], { part: PART, step: 'check python3 venv', logFile });
    return true;
  } catch {
    return false;
  }
}

/** Installs moto[server] once; the marker file is written last so an interrupted install is redone. */
export async function ensureMoto(logDir: string): Promise<string> {
  const venv = motoVenvDir();
  const marker = join(venv, '.installed');
  const server = join(venv, 'bin', 'moto_server');
  if (existsSync(marker) && existsSync(server)) return server;
  const logFile = join(logDir, 'install-moto.log');
  if (!(await hasVenvModule(logFile))) await aptInstall(PART, ['python3', 'python3-venv'], logFile);
  await rm(venv, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', venv], { part: PART, step: 'create virtualenv', logFile });
  await run(join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`], {
    part: PART,
    step: `pip install moto[server]==${MOTO_VERSION}`,
    logFile,
  });
  await writeFile(marker, new Date().toISOString());
  return server;
}

export interface StartedMoto {
  aws: AwsEndpoint;
  daemon: Daemon;
}

export async function startMoto(logDir: string): Promise<StartedMoto> {
  const server = await ensureMoto(logDir);
  const port = await freePort();
  const logFile = join(logDir, 'moto.log');
  const daemon = startDaemon(PART, server, ['-H', '127.0.0.1', '-p', String(port)], { logFile });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${endpoint}/moto-api/`)).ok, {
    part: PART,
    step: 'wait for server',
    logFile,
    timeoutMs: 60_000,
    daemon,
  });
  return {
    daemon,
    aws: { endpoint, region: 'us-east-1', accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}
