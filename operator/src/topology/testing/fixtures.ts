// Fixture builders for topology tests: a source whose primary and replicas are available and reachable, from which
// a test changes one thing.
import type { TopologyInstanceInput, TopologyReplicaInput, TopologySource } from '../source.js';

export function aPrimary(overrides: Partial<TopologyInstanceInput> = {}): TopologyInstanceInput {
  const id = overrides.id ?? 'prod-servio';
  return { id, status: 'available', endpoint: { host: `${id}.abc.us-east-1.rds.amazonaws.com`, port: 5432 }, ...overrides };
}

export function aReplica(index: number, overrides: Partial<TopologyReplicaInput> = {}): TopologyReplicaInput {
  const id = overrides.id ?? `prod-servio-r${index}`;
  return { id, status: 'available', endpoint: { host: `${id}.abc.us-east-1.rds.amazonaws.com`, port: 5432 }, retiring: false, ...overrides };
}

export function aTopologySource(overrides: Partial<TopologySource> = {}): TopologySource {
  return {
    namespace: 'prod',
    name: 'servio',
    epoch: '0b9c6f2e-uid-of-servio',
    databaseName: 'servio',
    routing: { maxReplicaLagSeconds: 1, readYourWrites: 'lsn', drainSeconds: 30 },
    credentialsSecret: 'servio-credentials',
    tlsMode: 'verify-full',
    primary: aPrimary(),
    replicas: [aReplica(1), aReplica(2)],
    ...overrides,
  };
}
