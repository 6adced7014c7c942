// Every setting the operator reads, with the flag and the environment variable that set it. One table, so the
// parser, the error messages, `--help` and the Helm chart's Deployment all name a setting the same way.

export interface Setting {
  /** Key in the raw input the schema validates. */
  key: SettingKey;
  flag: `--${string}`;
  env: string;
  /** A boolean flag may stand alone (`--leader-elect` means true). */
  boolean?: boolean;
  /** The value is a duration: its default is shown as one ("15s"). */
  duration?: boolean;
  /** What leaving the setting unset means, for a setting whose default is not a value of its own ("all
   * namespaces", "the host name"). */
  unset?: string;
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

/** A setting whose flag and variable follow its key (`--watch-namespaces`, WATCH_NAMESPACES) unless `names` says
 * otherwise. */
function setting(key: SettingKey, description: string, names: Partial<Pick<Setting, 'flag' | 'env' | 'boolean' | 'duration' | 'unset'>> = {}): Setting {
  const words = key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  return { key, flag: `--${words}`, env: words.replace(/-/g, '_').toUpperCase(), description, ...names };
}

/** Leader election settings are named after the Kubernetes flags of the same meaning. */
function leaderElection(key: SettingKey, name: string, description: string, names: Partial<Pick<Setting, 'duration' | 'unset'>> = {}): Setting {
  return setting(key, description, { flag: `--leader-election-${name}`, env: `LEADER_ELECTION_${name.replace(/-/g, '_').toUpperCase()}`, ...names });
}

export const SETTINGS: readonly Setting[] = [
  // What the operator watches and adopts, and how much at once.
  setting('watchNamespaces', 'comma-separated namespaces to watch', { unset: 'all namespaces' }),
  setting('adoptNamespaces', `comma-separated namespaces whose ReplicaSetDBs may adopt existing RDS instances (annotation db.servio.io/adopt)`, {
    unset: 'none: adoption is refused in every namespace',
  }),
  setting('concurrency', 'ReplicaSetDBs reconciled at the same time (1-64); one object is never reconciled twice at once'),
  // AWS.
  setting('awsRegion', 'AWS region of the RDS instances', { unset: 'required' }),
  setting('awsEndpoint', 'override of the RDS and CloudWatch endpoint (an emulator)', { env: 'AWS_ENDPOINT_URL', unset: 'AWS' }),
  // Logs, metrics and probes.
  setting('logLevel', 'fatal, error, warn, info, debug, trace or silent'),
  setting('metricsBindAddress', 'address of the /metrics, /healthz and /readyz server'),
  setting('metricsPort', 'port of the /metrics, /healthz and /readyz server (0 = any free port)'),
  // Leader election.
  setting('leaderElect', 'take a Lease before reconciling, so that only one replica acts', { boolean: true }),
  leaderElection('leaseName', 'lease-name', 'name of the coordination.k8s.io Lease'),
  leaderElection('leaseNamespace', 'namespace', 'namespace of the Lease', { unset: 'POD_NAMESPACE' }),
  leaderElection('leaseDuration', 'lease-duration', 'how long a standby waits after the last renewal before taking over', { duration: true }),
  leaderElection('renewDeadline', 'renew-deadline', 'how long the leader keeps trying to renew before it steps down', { duration: true }),
  leaderElection('retryPeriod', 'retry-period', 'interval between acquire and renew attempts', { duration: true }),
  setting('identity', 'holder identity written into the Lease', { flag: '--leader-election-identity', env: 'POD_NAME', unset: 'host name' }),
  // Intervals.
  setting('resyncSteady', 'requeue interval of a ReplicaSetDB whose instances are all steady', { duration: true }),
  setting('resyncTransitioning', 'requeue interval while an instance is creating, modifying, backing up, ...', { duration: true }),
  setting(
    'awsActionRetry',
    'retry interval after an AWS error a person fixes outside the spec (a quota, capacity, KMS, a subnet group, IAM); the least wait before a change RDS takes only later (the storage cooldown) is sent again',
    {
      duration: true,
    },
  ),
  setting('shutdownTimeout', 'on SIGTERM, how long in-flight reconciles may finish before the process exits', { duration: true }),
  // The cluster.
  setting('kubeconfig', 'kubeconfig file', { unset: 'in-cluster ServiceAccount' }),
];

export function settingByKey(key: string): Setting | undefined {
  return SETTINGS.find((s) => s.key === key);
}

export function settingByFlag(flag: string): Setting | undefined {
  return SETTINGS.find((s) => s.flag === flag);
}
