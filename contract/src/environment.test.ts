import { describe, expect, it } from 'vitest';
import { SERVIO_ENV_KEYS, replicaHostKey, replicaNumberOf, replicaPortKey } from './environment.js';

describe('the Servio environment keys', () => {
  it('names each replica by its number, and reads the number back from a host key only', () => {
    expect([replicaHostKey(1), replicaPortKey(12)]).toEqual(['DB_REPLICA_1_HOST', 'DB_REPLICA_12_PORT']);
    expect(replicaNumberOf(replicaHostKey(12))).toBe('12');
    expect(replicaNumberOf('DB_REPLICA_07_HOST')).toBe('07');
    for (const other of [replicaPortKey(1), SERVIO_ENV_KEYS.replicaHosts, SERVIO_ENV_KEYS.replicaCount, 'DB_REPLICA_X_HOST', 'XDB_REPLICA_1_HOST']) {
      expect(replicaNumberOf(other), other).toBeUndefined();
    }
  });

  it('keeps every key distinct and out of the numbered replica keys', () => {
    const keys = Object.values(SERVIO_ENV_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => replicaNumberOf(k) !== undefined)).toEqual([]);
  });
});
