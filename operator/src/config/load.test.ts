import { describe, expect, it } from 'vitest';
import { ConfigError, defaultText, HelpRequested, helpText, loadConfig, parseArgs } from './load.js';
import { SETTINGS } from './settings.js';

const BASE_ENV = { AWS_REGION: 'eu-west-1' };

function load(argv: string[] = [], env: Record<string, string> = {}) {
  return loadConfig({ argv, env: { ...BASE_ENV, ...env } });
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has defaults for everything but the region', () => {
    const config = load();
    expect(config).toMatchObject({
      watchNamespaces: [],
      adoptNamespaces: [],
      concurrency: 4,
      awsRegion: 'eu-west-1',
      logLevel: 'info',
      metricsBindAddress: '0.0.0.0',
      metricsPort: 8080,
      leaderElect: false,
      leaseName: 'replicasetdb-operator',
      leaseDuration: 15_000,
      renewDeadline: 10_000,
      retryPeriod: 2_000,
      resyncSteady: 600_000,
      resyncTransitioning: 15_000,
      awsActionRetry: 300_000,
      shutdownTimeout: 25_000,
    });
    expect(config.awsEndpoint).toBeUndefined();
    expect(config.leaseNamespace).toBeUndefined();
    expect(config.kubeconfig).toBeUndefined();
    expect(config.identity).not.toBe('');
  });

  it('reads every setting from its environment variable', () => {
    const config = load([], {
      WATCH_NAMESPACES: 'prod, staging,prod,',
      ADOPT_NAMESPACES: 'migration,staging',
      CONCURRENCY: '8',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      LOG_LEVEL: 'debug',
      METRICS_BIND_ADDRESS: '127.0.0.1',
      METRICS_PORT: '0',
      LEADER_ELECT: 'true',
      LEADER_ELECTION_LEASE_NAME: 'rsdb.servio.io',
      LEADER_ELECTION_NAMESPACE: 'ops',
      LEADER_ELECTION_LEASE_DURATION: '30s',
      LEADER_ELECTION_RENEW_DEADLINE: '20s',
      LEADER_ELECTION_RETRY_PERIOD: '500ms',
      POD_NAME: 'operator-abc',
      RESYNC_STEADY: '1h',
      RESYNC_TRANSITIONING: '5s',
      AWS_ACTION_RETRY: '2m',
      SHUTDOWN_TIMEOUT: '0s',
      KUBECONFIG: '/tmp/kc',
    });
    expect(config).toEqual({
      watchNamespaces: ['prod', 'staging'],
      adoptNamespaces: ['migration', 'staging'],
      concurrency: 8,
      awsRegion: 'eu-west-1',
      awsEndpoint: 'http://127.0.0.1:5000',
      logLevel: 'debug',
      metricsBindAddress: '127.0.0.1',
      metricsPort: 0,
      leaderElect: true,
      leaseName: 'rsdb.servio.io',
      leaseNamespace: 'ops',
      leaseDuration: 30_000,
      renewDeadline: 20_000,
      retryPeriod: 500,
      identity: 'operator-abc',
      resyncSteady: 3_600_000,
      resyncTransitioning: 5_000,
      awsActionRetry: 120_000,
      shutdownTimeout: 0,
      kubeconfig: '/tmp/kc',
    });
  });

  it('lets a flag win over its environment variable, in both flag spellings', () => {
    const config = load(['--concurrency=2', '--log-level', 'warn', '--leader-elect', '--leader-election-namespace=ops'], {
      CONCURRENCY: '9',
      LOG_LEVEL: 'trace',
    });
    expect(config.concurrency).toBe(2);
    expect(config.logLevel).toBe('warn');
    expect(config.leaderElect).toBe(true);
  });

  it('allows adoption in no namespace unless told, and in exactly the namespaces named by --adopt-namespaces', () => {
    expect(load().adoptNamespaces).toEqual([]);
    expect(load(['--adopt-namespaces=legacy, migration'], { ADOPT_NAMESPACES: 'other' }).adoptNamespaces).toEqual(['legacy', 'migration']);
    expect(load(['--adopt-namespaces='], { ADOPT_NAMESPACES: 'other' }).adoptNamespaces).toEqual([]);
  });

  it('turns leader election off with --leader-elect=false even when the environment turns it on', () => {
    expect(load(['--leader-elect=false'], { LEADER_ELECT: 'true' }).leaderElect).toBe(false);
  });

  it('takes the lease namespace from POD_NAMESPACE, and an explicit setting over it', () => {
    expect(load([], { LEADER_ELECT: 'true', POD_NAMESPACE: 'rsdb-system' }).leaseNamespace).toBe('rsdb-system');
    expect(load(['--leader-election-namespace=ops'], { POD_NAMESPACE: 'rsdb-system' }).leaseNamespace).toBe('ops');
  });

  it.each([
    [{ CONCURRENCY: 'abc' }, '--concurrency (env CONCURRENCY) = "abc": expected an integer between 1 and 64'],
    [{ CONCURRENCY: '0' }, '--concurrency (env CONCURRENCY) = "0": expected an integer between 1 and 64'],
    [{ CONCURRENCY: '65' }, '--concurrency (env CONCURRENCY) = "65": expected an integer between 1 and 64'],
    [{ WATCH_NAMESPACES: 'prod,Staging' }, '--watch-namespaces (env WATCH_NAMESPACES) = "prod,Staging": expected namespace names'],
    [{ ADOPT_NAMESPACES: 'prod,*' }, '--adopt-namespaces (env ADOPT_NAMESPACES) = "prod,*": expected namespace names'],
    [{ AWS_REGION: 'Ireland' }, '--aws-region (env AWS_REGION) = "Ireland": expected an AWS region such as us-east-1'],
    [{ AWS_ENDPOINT_URL: 'localhost:5000' }, '--aws-endpoint (env AWS_ENDPOINT_URL) = "localhost:5000": expected an http(s) URL'],
    [{ AWS_ENDPOINT_URL: 'ftp://moto' }, '--aws-endpoint (env AWS_ENDPOINT_URL) = "ftp://moto": expected an http(s) URL'],
    [{ LOG_LEVEL: 'verbose' }, '--log-level (env LOG_LEVEL) = "verbose": expected one of fatal, error, warn, info, debug, trace, silent'],
    [{ METRICS_PORT: '70000' }, '--metrics-port (env METRICS_PORT) = "70000": expected an integer between 0 and 65535'],
    [{ LEADER_ELECT: 'maybe' }, '--leader-elect (env LEADER_ELECT) = "maybe": expected true or false'],
    [{ LEADER_ELECT: 'true' }, '--leader-election-namespace (env LEADER_ELECTION_NAMESPACE): is required when leader election is on'],
    [{ LEADER_ELECTION_LEASE_NAME: 'My_Lease' }, '--leader-election-lease-name (env LEADER_ELECTION_LEASE_NAME) = "My_Lease": expected a DNS subdomain name'],
    [
      { LEADER_ELECTION_LEASE_DURATION: '15' },
      '--leader-election-lease-duration (env LEADER_ELECTION_LEASE_DURATION) = "15": expected a duration such as 500ms, 15s, 2m or 1h',
    ],
    [
      { LEADER_ELECTION_RENEW_DEADLINE: '15s' },
      '--leader-election-renew-deadline (env LEADER_ELECTION_RENEW_DEADLINE) = "15s": must be shorter than the lease duration',
    ],
    [
      { LEADER_ELECTION_RETRY_PERIOD: '10s' },
      '--leader-election-retry-period (env LEADER_ELECTION_RETRY_PERIOD) = "10s": must be less than the renew deadline divided by 1.2',
    ],
    [
      { LEADER_ELECTION_RETRY_PERIOD: '9s' },
      '--leader-election-retry-period (env LEADER_ELECTION_RETRY_PERIOD) = "9s": must be less than the renew deadline divided by 1.2',
    ],
    [
      { LEADER_ELECTION_LEASE_DURATION: '15500ms' },
      '--leader-election-lease-duration (env LEADER_ELECTION_LEASE_DURATION) = "15500ms": must be a whole number of seconds',
    ],
    [{ RESYNC_TRANSITIONING: '20m' }, '--resync-transitioning (env RESYNC_TRANSITIONING) = "20m": must not be longer than the steady resync interval'],
    [{ SHUTDOWN_TIMEOUT: '1h' }, '--shutdown-timeout (env SHUTDOWN_TIMEOUT) = "1h": expected a duration between 0s and 10m'],
  ])('names the bad setting for %j', (env, expected) => {
    const problems = problemsOf(() => load([], env));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('requires the AWS region, also when it is set but empty', () => {
    for (const env of [{}, { AWS_REGION: '' }]) {
      const problems = problemsOf(() => loadConfig({ argv: [], env }));
      expect(problems).toEqual(['--aws-region (env AWS_REGION): is required (the AWS region of the RDS instances, e.g. us-east-1)']);
    }
  });

  it('reports every bad setting at once, in the error message too', () => {
    let error: unknown;
    try {
      load([], { CONCURRENCY: 'x', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(2);
    expect((error as Error).message).toMatch(/^invalid configuration:\n {2}--concurrency .*\n {2}--log-level /);
  });
});

describe('parseArgs', () => {
  it('rejects unknown flags, stray arguments and missing values', () => {
    expect(problemsOf(() => parseArgs(['--concurency=2']))).toEqual(['unknown flag --concurency (see --help)']);
    expect(problemsOf(() => parseArgs(['serve']))).toEqual(['unexpected argument "serve" (settings are given as --name=value)']);
    expect(problemsOf(() => parseArgs(['--log-level']))).toEqual(['--log-level needs a value']);
    expect(problemsOf(() => parseArgs(['--log-level', '--concurrency=1']))).toEqual(['--log-level needs a value']);
  });

  it('recognises --help, and loadConfig signals it', () => {
    expect(parseArgs(['--concurrency=2', '--help'])).toEqual({ help: true });
    expect(() => load(['-h'])).toThrow(HelpRequested);
  });

  it('keeps an empty value given with =', () => {
    expect(parseArgs(['--watch-namespaces='])).toEqual({ help: false, values: { watchNamespaces: '' } });
  });
});

describe('helpText', () => {
  it('lists every flag with its environment variable', () => {
    const text = helpText();
    for (const s of SETTINGS) expect(text).toMatch(new RegExp(`${s.flag}\\s+${s.env}\\s`));
  });

  it('shows each default as the schema applies it', () => {
    const line = (flag: string) =>
      helpText()
        .split('\n')
        .find((l) => l.trimStart().startsWith(`${flag} `)) ?? '';
    expect(line('--concurrency')).toMatch(/\(default: 4\)$/);
    expect(line('--resync-steady')).toMatch(/\(default: 10m\)$/);
    expect(line('--leader-election-lease-duration')).toMatch(/\(default: 15s\)$/);
    expect(line('--leader-elect')).toMatch(/\(default: false\)$/);
    expect(line('--aws-region')).toMatch(/\(default: required\)$/);
    expect(line('--watch-namespaces')).toMatch(/\(default: all namespaces\)$/);
    for (const s of SETTINGS) expect(defaultText(s)).not.toBe('');
  });
});
