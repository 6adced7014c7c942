import { describe, expect, it } from 'vitest';
import { credentialsFromEnv, topologyFromEnv } from './env.js';
import { parseTopology, renderServioEnvironment } from '@servio/replicasetdb-contract';
import { aTopology, replicas } from '../test/fixtures.js';

const servio = {
  DB_PRIMARY_HOST: 'servio-primary.xxxxx.us-east-1.rds.amazonaws.com',
  DB_PRIMARY_PORT: '5432',
  DB_NAME: 'servio',
  DB_USERNAME: 'servio',
  DB_PASSWORD: 'your_password',
  DB_REPLICA_1_HOST: 'servio-replica-1.xxxxx.us-east-1.rds.amazonaws.com',
  DB_REPLICA_1_PORT: '5432',
  DB_REPLICA_2_HOST: 'servio-replica-2.xxxxx.us-east-1.rds.amazonaws.com',
  DB_REPLICA_2_PORT: '5433',
};

describe('topologyFromEnv', () => {
  it('turns the Servio .env.production into a valid topology', () => {
    const t = parseTopology(topologyFromEnv(servio));
    expect(t.database).toBe('servio');
    expect(t.primary).toEqual({ id: 'primary', host: servio.DB_PRIMARY_HOST, port: 5432 });
    expect(t.replicas).toEqual([
      { id: 'replica-1', host: servio.DB_REPLICA_1_HOST, port: 5432, state: 'active' },
      { id: 'replica-2', host: servio.DB_REPLICA_2_HOST, port: 5433, state: 'active' },
    ]);
    expect(t.routing.maxReplicaLagSeconds).toBe(1);
  });

  it('orders replicas by number, not by text, defaults ports, and skips empty hosts', () => {
    const t = parseTopology(
      topologyFromEnv({
        DB_PRIMARY_HOST: 'p',
        DB_NAME: 'd',
        DB_REPLICA_10_HOST: 'r10',
        DB_REPLICA_2_HOST: 'r2',
        DB_REPLICA_3_HOST: '',
        DB_REPLICA_X_HOST: 'x',
      }),
    );
    expect(t.replicas.map((r) => [r.id, r.port])).toEqual([
      ['replica-2', 5432],
      ['replica-10', 5432],
    ]);
  });

  it('reads a zero-padded number as written (DB_REPLICA_01_HOST with DB_REPLICA_01_PORT), and refuses two keys for one replica', () => {
    const t = parseTopology(
      topologyFromEnv({ DB_PRIMARY_HOST: 'p', DB_NAME: 'd', DB_REPLICA_01_HOST: 'r1', DB_REPLICA_01_PORT: '5433', DB_REPLICA_02_HOST: 'r2' }),
    );
    expect(t.replicas.map((r) => [r.id, r.host, r.port])).toEqual([
      ['replica-1', 'r1', 5433],
      ['replica-2', 'r2', 5432],
    ]);
    expect(() => topologyFromEnv({ DB_PRIMARY_HOST: 'p', DB_NAME: 'd', DB_REPLICA_1_HOST: 'a', DB_REPLICA_01_HOST: 'b' })).toThrow(
      /DB_REPLICA_01_HOST and DB_REPLICA_1_HOST both name replica 1/,
    );
  });

  it('works without replicas (the operator publishes DB_REPLICA_COUNT=0 as no replica keys)', () => {
    expect(parseTopology(topologyFromEnv({ DB_PRIMARY_HOST: 'p', DB_NAME: 'd' })).replicas).toEqual([]);
  });

  it('names what is missing or malformed', () => {
    expect(() => topologyFromEnv({ DB_NAME: 'd' })).toThrow(/DB_PRIMARY_HOST/);
    expect(() => topologyFromEnv({ DB_PRIMARY_HOST: 'p', DB_NAME: 'd', DB_PRIMARY_PORT: '54x' })).toThrow(/DB_PRIMARY_PORT/);
    expect(() => parseTopology(topologyFromEnv({ DB_PRIMARY_HOST: 'p', DB_NAME: 'd', DB_REPLICA_1_HOST: 'r', DB_REPLICA_1_PORT: '70000' }))).toThrow(
      /replicas\.0\.port/,
    );
    expect(() => credentialsFromEnv({ DB_USERNAME: 'u' })).toThrow(/DB_PASSWORD/);
  });

  it('asks for verified TLS unless DB_TLS_MODE says otherwise, and names a bad value', () => {
    expect(parseTopology(topologyFromEnv(servio)).tls).toEqual({ mode: 'verify-full' });
    expect(parseTopology(topologyFromEnv({ ...servio, DB_TLS_MODE: 'disable' })).tls).toEqual({ mode: 'disable' });
    expect(() => topologyFromEnv({ ...servio, DB_TLS_MODE: 'on' })).toThrow(/DB_TLS_MODE must be one of verify-full, require, disable/);
  });

  it('reads back what the operator publishes: the primary, the database, the active replicas in order, the TLS mode', () => {
    const published = parseTopology(
      aTopology({
        primary: { id: 'prod-servio', host: 'p.internal', port: 5433 },
        replicas: replicas(
          { id: 'r1', host: 'r1.internal', port: 5434 },
          { id: 'r2', host: 'r2.internal', port: 5435, state: 'draining' },
          { id: 'r3', host: 'r3.internal', port: 5436 },
        ),
        tls: { mode: 'require' },
      }),
    );
    const read = parseTopology(topologyFromEnv(renderServioEnvironment(published)));
    expect(read.primary).toEqual({ id: 'primary', host: 'p.internal', port: 5433 });
    expect(read.database).toBe(published.database);
    expect(read.replicas.map((r) => [r.host, r.port, r.state])).toEqual([
      ['r1.internal', 5434, 'active'],
      ['r3.internal', 5436, 'active'],
    ]);
    expect(read.tls).toEqual({ mode: 'require' });
  });

  it('reads credentials', () => {
    expect(credentialsFromEnv(servio)).toEqual({ username: 'servio', password: 'your_password' });
  });
});
