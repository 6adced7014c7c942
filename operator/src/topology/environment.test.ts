import { describe, expect, it } from 'vitest';
import { renderTopologyContent } from './document.js';
import { renderServioEnvironment } from '@servio/replicasetdb-contract';
import { aPrimary, aReplica, aTopologySource } from './testing/fixtures.js';

function envOf(...args: Parameters<typeof aTopologySource>) {
  return renderServioEnvironment(renderTopologyContent(aTopologySource(...args))!);
}

describe('renderServioEnvironment', () => {
  it('gives the primary, the database and the active replicas numbered from 1', () => {
    expect(envOf({ replicas: [aReplica(1), aReplica(2, { endpoint: { host: 'r2.internal', port: 6432 } })] })).toEqual({
      DB_PRIMARY_HOST: 'prod-servio.abc.us-east-1.rds.amazonaws.com',
      DB_PRIMARY_PORT: '5432',
      DB_NAME: 'servio',
      DB_REPLICA_COUNT: '2',
      DB_REPLICA_HOSTS: 'prod-servio-r1.abc.us-east-1.rds.amazonaws.com,r2.internal',
      DB_REPLICA_1_HOST: 'prod-servio-r1.abc.us-east-1.rds.amazonaws.com',
      DB_REPLICA_1_PORT: '5432',
      DB_REPLICA_2_HOST: 'r2.internal',
      DB_REPLICA_2_PORT: '6432',
      DB_TLS_MODE: 'verify-full',
    });
  });

  it('tells envFrom applications the TLS mode', () => {
    expect(envOf({ tlsMode: 'disable' }).DB_TLS_MODE).toBe('disable');
  });

  it('numbers without gaps when a replica in the middle is draining or left out', () => {
    const env = envOf({ replicas: [aReplica(1, { retiring: true }), aReplica(2, { lagSeconds: 9 }), aReplica(3)] });
    expect(env.DB_REPLICA_COUNT).toBe('1');
    expect(env.DB_REPLICA_1_HOST).toBe('prod-servio-r3.abc.us-east-1.rds.amazonaws.com');
    expect(env.DB_REPLICA_HOSTS).toBe('prod-servio-r3.abc.us-east-1.rds.amazonaws.com');
    expect(Object.keys(env).filter((k) => /^DB_REPLICA_\d+_/.test(k))).toEqual(['DB_REPLICA_1_HOST', 'DB_REPLICA_1_PORT']);
  });

  it('defines the replica keys even when there is no replica', () => {
    expect(envOf({ replicas: [], primary: aPrimary({ endpoint: { host: 'db', port: 5433 } }) })).toEqual({
      DB_PRIMARY_HOST: 'db',
      DB_PRIMARY_PORT: '5433',
      DB_NAME: 'servio',
      DB_REPLICA_COUNT: '0',
      DB_REPLICA_HOSTS: '',
      DB_TLS_MODE: 'verify-full',
    });
  });

  it('has only string values and no credentials', () => {
    const env = envOf();
    for (const value of Object.values(env)) expect(typeof value).toBe('string');
    expect(Object.keys(env).join(' ')).not.toMatch(/PASSWORD|USER/);
  });
});
