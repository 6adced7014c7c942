// Router options and their defaults, checked once at creation so that a typo fails loudly at start-up.
import type pg from 'pg';
import type { IamAuthOptions } from './iam-auth.js';
import type { TlsOptions } from './tls.js';
import { checkPositionKey, type PositionKey } from './position-token.js';
import type { TopologyInput } from '@servio/replicasetdb-contract';

/** Everything of pg.PoolConfig except where to connect and as whom: that comes from the topology. */
export type PoolOptions = Omit<pg.PoolConfig, 'host' | 'port' | 'user' | 'password' | 'database' | 'connectionString'>;

export type Credentials =
  | { username: string; password: string }
  /** A mounted Secret: files `username` and `password`. The password is re-read for every new connection, so a
   * rotated Secret takes effect without a restart. */
  | { directory: string }
  /** RDS IAM database authentication: a token signed with the application's AWS credentials for every new
   * connection, refreshed before its 15 minutes run out. Needs the optional package @aws-sdk/rds-signer. */
  | { iam: IamAuthOptions };

export interface ReplicaRouterOptions {
  /** Path of topology.json in the mounted ConfigMap; watched for changes. */
  topologyFile?: string;
  /** A fixed topology instead of a file. */
  topology?: TopologyInput;
  credentials: Credentials;
  /** Where the CA bundle for TLS mode verify-full (the topology's default) comes from. Read once at start. */
  tls?: TlsOptions;
  /** Per-endpoint pool settings. Default: the Servio ones, max 20, idle 30 s, connect timeout 2 s. */
  pool?: PoolOptions;
  /** How often replica lag and replay positions are sampled. Default 1000 ms. */
  lagCheckIntervalMs?: number;
  /** Reads that may run on the primary at once because no replica can serve them; past it, reads fail fast
   * with FallbackLimitError. Default: half the pool size (10). Not applied while the topology lists no replica. */
  maxFallbackConcurrency?: number;
  /** A re-read of the topology file on this period backs up the directory watch. Default 10000 ms. */
  topologyPollIntervalMs?: number;
  /** How long close() waits for in-flight queries; then it destroys the connections still open (their queries
   * fail) and resolves, reporting what it cut. Default 10000 ms, within Kubernetes' default 30 s grace period. */
  closeTimeoutMs?: number;
  /** Signs the read-your-writes positions sessions hand out (`session.position`) and checks the ones they are
   * resumed from (`session({ position })`), HMAC-SHA256. At least 32 bytes; keep it secret, like a cookie key. */
  positionKey?: PositionKey;
  /** How long a session's read may wait for a healthy replica to replay the session's last commit before it goes to
   * the primary; the replicas are asked on their monitoring connections meanwhile. Default 5 ms; 0 never waits. */
  readYourWritesWaitMs?: number;
}

export interface ResolvedOptions {
  pool: PoolOptions;
  lagCheckIntervalMs: number;
  /** A lag check that takes longer than this marks the endpoint unhealthy. */
  lagCheckTimeoutMs: number;
  maxFallbackConcurrency: number;
  topologyPollIntervalMs: number;
  readYourWritesWaitMs: number;
  /** Primary samples kept to bound the lag of a replica that is behind. */
  lagHistoryMs: number;
  closeTimeoutMs: number;
  positionKey: PositionKey | undefined;
}

function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw new TypeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  return v;
}

/** The longest a Node.js timer waits; past it, Node warns and fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration a timer will wait, possibly `scale` times over (the lag check's timeout is twice its interval). */
function milliseconds(name: string, value: number | undefined, fallback: number, min: number, scale = 1): number {
  const v = positiveInteger(name, value, fallback, min);
  const max = Math.floor(MAX_TIMER_MS / scale);
  if (v > max) throw new TypeError(`${name} must be at most ${max} ms (what a timer can wait), got ${String(value)}`);
  return v;
}

export function resolveOptions(options: ReplicaRouterOptions): ResolvedOptions {
  if ((options.topologyFile === undefined) === (options.topology === undefined)) {
    throw new TypeError('give exactly one of topologyFile and topology');
  }
  // A setting given as undefined (`Number(env.X) || undefined`) keeps its default rather than pg's own.
  const given = Object.fromEntries(Object.entries(options.pool ?? {}).filter(([, v]) => v !== undefined)) as PoolOptions;
  const pool: PoolOptions = { max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 2_000, ...given };
  const max = positiveInteger('pool.max', pool.max, 20);
  // pg reads 0 as "wait forever": a query queued behind a full pool would then outlive close() and stall the lag
  // checks of an endpoint whose pools end while it waits.
  milliseconds('pool.connectionTimeoutMillis', pool.connectionTimeoutMillis, 2_000, 1);
  if (pool.idleTimeoutMillis !== null) milliseconds('pool.idleTimeoutMillis', pool.idleTimeoutMillis, 30_000, 0);
  const lagCheckIntervalMs = milliseconds('lagCheckIntervalMs', options.lagCheckIntervalMs, 1_000, 10, 2);
  const maxFallback = options.maxFallbackConcurrency ?? Math.ceil(max / 2);
  if (!(maxFallback === Infinity || (Number.isInteger(maxFallback) && maxFallback >= 0))) {
    throw new TypeError(`maxFallbackConcurrency must be an integer >= 0 or Infinity, got ${String(maxFallback)}`);
  }
  return {
    pool,
    lagCheckIntervalMs,
    lagCheckTimeoutMs: Math.max(2 * lagCheckIntervalMs, pool.connectionTimeoutMillis || 2_000, 1_000),
    maxFallbackConcurrency: maxFallback,
    topologyPollIntervalMs: milliseconds('topologyPollIntervalMs', options.topologyPollIntervalMs, 10_000, 10),
    readYourWritesWaitMs: milliseconds('readYourWritesWaitMs', options.readYourWritesWaitMs, 5, 0),
    lagHistoryMs: Math.max(300_000, 10 * lagCheckIntervalMs),
    closeTimeoutMs: milliseconds('closeTimeoutMs', options.closeTimeoutMs, 10_000, 0),
    positionKey: positionKey(options.positionKey),
  };
}

function positionKey(key: PositionKey | undefined): PositionKey | undefined {
  if (key !== undefined) checkPositionKey(key);
  return key;
}
