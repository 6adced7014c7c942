// Every setting the operator reads, with the flag and the environment variable that set it. One table, so the
// parser, the error messages, `--help` and the Helm chart's Deployment all name a setting the same way.

export interface Setting {
  /** Key in the raw input the schema validates. */
  key: SettingKey;
  flag: `--${string}`;
  env: string;
  /** A boolean flag may stand alone (`--leader-elect` means true). */
  boolean?: boolean;
  description: string;
}

export const SETTING_KEYS = [
  'watchNamespaces',
  'adoptNamespaces',
  'concurrency',
  'awsRegion',
  'awsEndpoint',
  'logLevel',
  'metricsBindAddress',
  'metricsPort',
  'leaderElect',
  'leaseName',
  'leaseNamespace',
  'leaseDuration',
  'renewDeadline',
  'retryPeriod',
  'identity',
  'resyncSteady',
  'resyncTransitioning',
  'awsActionRetry',
  'shutdownTimeout',
  'kubeconfig',
] as const;

export type SettingKey = (typeof SETTING_KEYS)[number];

export const SETTINGS: readonly Setting[] = [
  { key: 'watchNamespaces', flag: '--watch-namespaces', env: 'WATCH_NAMESPACES', description: 'comma-separated namespaces to watch; empty = all namespaces' },
  { key: 'adoptNamespaces', flag: '--adopt-namespaces', env: 'ADOPT_NAMESPACES', description: `comma-separated namespaces whose ReplicaSetDBs may adopt existing RDS instances (annotation db.servio.io/adopt); empty = none` },
  { key: 'concurrency', flag: '--concurrency', env: 'CONCURRENCY', description: 'ReplicaSetDBs reconciled at the same time (1-64); one object is never reconciled twice at once' },
  { key: 'awsRegion', flag: '--aws-region', env: 'AWS_REGION', description: 'AWS region of the RDS instances (required)' },
  { key: 'awsEndpoint', flag: '--aws-endpoint', env: 'AWS_ENDPOINT_URL', description: 'override of the RDS and CloudWatch endpoint (an emulator); empty = AWS' },
  { key: 'logLevel', flag: '--log-level', env: 'LOG_LEVEL', description: 'fatal, error, warn, info, debug, trace or silent' },
  { key: 'metricsBindAddress', flag: '--metrics-bind-address', env: 'METRICS_BIND_ADDRESS', description: 'address of the /metrics, /healthz and /readyz server' },
  { key: 'metricsPort', flag: '--metrics-port', env: 'METRICS_PORT', description: 'port of the /metrics, /healthz and /readyz server (0 = any free port)' },
  { key: 'leaderElect', flag: '--leader-elect', env: 'LEADER_ELECT', boolean: true, description: 'take a Lease before reconciling, so that only one replica acts' },
  { key: 'leaseName', flag: '--leader-election-lease-name', env: 'LEADER_ELECTION_LEASE_NAME', description: 'name of the coordination.k8s.io Lease' },
  { key: 'leaseNamespace', flag: '--leader-election-namespace', env: 'LEADER_ELECTION_NAMESPACE', description: 'namespace of the Lease (default: POD_NAMESPACE)' },
  { key: 'leaseDuration', flag: '--leader-election-lease-duration', env: 'LEADER_ELECTION_LEASE_DURATION', description: 'how long a standby waits after the last renewal before taking over' },
  { key: 'renewDeadline', flag: '--leader-election-renew-deadline', env: 'LEADER_ELECTION_RENEW_DEADLINE', description: 'how long the leader keeps trying to renew before it steps down' },
  { key: 'retryPeriod', flag: '--leader-election-retry-period', env: 'LEADER_ELECTION_RETRY_PERIOD', description: 'interval between acquire and renew attempts' },
  { key: 'identity', flag: '--leader-election-identity', env: 'POD_NAME', description: 'holder identity written into the Lease (default: the host name)' },
  { key: 'resyncSteady', flag: '--resync-steady', env: 'RESYNC_STEADY', description: 'requeue interval of a ReplicaSetDB whose instances are all steady' },
  { key: 'resyncTransitioning', flag: '--resync-transitioning', env: 'RESYNC_TRANSITIONING', description: 'requeue interval while an instance is creating, modifying, backing up, ...' },
  { key: 'awsActionRetry', flag: '--aws-action-retry', env: 'AWS_ACTION_RETRY', description: 'retry interval after an AWS error a person fixes outside the spec (a quota, capacity, KMS, a subnet group, IAM)' },
  { key: 'shutdownTimeout', flag: '--shutdown-timeout', env: 'SHUTDOWN_TIMEOUT', description: 'on SIGTERM, how long in-flight reconciles may finish before the process exits' },
  { key: 'kubeconfig', flag: '--kubeconfig', env: 'KUBECONFIG', description: 'kubeconfig file; empty = in-cluster ServiceAccount' },
];

export function settingByKey(key: string): Setting | undefined {
  return SETTINGS.find((s) => s.key === key);
}

export function settingByFlag(flag: string): Setting | undefined {
  return SETTINGS.find((s) => s.flag === flag);
}
