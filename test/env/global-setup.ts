// vitest global setup for the integration project: one real environment per run, shared by all test files.
import type { TestProject } from 'vitest/node';
import { cacheDir } from './cache.js';
import { startEnvironment } from './environment.js';
import { startRestartEndpoint } from './restart-endpoint.js';
import type { TestEnv } from './contract.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const env = await startEnvironment({ kube: true, aws: true, postgres: true, tools: true });
  const restartEndpoint = await startRestartEndpoint(env.restartKubeApiserver!);
  const testEnv: TestEnv = {
    kube: { ...env.kube!, restartUrl: restartEndpoint.url },
    aws: env.aws!,
    postgres: env.postgres!,
    tools: env.tools!,
    cacheDir: cacheDir(),
    logDir: env.logDir,
  };
  project.provide('testEnv', testEnv);
  console.log(
    `[test env] ready in ${((Date.now() - started) / 1000).toFixed(1)} s: kube-apiserver ${testEnv.kube.version} at ${testEnv.kube.server}, moto at ${testEnv.aws.endpoint}, PostgreSQL primary :${testEnv.postgres.primary.port} + replicas ${testEnv.postgres.replicas.map((r) => `:${r.port}`).join(' ')}; logs in ${env.logDir}`,
  );
  return async () => {
    await restartEndpoint.close();
    await env.stop();
  };
}
