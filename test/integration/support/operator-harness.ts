// The operator as the integration tests run it: production wiring (startOperator) against the real API server and
// the emulator, with intervals short enough for a test.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { startOperator, type OperatorOptions, type OperatorSettings, type RunningOperator } from '../../../operator/src/operator.js';
import { testEnv } from '../../env/helpers.js';

export type TestOperatorOptions = { namespace: string; identity: string; settings?: Partial<OperatorSettings> } & Partial<
  Omit<OperatorOptions, 'config' | 'kubeConfig' | 'log'>
>;

export function startTestOperator(kubeConfig: KubeConfig, log: Logger, options: TestOperatorOptions): RunningOperator {
  const { namespace, identity, settings, ...rest } = options;
  return startOperator({
    config: {
      watchNamespaces: [namespace],
      concurrency: 4,
      awsRegion: testEnv().aws.region,
      awsEndpoint: testEnv().aws.endpoint,
      // The emulator makes every instance available at once; the transitioning resync is what moves a create on to
      // the replicas, the steady one gives the steady-state tests their reconciles.
      resyncSteady: 1_500,
      resyncTransitioning: 300,
      shutdownTimeout: 500,
      identity,
      // A test of behaviour at the production defaults puts them back here.
      ...settings,
    },
    kubeConfig,
    log,
    watcher: { backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 } },
    backoff: { initialMs: 200, maxMs: 2_000, factor: 2, jitter: 0.2 },
    coalescing: { windowMs: 5, maxIds: 100 },
    ...rest,
  });
}
