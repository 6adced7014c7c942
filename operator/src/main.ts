// The process: configuration -> logger -> metrics and probes -> leader election -> the operator. SIGTERM and SIGINT
// undo it in reverse: the operator stops (in-flight reconciles finish within the shutdown timeout or are
// abandoned, which is safe because every step is idempotent), then the Lease is released so a standby takes over
// at once instead of after the lease duration, then the probe server closes.
// Losing the Lease is different: another process may already be reconciling, so every in-flight reconcile is
// aborted at once, and the process exits (1) once they have stopped, or (3) if they have not within the renew
// deadline, like client-go's leader election (OnStoppedLeading -> exit); the kubelet restarts it as a candidate.
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, HelpRequested, helpText, loadConfig, type Config } from './config/index.js';
import { makeKubeConfig } from './kube/index.js';
import { Health, createLogger, createMetrics, startHttpServer, type Logger, type OperatorMetrics, type RunningHttpServer } from './observability/index.js';
import { startOperator, type RunningOperator } from './operator.js';
import { EXIT_LOST_LEADERSHIP, EXIT_LOST_LEADERSHIP_WORK_STUCK, fenceIfLostWhileStopping, fenceWindowMs, stopWorkOrExit } from './lost-leadership.js';
import { LeaderElector, kubeLeaseStore, uniqueIdentity } from '@servio/controller-runtime';

/** Configuration errors exit with 2 (like a bad command line), so they stand out from crashes in pod status. */
const EXIT_CONFIG = 2;

interface Services {
  config: Config;
  log: Logger;
  metrics: OperatorMetrics;
  health: Health;
  kubeConfig: KubeConfig;
}

/** Runs the operator while this process leads; stopping it is awaited before the Lease is released. */
class Leadership {
  private running: RunningOperator | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly services: Services) {}

  /** `leadership` aborts when this process loses the Lease: the operator then aborts every in-flight reconcile at
   * once, before end() waits for them (without it, end() would give them the whole shutdown grace period). */
  begin(leadership?: AbortSignal): Promise<void> {
    const { config, log, kubeConfig, health, metrics } = this.services;
    health.setElection('leader');
    metrics.setLeader(true);
    this.starting = Promise.resolve().then(() => {
      const op = startOperator({ config, kubeConfig, log, metrics, ...(leadership !== undefined ? { leadership } : {}) });
      this.running = op;
      metrics.trackQueueDepth(() => op.queueDepth());
    });
    return this.starting;
  }

  synced(): boolean {
    return this.running?.hasSynced() ?? false;
  }

  async end(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const op = this.running;
    this.running = undefined;
    this.services.metrics.setLeader(false);
    this.services.metrics.trackQueueDepth(() => 0);
    await op?.stop();
  }
}

async function run(config: Config, log: Logger): Promise<number> {
  const metrics = createMetrics();
  const health = new Health();
  const http: RunningHttpServer = await startHttpServer({
    host: config.metricsBindAddress,
    port: config.metricsPort,
    registry: metrics.registry,
    health,
    logger: log,
  });
  const kubeConfig = makeKubeConfig(config.kubeconfig === undefined ? {} : { kubeconfigPath: config.kubeconfig });
  const services: Services = { config, log, metrics, health, kubeConfig };
  const leadership = new Leadership(services);
  health.setCachesSynced(() => leadership.synced());

  let exitCode = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let stopping = false;

  let elector: LeaderElector | undefined;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.info({ reason }, 'shutting down');
    health.setElection('stopping');
    // A hung API server or AWS call must not keep a terminating pod forever: the kubelet would SIGKILL it anyway,
    // but exiting first keeps the logs honest. The controller abandons stuck reconciles 2 s after the grace
    // (controllerDefaults.shutdownAbandonMs), which leaves time to release the Lease before this fires.
    const deadline = setTimeout(() => {
      log.error({ shutdownTimeoutMs: config.shutdownTimeout }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeout + 5_000);
    deadline.unref();
    try {
      if (elector) await elector.stop();
      else await leadership.end();
    } catch (err) {
      log.error({ err }, 'error while stopping');
      exitCode = 1;
    }
    await http.close();
    log.info('stopped');
    resolveDone();
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      // A second signal means "now": the operator may be stuck in a reconcile that ignores its abort signal.
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting at once');
        process.exit(1);
      }
      void shutdown(signal, 0);
    });
  }

  if (!config.leaderElect) {
    log.info('leader election is off: this process reconciles on its own');
    await leadership.begin();
  } else {
    // The pod name (--identity) says which pod leads in `kubectl get lease`; a random suffix keeps a restarted
    // container from inheriting its predecessor's leadership.
    const identity = uniqueIdentity(config.identity);
    const fenceMs = fenceWindowMs({ leaseDurationMs: config.leaseDuration, renewDeadlineMs: config.renewDeadline });
    let leadershipSignal: AbortSignal | undefined;
    elector = new LeaderElector({
      store: kubeLeaseStore(kubeConfig, { namespace: config.leaseNamespace!, name: config.leaseName }),
      identity,
      leaseDurationMs: config.leaseDuration,
      renewDeadlineMs: config.renewDeadline,
      retryPeriodMs: config.retryPeriod,
      log,
      // The signal aborts only when the Lease is lost: on SIGTERM the elector keeps renewing while the reconciles in
      // flight get their shutdown grace, so no successor starts before they end.
      onStartedLeading: (signal) => {
        leadershipSignal = signal;
        return leadership.begin(signal);
      },
      onStoppedLeading: async () => {
        if (stopping) {
          const workStopped = fenceIfLostWhileStopping(leadershipSignal, fenceMs, () => {
            log.fatal(
              { fenceMs, exitCode: EXIT_LOST_LEADERSHIP_WORK_STUCK },
              'lost the leader Lease while stopping, and in-flight reconciles did not stop before a successor could take it; exiting now',
            );
            process.exit(EXIT_LOST_LEADERSHIP_WORK_STUCK);
          });
          try {
            await leadership.end();
          } finally {
            workStopped();
          }
          return;
        }
        // Like client-go, an elector that lost its Lease does not campaign again: exit, and let the kubelet
        // restart the container as a fresh candidate. A successor may hold the Lease a lease duration after the
        // last renewal, so reconciles still running shortly before then are stopped the only sure way: by exiting.
        const outcome = await stopWorkOrExit({
          stopWork: () => leadership.end(),
          fenceMs,
          log,
          exit: (code) => process.exit(code),
        });
        if (outcome === 'stopped') void shutdown('lost the leader Lease', EXIT_LOST_LEADERSHIP);
      },
      onNewLeader: (holder) => {
        if (holder !== identity && !stopping) health.setElection('standby');
      },
    });
    log.info({ identity, lease: `${config.leaseNamespace}/${config.leaseName}` }, 'campaigning for the leader Lease');
    elector.start();
  }

  await done;
  return exitCode;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let config: Config;
  try {
    config = loadConfig({ argv, env });
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${helpText()}\n`);
      return 0;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled promise rejection');
    process.exit(1);
  });
  log.info({ config: { ...config, kubeconfig: config.kubeconfig ? '(set)' : undefined } }, 'starting replicasetdb-operator');
  return run(config, log);
}

main(process.argv.slice(2), process.env).then(
  // Explicit exit: keep-alive sockets of the Kubernetes and AWS clients would otherwise hold the process open.
  // pino writes to stdout synchronously, so no log line is lost.
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
