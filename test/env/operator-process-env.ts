// The environment an operator process started by a test runs with (main.ts, or the installed image's entrypoint):
// the test cluster, the emulator or a layer in front of it with the environment's credentials, /metrics on any free
// loopback port, one watched namespace, info logs; with `leader`, leader election with a Lease in that namespace.
import { testEnv } from './helpers.js';

export interface OperatorProcessEnvOptions {
  kubeconfigPath: string;
  awsEndpoint: string;
  namespace: string;
  leader?: { leaseName: string; podName: string };
  /** Added last: further settings, or a different value for one of the above. */
  env?: Record<string, string>;
}

export function operatorProcessEnv(options: OperatorProcessEnvOptions): NodeJS.ProcessEnv {
  const { aws } = testEnv();
  return {
    PATH: process.env.PATH,
    KUBECONFIG: options.kubeconfigPath,
    AWS_REGION: aws.region,
    AWS_ENDPOINT_URL: options.awsEndpoint,
    AWS_ACCESS_KEY_ID: aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
    METRICS_BIND_ADDRESS: '127.0.0.1',
    METRICS_PORT: '0',
    ...(options.leader !== undefined
      ? { LEADER_ELECT: 'true', LEADER_ELECTION_LEASE_NAME: options.leader.leaseName, POD_NAMESPACE: options.namespace, POD_NAME: options.leader.podName }
      : {}),
    WATCH_NAMESPACES: options.namespace,
    LOG_LEVEL: 'info',
    ...options.env,
  };
}
