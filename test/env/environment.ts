// Starts the whole environment (or the parts asked for) and stops it again. Used by the integration tests'
// global setup, by `npm run demo` and by `npm run bench`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsEndpoint, KubeEndpoint, PostgresCluster, Tools } from './contract.js';
import { cacheDir } from './cache.js';
import { startControlPlane, ensureControlPlaneBinaries, type ApiserverRestart, type StartedControlPlane } from './control-plane.js';
import { startMoto, ensureMoto } from './moto.js';
import { startPostgresCluster } from './postgres.js';
import { ensureTools } from './tools.js';
import { killAllDaemonsSync, type Daemon } from './process.js';

export interface EnvironmentParts {
  kube?: boolean;
  aws?: boolean;
  postgres?: boolean;
  tools?: boolean;
}

export interface RunningEnvironment {
  kube?: KubeEndpoint;
  aws?: AwsEndpoint;
  postgres?: PostgresCluster;
  tools?: Tools;
  runDir: string;
  logDir: string;
  /** Present when the kube part was started: see StartedControlPlane.restartApiserver. */
  restartKubeApiserver?: (downMs: number) => Promise<ApiserverRestart>;
  stop(): Promise<void>;
}

let exitHookInstalled = false;

export async function startEnvironment(parts: EnvironmentParts): Promise<RunningEnvironment> {
  if (!exitHookInstalled) {
    process.on('exit', killAllDaemonsSync);
    exitHookInstalled = true;
  }
  const runDir = await mkdtemp(join(tmpdir(), 'rsdb-env-'));
  const logDir = join(cacheDir(), 'logs', new Date().toISOString().replace(/[:.]/g, '-'));
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(err));
    await rm(runDir, { recursive: true, force: true });
  };
  const daemonsStop = (daemons: Daemon[]) => async () => {
    for (const d of [...daemons].reverse()) await d.stop();
  };
  try {
    // Installs come first, one after another, because each build or pip install saturates this machine's
    // cores; starting the servers afterwards in parallel is cheap.
    if (parts.kube) await ensureControlPlaneBinaries(logDir);
    if (parts.aws) await ensureMoto(logDir);
    let controlPlane: StartedControlPlane | undefined;
    const [kube, aws, postgres, tools] = await Promise.all([
      parts.kube ? startControlPlane(runDir, logDir).then((s) => (stops.push(daemonsStop(s.daemons)), (controlPlane = s), s.kube)) : undefined,
      parts.aws ? startMoto(logDir).then((s) => (stops.push(daemonsStop([s.daemon])), s.aws)) : undefined,
      parts.postgres ? startPostgresCluster({ logDir }).then((s) => (stops.push(s.stop), s.cluster)) : undefined,
      parts.tools ? ensureTools(logDir) : undefined,
    ]);
    const restart = controlPlane?.restartApiserver;
    return { kube, aws, postgres, tools, runDir, logDir, stop: stopAll, ...(restart ? { restartKubeApiserver: restart } : {}) };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
