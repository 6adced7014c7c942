// The Servio environment variables (DB_PRIMARY_HOST, DB_REPLICA_<n>_HOST, ...) as a fixed topology, for
// services that are not yet mounting the topology ConfigMap. No hot reload: the environment cannot change.
import { createReplicaRouter, type ReplicaRouter } from './router.js';
import type { ReplicaRouterOptions } from './options.js';
import {
  SERVIO_ENV_KEYS as KEYS,
  replicaHostKey,
  replicaNumberOf,
  replicaPortKey,
  tlsModeSchema,
  type TlsMode,
  type TopologyInput,
} from '@servio/replicasetdb-contract';

export type FromEnvOptions = Omit<ReplicaRouterOptions, 'topology' | 'topologyFile' | 'credentials'> & {
  env?: NodeJS.ProcessEnv;
};

function port(env: NodeJS.ProcessEnv, key: string): number {
  const text = env[key];
  if (text === undefined || text === '') return 5432;
  if (!/^\d+$/.test(text)) throw new TypeError(`${key} must be a port number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** DB_TLS_MODE as the operator publishes it; unset means verify-full, what RDS wants. */
function tlsMode(env: NodeJS.ProcessEnv): TlsMode {
  const text = env[KEYS.tlsMode];
  if (text === undefined || text === '') return 'verify-full';
  const parsed = tlsModeSchema.safeParse(text);
  if (!parsed.success) throw new TypeError(`${KEYS.tlsMode} must be one of ${tlsModeSchema.options.join(', ')}, got ${JSON.stringify(text)}`);
  return parsed.data;
}

/** The <n> of every DB_REPLICA_<n>_HOST that is set, as written (its PORT key is spelled the same), in the order of
 * the number; two spellings of one number (1 and 01) are refused rather than one silently dropped. */
function replicaNumbers(env: NodeJS.ProcessEnv): string[] {
  const written = Object.keys(env)
    .map(replicaNumberOf)
    .filter((n): n is string => n !== undefined && env[replicaHostKey(n)] !== '')
    .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  for (const [i, n] of written.entries()) {
    const next = written[i + 1];
    if (next !== undefined && Number(next) === Number(n)) {
      throw new TypeError(`${replicaHostKey(n)} and ${replicaHostKey(next)} both name replica ${Number(n)}; keep one`);
    }
  }
  return written;
}

/** Replicas are every DB_REPLICA_<n>_HOST present, in the order of n; gaps are allowed. */
export function topologyFromEnv(env: NodeJS.ProcessEnv): TopologyInput {
  const missing = [KEYS.primaryHost, KEYS.database].filter((k) => !env[k]);
  if (missing.length > 0) throw new TypeError(`missing environment variables: ${missing.join(', ')}`);
  return {
    version: 1,
    revision: 0,
    name: 'env',
    namespace: 'env',
    database: env[KEYS.database] as string,
    primary: { id: 'primary', host: env[KEYS.primaryHost] as string, port: port(env, KEYS.primaryPort) },
    replicas: replicaNumbers(env).map((n) => ({
      id: `replica-${Number(n)}`,
      host: env[replicaHostKey(n)] as string,
      port: port(env, replicaPortKey(n)),
      state: 'active' as const,
    })),
    tls: { mode: tlsMode(env) },
    credentialsSecret: 'env',
    updatedAt: new Date(0).toISOString(),
  };
}

export function credentialsFromEnv(env: NodeJS.ProcessEnv): { username: string; password: string } {
  const missing = [KEYS.username, KEYS.password].filter((k) => !env[k]);
  if (missing.length > 0) throw new TypeError(`missing environment variables: ${missing.join(', ')}`);
  return { username: env[KEYS.username] as string, password: env[KEYS.password] as string };
}

export function fromEnv(options: FromEnvOptions = {}): Promise<ReplicaRouter> {
  const { env = process.env, ...rest } = options;
  return createReplicaRouter({ ...rest, topology: topologyFromEnv(env), credentials: credentialsFromEnv(env) });
}
