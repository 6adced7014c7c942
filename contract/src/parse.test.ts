import { describe, expect, it } from 'vitest';
import { formatTopology, parseTopology, TopologyError } from './parse.js';
import { aTopology, replicas } from '../test/fixtures.js';

const documentedExample = `{
  "version": 1,
  "revision": 12,
  "name": "servio", "namespace": "prod",
  "database": "servio",
  "primary":  {"id": "prod-servio", "host": "prod-servio.abc.us-east-1.rds.amazonaws.com", "port": 5432},
  "replicas": [{"id": "prod-servio-r1", "host": "prod-servio-r1.abc.us-east-1.rds.amazonaws.com", "port": 5432, "state": "active", "lagSeconds": 0.2}],
  "routing":  {"maxReplicaLagSeconds": 1, "readYourWrites": "lsn", "drainSeconds": 30},
  "credentialsSecret": "servio-db-credentials",
  "updatedAt": "2026-11-26T16:00:00Z"
}`;

describe('parseTopology', () => {
  it('accepts the example of the contract', () => {
    const t = parseTopology(documentedExample);
    expect(t.revision).toBe(12);
    expect(t.replicas[0]).toEqual({
      id: 'prod-servio-r1',
      host: 'prod-servio-r1.abc.us-east-1.rds.amazonaws.com',
      port: 5432,
      state: 'active',
      lagSeconds: 0.2,
    });
  });

  it('fills routing defaults: 1 s lag bound, lsn read-your-writes, 30 s drain', () => {
    const { routing: _omitted, ...rest } = aTopology();
    expect(parseTopology(rest).routing).toEqual({ maxReplicaLagSeconds: 1, readYourWrites: 'lsn', drainSeconds: 30 });
    expect(parseTopology({ ...rest, routing: { drainSeconds: 5 } }).routing).toEqual({ maxReplicaLagSeconds: 1, readYourWrites: 'lsn', drainSeconds: 5 });
  });

  it('drops unknown keys so that a newer operator does not break an older client', () => {
    const t = parseTopology({ ...aTopology(), zone: 'us-east-1a', primary: { id: 'p', host: 'h', port: 1, az: 'x' } });
    expect(t).not.toHaveProperty('zone');
    expect(t.primary).toEqual({ id: 'p', host: 'h', port: 1 });
  });

  it('keeps the epoch, and accepts a document from before epochs existed', () => {
    expect(parseTopology(aTopology({ epoch: '6f1c9a52-3b1e-4c57-9d1a-0f3e2a9b7c11' })).epoch).toBe('6f1c9a52-3b1e-4c57-9d1a-0f3e2a9b7c11');
    expect(parseTopology(aTopology())).not.toHaveProperty('epoch');
  });

  it('accepts a timestamp with milliseconds or an offset', () => {
    expect(parseTopology(aTopology({ updatedAt: '2026-11-26T16:00:00.123Z' })).updatedAt).toBe('2026-11-26T16:00:00.123Z');
    expect(parseTopology(aTopology({ updatedAt: '2026-11-26T17:00:00+01:00' })).updatedAt).toBe('2026-11-26T17:00:00+01:00');
  });

  const defects: Array<[string, unknown, RegExp]> = [
    ['version 2', { ...aTopology(), version: 2 }, /version/],
    ['negative revision', aTopology({ revision: -1 }), /revision/],
    ['fractional revision', aTopology({ revision: 1.5 }), /revision/],
    ['upper-case name', aTopology({ name: 'Servio' }), /name/],
    ['namespace with a dot', aTopology({ namespace: 'a.b' }), /namespace/],
    ['empty database', aTopology({ database: '' }), /database/],
    ['port 0', aTopology({ primary: { id: 'p', host: 'h', port: 0 } }), /primary\.port/],
    ['port as string', { ...aTopology(), primary: { id: 'p', host: 'h', port: '5432' } }, /primary\.port/],
    ['no primary host', { ...aTopology(), primary: { id: 'p', port: 5432 } }, /primary\.host/],
    ['unknown replica state', { ...aTopology(), replicas: [{ id: 'r', host: 'h', port: 1, state: 'deleting' }] }, /replicas\.0\.state/],
    ['negative lag', aTopology({ replicas: replicas({ id: 'r', port: 1, lagSeconds: -1 }) }), /replicas\.0\.lagSeconds/],
    ['duplicate replica id', aTopology({ replicas: replicas({ id: 'r', port: 1 }, { id: 'r', port: 2 }) }), /replicas\.1\.id: duplicate/],
    ['replica id equal to the primary', aTopology({ replicas: replicas({ id: 'prod-servio', port: 1 }) }), /replicas\.0\.id: duplicate/],
    ['unknown read-your-writes mode', { ...aTopology(), routing: { readYourWrites: 'always' } }, /routing\.readYourWrites/],
    ['negative lag bound', aTopology({ routing: { maxReplicaLagSeconds: -1 } }), /routing\.maxReplicaLagSeconds/],
    ['missing credentialsSecret', { ...aTopology(), credentialsSecret: undefined }, /credentialsSecret/],
    ['empty epoch', aTopology({ epoch: '' }), /epoch/],
    ['epoch as a number', { ...aTopology(), epoch: 7 }, /epoch/],
    ['date without time', aTopology({ updatedAt: '2026-11-26' }), /updatedAt/],
    ['replicas not an array', { ...aTopology(), replicas: {} }, /replicas/],
    ['array at the root', [aTopology()], /\(root\)/],
  ];
  it.each(defects)('rejects %s, naming the field', (_name, input, field) => {
    let error: unknown;
    try {
      parseTopology(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as TopologyError).message).toMatch(field);
  });

  it('rejects text that is not JSON, such as a partly written file', () => {
    expect(() => parseTopology(documentedExample.slice(0, 120))).toThrow(/not valid JSON/);
    expect(() => parseTopology('')).toThrow(TopologyError);
  });
});

describe('formatTopology', () => {
  it('renders equal content as equal text whatever the key order and defaults', () => {
    const a = aTopology({ replicas: replicas({ id: 'r1', port: 2 }) });
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    const { routing: _omitted, ...withoutRouting } = a;
    expect(formatTopology(reordered)).toBe(formatTopology(a));
    expect(formatTopology(withoutRouting)).toBe(formatTopology(a));
    expect(JSON.parse(formatTopology(a))).toEqual(parseTopology(a));
    expect(formatTopology(a).endsWith('}\n')).toBe(true);
  });

  it('refuses to render an invalid document', () => {
    expect(() => formatTopology(aTopology({ revision: -3 }))).toThrow(TopologyError);
  });
});
