import { describe, expect, it } from 'vitest';
import { formatTopology, type TopologyInput } from '@servio/replicasetdb-contract';
import type { StoredConfigMap } from '../ports/kubernetes.js';
import {
  ENDPOINTS_LABEL_SELECTOR,
  configMapDelta,
  endpointsLabels,
  labelValue,
  readPublishedTopology,
  renderEndpointsConfigMap,
  TOPOLOGY_KEY,
} from './configmap.js';
import { renderTopologyContent } from './document.js';
import { aReplica, aTopologySource } from './testing/fixtures.js';
import { topologyJsonSchemaValidator } from './testing/json-schema.js';

const UID = '3f6c1e2a-9b7d-4c1e-8f00-0123456789ab';

function aDocument(overrides: Partial<TopologyInput> = {}): TopologyInput {
  return { ...renderTopologyContent(aTopologySource())!, revision: 3, updatedAt: '2026-11-26T16:00:00.000Z', ...overrides };
}

function stored(content: { data: Record<string, string>; labels: Record<string, string> }, overrides: Partial<StoredConfigMap> = {}): StoredConfigMap {
  return { data: { ...content.data }, labels: { ...content.labels }, resourceVersion: '42', ownerUids: [UID], ...overrides };
}

describe('renderEndpointsConfigMap', () => {
  it('holds topology.json as the contract formats it, and the Servio environment keys', () => {
    const document = aDocument();
    const { data } = renderEndpointsConfigMap(document);
    expect(data[TOPOLOGY_KEY]).toBe(formatTopology(document));
    expect(Object.keys(data).sort()).toEqual(
      [
        TOPOLOGY_KEY,
        'DB_NAME',
        'DB_PRIMARY_HOST',
        'DB_PRIMARY_PORT',
        'DB_REPLICA_1_HOST',
        'DB_REPLICA_1_PORT',
        'DB_REPLICA_2_HOST',
        'DB_REPLICA_2_PORT',
        'DB_REPLICA_COUNT',
        'DB_REPLICA_HOSTS',
        'DB_TLS_MODE',
      ].sort(),
    );
  });

  it('writes a topology.json that the committed JSON Schema accepts', () => {
    const validate = topologyJsonSchemaValidator();
    const { data } = renderEndpointsConfigMap(
      aDocument({ replicas: renderTopologyContent(aTopologySource({ replicas: [aReplica(1, { retiring: true, lagSeconds: 2 })] }))!.replicas }),
    );
    expect(validate(JSON.parse(data[TOPOLOGY_KEY]!))).toEqual([]);
    // The validator itself rejects what the contract rejects.
    expect(validate({ ...JSON.parse(data[TOPOLOGY_KEY]!), replicas: [{ id: 'x', host: 'h', port: 1, state: 'gone' }] })).not.toEqual([]);
  });

  it('renders the same text for the same document (no churn from key order)', () => {
    const a = renderEndpointsConfigMap(aDocument());
    const reordered = Object.fromEntries(Object.entries(aDocument()).reverse()) as TopologyInput;
    expect(renderEndpointsConfigMap(reordered)).toEqual(a);
  });

  it('carries the standard labels, which the watch selector matches', () => {
    expect(renderEndpointsConfigMap(aDocument()).labels).toEqual({
      'app.kubernetes.io/name': 'replicasetdb',
      'app.kubernetes.io/instance': 'servio',
      'app.kubernetes.io/component': 'endpoints',
      'app.kubernetes.io/part-of': 'replicasetdb-operator',
      'app.kubernetes.io/managed-by': 'replicasetdb-operator',
    });
    const labels = renderEndpointsConfigMap(aDocument()).labels;
    for (const term of ENDPOINTS_LABEL_SELECTOR.split(',')) {
      const [key, value] = term.split('=') as [string, string];
      expect(labels[key]).toBe(value);
    }
  });

  it('refuses a document that is not contract v1 instead of publishing it', () => {
    expect(() => renderEndpointsConfigMap(aDocument({ revision: -1 }))).toThrow(/revision/);
  });
});

describe('labelValue', () => {
  it('keeps a name that fits', () => {
    expect(labelValue('servio')).toBe('servio');
    expect(labelValue('a'.repeat(63))).toBe('a'.repeat(63));
  });

  it('shortens a long name to a valid, distinct label value', () => {
    const long = `${'a'.repeat(60)}.b-${'c'.repeat(100)}`;
    const other = `${'a'.repeat(60)}.b-${'d'.repeat(100)}`;
    for (const name of [long, other, `${'x'.repeat(54)}-${'y'.repeat(20)}`]) {
      const value = labelValue(name);
      expect(value.length).toBeLessThanOrEqual(63);
      expect(value).toMatch(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/);
    }
    expect(labelValue(long)).not.toBe(labelValue(other));
  });

  it('is used for the instance label', () => {
    expect(endpointsLabels('z'.repeat(100))['app.kubernetes.io/instance']).toBe(labelValue('z'.repeat(100)));
  });
});

describe('readPublishedTopology', () => {
  it('reads back what was rendered', () => {
    const document = aDocument();
    expect(readPublishedTopology(stored(renderEndpointsConfigMap(document)))).toMatchObject({ revision: 3, updatedAt: document.updatedAt });
  });

  it.each([
    ['no ConfigMap', undefined],
    ['no topology.json', stored({ data: {}, labels: {} })],
    ['not JSON', stored({ data: { [TOPOLOGY_KEY]: '{' }, labels: {} })],
    ['not contract v1', stored({ data: { [TOPOLOGY_KEY]: JSON.stringify({ ...aDocument(), version: 2 }) }, labels: {} })],
  ])('is undefined with %s', (_, configMap) => {
    expect(readPublishedTopology(configMap)).toBeUndefined();
  });
});

describe('configMapDelta', () => {
  const desired = renderEndpointsConfigMap(aDocument());

  it('is empty when the observed ConfigMap holds the desired content', () => {
    expect(configMapDelta(stored(desired), desired, UID)).toEqual([]);
  });

  it('ignores keys and labels another tool added (server-side apply leaves them alone)', () => {
    const observed = stored(desired, { data: { ...desired.data, note: 'hi' }, labels: { ...desired.labels, team: 'db' } });
    expect(configMapDelta(observed, desired, UID)).toEqual([]);
  });

  it.each([
    ['a deleted ConfigMap', undefined, ['(missing)']],
    ['an edited topology.json', stored(desired, { data: { ...desired.data, [TOPOLOGY_KEY]: '{}' } }), [`data.${TOPOLOGY_KEY}`]],
    ['an edited environment key', stored(desired, { data: { ...desired.data, DB_PRIMARY_HOST: 'evil' } }), ['data.DB_PRIMARY_HOST']],
    ['a removed key', stored(desired, { data: Object.fromEntries(Object.entries(desired.data).filter(([k]) => k !== 'DB_NAME')) }), ['data.DB_NAME']],
    ['an edited label', stored(desired, { labels: { ...desired.labels, 'app.kubernetes.io/instance': 'x' } }), ['labels.app.kubernetes.io/instance']],
    ['no owner reference', stored(desired, { ownerUids: [] }), ['ownerReferences']],
    ['another owner', stored(desired, { ownerUids: ['someone-else'] }), ['ownerReferences']],
  ])('names what differs: %s', (_, observed, expected) => {
    expect(configMapDelta(observed, desired, UID)).toEqual(expected);
  });
});
