// The Servio environment keys, derived from the topology document, so that `envFrom` on the ConfigMap gives an
// application the configuration it reads today: the primary, the database, and the active replicas numbered
// from 1 in the document's order. Draining replicas are left out: an application that reads its environment once
// would otherwise keep sending reads to a replica about to be deleted.
import type { TopologyInput } from '@servio/replicasetdb-client';

export type ServioEnvironment = Record<string, string>;

export function renderServioEnvironment(topology: Pick<TopologyInput, 'primary' | 'database' | 'replicas' | 'tls'>): ServioEnvironment {
  const active = topology.replicas.filter((r) => r.state === 'active');
  const env: ServioEnvironment = {
    DB_PRIMARY_HOST: topology.primary.host,
    DB_PRIMARY_PORT: String(topology.primary.port),
    DB_NAME: topology.database,
    DB_REPLICA_COUNT: String(active.length),
    // Always present, empty when there is no replica: envFrom then defines the variable either way.
    DB_REPLICA_HOSTS: active.map((r) => r.host).join(','),
  };
  if (topology.tls?.mode !== undefined) env.DB_TLS_MODE = topology.tls.mode;
  active.forEach((replica, i) => {
    env[`DB_REPLICA_${i + 1}_HOST`] = replica.host;
    env[`DB_REPLICA_${i + 1}_PORT`] = String(replica.port);
  });
  return env;
}
