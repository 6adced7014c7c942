// Fixture builders for topology documents, shared by the contract's and the client's tests.
import type { TopologyInput } from '../src/index.js';

export interface ReplicaFixture {
  id: string;
  host?: string;
  port: number;
  state?: 'active' | 'draining';
  lagSeconds?: number;
}

export function aTopology(overrides: Partial<TopologyInput> = {}): TopologyInput {
  return {
    version: 1,
    revision: 1,
    name: 'servio',
    namespace: 'prod',
    database: 'servio',
    primary: { id: 'prod-servio', host: '127.0.0.1', port: 5432 },
    replicas: [],
    routing: { maxReplicaLagSeconds: 1, readYourWrites: 'lsn', drainSeconds: 30 },
    // The shared test servers listen without TLS; the TLS tests start their own server and say verify-full.
    tls: { mode: 'disable' },
    credentialsSecret: 'servio-db-credentials',
    updatedAt: '2026-11-26T16:00:00Z',
    ...overrides,
  };
}

export function replicas(...list: ReplicaFixture[]): TopologyInput['replicas'] {
  return list.map((r) => ({ host: '127.0.0.1', state: 'active' as const, ...r }));
}
