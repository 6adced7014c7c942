// The Servio environment keys (named by the contract), derived from the topology document, so that `envFrom` on
// the ConfigMap gives an application the configuration it reads today: the primary, the database, and the active
// replicas numbered from 1 in the document's order. Draining replicas are left out: an application that reads its
// environment once would otherwise keep sending reads to a replica about to be deleted.
import { SERVIO_ENV_KEYS as KEYS, replicaHostKey, replicaPortKey, type TopologyInput } from '@servio/replicasetdb-contract';

export type ServioEnvironment = Record<string, string>;

export function renderServioEnvironment(topology: Pick<TopologyInput, 'primary' | 'database' | 'replicas' | 'tls'>): ServioEnvironment {
  const active = topology.replicas.filter((r) => r.state === 'active');
  const env: ServioEnvironment = {
    [KEYS.primaryHost]: topology.primary.host,
    [KEYS.primaryPort]: String(topology.primary.port),
    [KEYS.database]: topology.database,
    [KEYS.replicaCount]: String(active.length),
    // Always present, empty when there is no replica: envFrom then defines the variable either way.
    [KEYS.replicaHosts]: active.map((r) => r.host).join(','),
  };
  if (topology.tls?.mode !== undefined) env[KEYS.tlsMode] = topology.tls.mode;
  active.forEach((replica, i) => {
    env[replicaHostKey(i + 1)] = replica.host;
    env[replicaPortKey(i + 1)] = String(replica.port);
  });
  return env;
}
