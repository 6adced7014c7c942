import type { KubernetesObject, V1ObjectMeta } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { specOrMetadataChanged } from './predicates.js';

const base: V1ObjectMeta = {
  namespace: 'ns',
  name: 'db',
  resourceVersion: '10',
  generation: 3,
  finalizers: ['db.servio.io/finalizer'],
  labels: { team: 'a' },
  annotations: { note: 'x' },
};

function obj(meta: Partial<V1ObjectMeta>, status: unknown = { phase: 'Ready' }): KubernetesObject {
  return { metadata: { ...base, ...meta }, ...{ status } } as KubernetesObject;
}

describe('specOrMetadataChanged', () => {
  it('ignores a status-only write (new resourceVersion, same generation and metadata)', () => {
    expect(specOrMetadataChanged(obj({}), obj({ resourceVersion: '11' }, { phase: 'Modifying' }))).toBe(false);
  });

  it.each<[string, Partial<V1ObjectMeta>]>([
    ['a spec change', { generation: 4 }],
    ['a deletion', { deletionTimestamp: new Date('2026-01-01T00:00:00Z') }],
    ['a finalizer removed', { finalizers: [] }],
    ['a finalizer added', { finalizers: ['db.servio.io/finalizer', 'other/finalizer'] }],
    ['a label changed', { labels: { team: 'b' } }],
    ['a label added', { labels: { team: 'a', tier: 'gold' } }],
    ['an annotation removed', { annotations: {} }],
    ['an annotation renamed', { annotations: { other: 'x' } }],
  ])('reports %s', (_, change) => {
    expect(specOrMetadataChanged(obj({}), obj({ resourceVersion: '11', ...change }))).toBe(true);
  });

  it('treats absent and empty lists and maps alike', () => {
    const bare = obj({ finalizers: undefined, labels: undefined, annotations: undefined });
    const empty = obj({ finalizers: [], labels: {}, annotations: {} });
    expect(specOrMetadataChanged(bare, empty)).toBe(false);
  });

  it('reports every update of objects without a generation', () => {
    expect(specOrMetadataChanged(obj({ generation: undefined }), obj({ generation: undefined }))).toBe(true);
  });
});
