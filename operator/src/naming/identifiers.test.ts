import { describe, expect, it } from 'vitest';
import {
  MAX_BASE_IDENTIFIER_LENGTH,
  MAX_INSTANCE_IDENTIFIER_LENGTH,
  MAX_REPLICA_INDEX,
  finalSnapshotIdentifier,
  isValidRdsIdentifier,
  legacyRdsBaseIdentifier,
  parameterGroupName,
  rdsBaseIdentifier,
  replicaIdentifier,
  replicaIndexOf,
} from './identifiers.js';

const HASHED = /-[0-9a-f]{8}$/;

describe('isValidRdsIdentifier', () => {
  it.each(['a', 'prod-servio', 'a1-b2-c3', 'x'.repeat(63)])('accepts %s', (id) => {
    expect(isValidRdsIdentifier(id)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['1abc', 'starts with a digit'],
    ['-abc', 'starts with a hyphen'],
    ['abc-', 'trailing hyphen'],
    ['a--b', 'double hyphen'],
    ['a.b', 'dot'],
    ['a_b', 'underscore'],
    ['Abc', 'upper case'],
    ['x'.repeat(64), 'too long'],
  ])('rejects %j (%s)', (id) => {
    expect(isValidRdsIdentifier(id)).toBe(false);
  });
});

describe('rdsBaseIdentifier', () => {
  it('is a readable <namespace>-<name> head plus a hash of the exact namespace/name', () => {
    expect(rdsBaseIdentifier('prod', 'servio')).toMatch(/^prod-servio-[0-9a-f]{8}$/);
    expect(rdsBaseIdentifier('team-a', 'orders-db')).toMatch(/^team-a-orders-db-[0-9a-f]{8}$/);
  });

  it('gives a-b/c and a/b-c different identifiers (the same readable text, different objects)', () => {
    expect(rdsBaseIdentifier('a-b', 'c')).not.toBe(rdsBaseIdentifier('a', 'b-c'));
    expect(rdsBaseIdentifier('a-b', 'c')).toMatch(/^a-b-c-[0-9a-f]{8}$/);
    expect(rdsBaseIdentifier('a', 'b-c')).toMatch(/^a-b-c-[0-9a-f]{8}$/);
  });

  it('is deterministic', () => {
    expect(rdsBaseIdentifier('prod', 'servio')).toBe(rdsBaseIdentifier('prod', 'servio'));
    expect(rdsBaseIdentifier('prod', 'servio.v2')).toBe(rdsBaseIdentifier('prod', 'servio.v2'));
    const long = 'n'.repeat(200);
    expect(rdsBaseIdentifier('prod', long)).toBe(rdsBaseIdentifier('prod', long));
  });

  it.each([
    ['prod', 'servio', 'a plain name'],
    ['prod', 'servio.v2', 'a dot'],
    ['1prod', 'servio', 'a namespace starting with a digit'],
    ['prod', 'a--b', 'a double hyphen'],
    ['p'.repeat(63), 's'.repeat(63), 'too long'],
    ['prod', 'x'.repeat(253), 'a maximal name'],
    ['9', '9', 'digits only'],
  ])('hashes %s/%s (%s) into a valid identifier that leaves room for replicas', (namespace, name) => {
    const base = rdsBaseIdentifier(namespace, name);
    expect(base).toMatch(HASHED);
    expect(base.length).toBeLessThanOrEqual(MAX_BASE_IDENTIFIER_LENGTH);
    expect(isValidRdsIdentifier(base)).toBe(true);
    expect(isValidRdsIdentifier(replicaIdentifier(base, MAX_REPLICA_INDEX))).toBe(true);
  });

  it('keeps as much of the readable head as fits', () => {
    const base = rdsBaseIdentifier('ns', 'a'.repeat(200));
    expect(base).toHaveLength(MAX_BASE_IDENTIFIER_LENGTH);
    expect(base.startsWith('ns-aaaa')).toBe(true);
  });

  it('gives objects that sanitise to the same text different identifiers', () => {
    expect(rdsBaseIdentifier('prod', 'a.b')).not.toBe(rdsBaseIdentifier('prod', 'a-b'));
    expect(rdsBaseIdentifier('prod', 'a.b')).not.toBe(rdsBaseIdentifier('prod', 'a..b'));
    const long = 'x'.repeat(100);
    expect(rdsBaseIdentifier('prod', `${long}1`)).not.toBe(rdsBaseIdentifier('prod', `${long}2`));
  });

  it('produces valid identifiers for a spread of Kubernetes names', () => {
    const namespaces = ['a', 'default', '0', 'kube-system', 'x'.repeat(63), 'a-0'];
    const names = ['a', 'db', 'servio.prod', 'a.b.c', '0db', 'z'.repeat(253), 'a-'.repeat(30) + 'a', 'b.'.repeat(40) + 'b'];
    for (const namespace of namespaces) {
      for (const name of names) {
        const base = rdsBaseIdentifier(namespace, name);
        expect(isValidRdsIdentifier(base, MAX_BASE_IDENTIFIER_LENGTH), `${namespace}/${name} -> ${base}`).toBe(true);
      }
    }
  });

  it('rejects an empty namespace or name', () => {
    expect(() => rdsBaseIdentifier('', 'a')).toThrow();
    expect(() => rdsBaseIdentifier('a', '')).toThrow();
  });
});

describe('legacyRdsBaseIdentifier (what earlier versions derived, for finding their instances)', () => {
  it('is <namespace>-<name> when that is valid and short enough', () => {
    expect(legacyRdsBaseIdentifier('prod', 'servio')).toBe('prod-servio');
    expect(legacyRdsBaseIdentifier('a-b', 'c')).toBe(legacyRdsBaseIdentifier('a', 'b-c'));
  });

  it('was hashed only when the readable form did not fit or had to change', () => {
    expect(legacyRdsBaseIdentifier('prod', 'servio.v2')).toMatch(HASHED);
    const fits = 'a'.repeat(MAX_BASE_IDENTIFIER_LENGTH - 3);
    expect(legacyRdsBaseIdentifier('ns', fits)).toBe(`ns-${fits}`);
    expect(legacyRdsBaseIdentifier('ns', `${fits}a`)).toMatch(HASHED);
  });
});

describe('replica identifiers', () => {
  it('appends -r<index>, from 1', () => {
    expect(replicaIdentifier('prod-servio', 1)).toBe('prod-servio-r1');
    expect(replicaIdentifier('prod-servio', 15)).toBe('prod-servio-r15');
  });

  it.each([0, -1, 1.5, MAX_REPLICA_INDEX + 1])('rejects index %s', (index) => {
    expect(() => replicaIdentifier('prod-servio', index)).toThrow();
  });

  it('stays within the RDS limit for the longest base', () => {
    const base = 'b'.repeat(MAX_BASE_IDENTIFIER_LENGTH);
    expect(replicaIdentifier(base, MAX_REPLICA_INDEX)).toHaveLength(MAX_INSTANCE_IDENTIFIER_LENGTH);
  });

  it('reads the index back', () => {
    expect(replicaIndexOf('prod-servio', 'prod-servio-r1')).toBe(1);
    expect(replicaIndexOf('prod-servio', 'prod-servio-r12')).toBe(12);
    for (let i = 1; i <= 20; i++) expect(replicaIndexOf('b', replicaIdentifier('b', i))).toBe(i);
  });

  it.each([
    'prod-servio',
    'prod-servio-r',
    'prod-servio-r0',
    'prod-servio-r01',
    'prod-servio-r1000',
    'prod-servio-rx',
    'prod-servio-r1-r2',
    'prod-servio-x-r1',
    'other-r1',
  ])('does not read an index from %s', (id) => {
    expect(replicaIndexOf('prod-servio', id)).toBeUndefined();
  });

  it('does not mistake the replicas of a longer base for its own', () => {
    expect(replicaIndexOf('prod-servio', 'prod-servio-r1-r2')).toBeUndefined();
    expect(replicaIndexOf('prod-servio-r1', 'prod-servio-r1')).toBeUndefined();
  });
});

describe('finalSnapshotIdentifier', () => {
  const uid = '3f6c1e2a-9b7d-4c1e-8f00-0123456789ab';

  it('is the base, "final" and a fragment of the uid', () => {
    expect(finalSnapshotIdentifier('prod-servio', uid)).toBe('prod-servio-final-3f6c1e2a9b7d');
  });

  it('differs between two incarnations of the same object and is stable for one', () => {
    const other = '3f6c1e2a-9b7e-4c1e-8f00-0123456789ab';
    expect(finalSnapshotIdentifier('prod-servio', uid)).toBe(finalSnapshotIdentifier('prod-servio', uid));
    expect(finalSnapshotIdentifier('prod-servio', uid)).not.toBe(finalSnapshotIdentifier('prod-servio', other));
  });

  it('is a valid snapshot identifier for the longest base', () => {
    const id = finalSnapshotIdentifier('b'.repeat(MAX_BASE_IDENTIFIER_LENGTH), uid.toUpperCase());
    expect(isValidRdsIdentifier(id, 255)).toBe(true);
  });

  it('needs a uid', () => {
    expect(() => finalSnapshotIdentifier('prod-servio', '')).toThrow();
  });
});

describe('parameterGroupName', () => {
  it('carries the family, made identifier-safe', () => {
    expect(parameterGroupName('prod-servio', 'postgres15')).toBe('prod-servio-postgres15');
    expect(parameterGroupName('prod-servio', 'postgres9.6')).toBe('prod-servio-postgres9-6');
    expect(isValidRdsIdentifier(parameterGroupName('b'.repeat(MAX_BASE_IDENTIFIER_LENGTH), 'postgres17'), 255)).toBe(true);
  });
});
