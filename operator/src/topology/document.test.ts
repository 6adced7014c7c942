import { describe, expect, it } from 'vitest';
import { parseTopology } from '@servio/replicasetdb-contract';
import { isPublishablePrimary, publishedLag, renderTopologyContent } from './document.js';
import { aPrimary, aReplica, aTopologySource } from './testing/fixtures.js';
import { topologyJsonSchemaValidator } from './testing/json-schema.js';

const stamp = { revision: 7, updatedAt: '2026-11-26T16:00:00.000Z' };
const validate = topologyJsonSchemaValidator();

describe('renderTopologyContent', () => {
  it('renders contract v1 for a primary and two active replicas', () => {
    expect(renderTopologyContent(aTopologySource({ replicas: [aReplica(1, { lagSeconds: 0.2 }), aReplica(2)] }))).toEqual({
      version: 1,
      epoch: '0b9c6f2e-uid-of-servio',
      name: 'servio',
      namespace: 'prod',
      database: 'servio',
      primary: { id: 'prod-servio', host: 'prod-servio.abc.us-east-1.rds.amazonaws.com', port: 5432 },
      replicas: [
        { id: 'prod-servio-r1', host: 'prod-servio-r1.abc.us-east-1.rds.amazonaws.com', port: 5432, state: 'active', lagSeconds: 0.2 },
        { id: 'prod-servio-r2', host: 'prod-servio-r2.abc.us-east-1.rds.amazonaws.com', port: 5432, state: 'active' },
      ],
      routing: { maxReplicaLagSeconds: 1, readYourWrites: 'lsn', drainSeconds: 30 },
      tls: { mode: 'verify-full' },
      credentialsSecret: 'servio-credentials',
    });
  });

  it('publishes the TLS mode the spec asks of clients', () => {
    expect(renderTopologyContent(aTopologySource({ tlsMode: 'disable' }))?.tls).toEqual({ mode: 'disable' });
    expect(renderTopologyContent(aTopologySource({ tlsMode: 'require' }))?.tls).toEqual({ mode: 'require' });
  });

  it.each([
    ['no replicas', aTopologySource({ replicas: [] })],
    ['active and draining replicas', aTopologySource({ replicas: [aReplica(1), aReplica(2, { retiring: true, lagSeconds: 3 })] })],
    ['readYourWrites none', aTopologySource({ routing: { maxReplicaLagSeconds: 0, readYourWrites: 'none', drainSeconds: 0 } })],
    ['TLS disabled for local development', aTopologySource({ tlsMode: 'disable' })],
    ['a custom port', aTopologySource({ primary: aPrimary({ endpoint: { host: '10.0.0.1', port: 6432 } }) })],
    ['fifteen replicas', aTopologySource({ replicas: Array.from({ length: 15 }, (_, i) => aReplica(i + 1, { lagSeconds: i / 10 })) })],
  ])('validates against client/topology.schema.json and the zod contract: %s', (_, source) => {
    const document = { ...renderTopologyContent(source)!, ...stamp };
    expect(validate(JSON.parse(JSON.stringify(document)))).toEqual([]);
    expect(parseTopology(document)).toMatchObject(document);
  });

  it("maps the API's readYourWrites `none` to the contract's `off`", () => {
    const source = aTopologySource({ routing: { maxReplicaLagSeconds: 2, readYourWrites: 'none', drainSeconds: 5 } });
    expect(renderTopologyContent(source)?.routing).toEqual({ maxReplicaLagSeconds: 2, readYourWrites: 'off', drainSeconds: 5 });
  });

  it('publishes a retiring replica as draining and leaves out the ones that cannot serve, in index order', () => {
    const source = aTopologySource({
      replicas: [
        aReplica(1, { lagSeconds: 5 }),
        aReplica(2),
        aReplica(3, { status: 'creating', endpoint: undefined }),
        aReplica(4, { retiring: true }),
        aReplica(5, { status: 'deleting', retiring: true }),
      ],
    });
    expect(renderTopologyContent(source)?.replicas.map((r) => [r.id, r.state])).toEqual([
      ['prod-servio-r2', 'active'],
      ['prod-servio-r4', 'draining'],
    ]);
  });

  it('shows lag only when known, rounded to milliseconds', () => {
    const source = aTopologySource({ replicas: [aReplica(1, { lagSeconds: 0.30000000000000004 }), aReplica(2, { lagSeconds: undefined })] });
    const [r1, r2] = renderTopologyContent(source)!.replicas;
    expect(r1?.lagSeconds).toBe(0.3);
    expect(r2).not.toHaveProperty('lagSeconds');
  });

  it('publishes nothing until the primary has an endpoint and is created', () => {
    expect(renderTopologyContent(aTopologySource({ primary: undefined }))).toBeUndefined();
    expect(renderTopologyContent(aTopologySource({ primary: aPrimary({ endpoint: undefined }) }))).toBeUndefined();
    expect(renderTopologyContent(aTopologySource({ primary: aPrimary({ status: 'creating' }) }))).toBeUndefined();
    expect(renderTopologyContent(aTopologySource({ primary: aPrimary({ status: 'deleting' }) }))).toBeUndefined();
    // A primary being modified keeps its endpoint and its clients.
    expect(renderTopologyContent(aTopologySource({ primary: aPrimary({ status: 'modifying' }) }))?.primary.id).toBe('prod-servio');
  });

  it('never carries a credential: only the Secret name', () => {
    const text = JSON.stringify(renderTopologyContent(aTopologySource()));
    expect(text).toContain('"credentialsSecret":"servio-credentials"');
    expect(text).not.toMatch(/password|username/i);
  });
});

describe('publishedLag', () => {
  it.each([
    [undefined, undefined],
    [0, 0],
    [1.23456, 1.235],
    [-1, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
  ])('%s -> %s', (lag, expected) => {
    expect(publishedLag(lag)).toBe(expected);
  });
});

describe('isPublishablePrimary', () => {
  it.each([
    ['available', true],
    ['backing-up', true],
    ['modifying', true],
    ['storage-full', true],
    ['creating', false],
    ['deleting', false],
  ])('%s -> %s', (status, expected) => {
    expect(isPublishablePrimary(aPrimary({ status }))).toBe(expected);
  });
});
