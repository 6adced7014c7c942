// The Servio environment keys: what the operator writes beside topology.json in the endpoints ConfigMap (and beside
// username/password in the credentials Secret) for applications that use `envFrom`, and what the client's
// fromEnv() reads back. Part of contract version 1: a key is never renamed or given another meaning.
//
// Their values derive from the topology: the primary, the database, and the active replicas numbered from 1 in the
// document's order. Draining replicas are left out: an application that reads its environment once would
// otherwise keep sending reads to a replica about to be deleted.
import type { TopologyInput } from './schema.js';

export const SERVIO_ENV_KEYS = {
  primaryHost: 'DB_PRIMARY_HOST',
  primaryPort: 'DB_PRIMARY_PORT',
  database: 'DB_NAME',
  /** How many DB_REPLICA_<n>_HOST keys follow (the active replicas only). */
  replicaCount: 'DB_REPLICA_COUNT',
  /** The active replicas' hosts, comma-separated; empty when there is none. */
  replicaHosts: 'DB_REPLICA_HOSTS',
  tlsMode: 'DB_TLS_MODE',
  /** In the credentials Secret, never in the ConfigMap. */
  username: 'DB_USERNAME',
  /** In the credentials Secret, never in the ConfigMap. */
  password: 'DB_PASSWORD',
} as const;

/** Replica keys are numbered from 1; `n` is kept as written, so a reader looks up exactly the key it found. */
export function replicaHostKey(n: number | string): string {
  return `DB_REPLICA_${n}_HOST`;
}

export function replicaPortKey(n: number | string): string {
  return `DB_REPLICA_${n}_PORT`;
}

const REPLICA_HOST_KEY = /^DB_REPLICA_(\d+)_HOST$/;

/** The <n> of a DB_REPLICA_<n>_HOST key, as written; undefined for any other key. */
export function replicaNumberOf(key: string): string | undefined {
  return REPLICA_HOST_KEY.exec(key)?.[1];
}

export type ServioEnvironment = Record<string, string>;

export function renderServioEnvironment(topology: Pick<TopologyInput, 'primary' | 'database' | 'replicas' | 'tls'>): ServioEnvironment {
  const active = topology.replicas.filter((r) => r.state === 'active');
  const env: ServioEnvironment = {
    [SERVIO_ENV_KEYS.primaryHost]: topology.primary.host,
    [SERVIO_ENV_KEYS.primaryPort]: String(topology.primary.port),
    [SERVIO_ENV_KEYS.database]: topology.database,
    [SERVIO_ENV_KEYS.replicaCount]: String(active.length),
    // Always present, empty when there is no replica: envFrom then defines the variable either way.
    [SERVIO_ENV_KEYS.replicaHosts]: active.map((r) => r.host).join(','),
  };
  if (topology.tls?.mode !== undefined) env[SERVIO_ENV_KEYS.tlsMode] = topology.tls.mode;
  active.forEach((replica, i) => {
    env[replicaHostKey(i + 1)] = replica.host;
    env[replicaPortKey(i + 1)] = String(replica.port);
  });
  return env;
}
