import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ownerKeys } from './owner-keys.js';

const owner = { group: 'db.servio.io', kind: 'ReplicaSetDB' };

function child(namespace: string | undefined, refs: Array<Partial<V1OwnerReference>>): KubernetesObject {
  return {
    metadata: {
      name: 'app-topology',
      ...(namespace ? { namespace } : {}),
      ownerReferences: refs.map((r) => ({ apiVersion: 'db.servio.io/v1alpha1', kind: 'ReplicaSetDB', name: 'app', uid: 'u1', controller: true, ...r })),
    },
  };
}

describe('ownerKeys', () => {
  it('maps a child to its controlling owner in the same namespace', () => {
    expect(ownerKeys(child('team-a', [{}]), owner)).toEqual(['team-a/app']);
  });

  it('matches the owner group whatever its version', () => {
    expect(ownerKeys(child('ns', [{ apiVersion: 'db.servio.io/v1' }]), owner)).toEqual(['ns/app']);
  });

  it.each([
    ['another kind', { kind: 'Deployment', apiVersion: 'apps/v1' }],
    ['the same kind in another group', { apiVersion: 'db.example.com/v1alpha1' }],
    ['a core object', { apiVersion: 'v1', kind: 'ReplicaSetDB' }],
    ['a non-controller reference', { controller: false }],
    ['a reference without the controller flag', { controller: undefined }],
  ])('ignores %s', (_, ref) => {
    expect(ownerKeys(child('ns', [ref]), owner)).toEqual([]);
  });

  it('ignores objects without owner references or without a namespace', () => {
    expect(ownerKeys({ metadata: { name: 'x', namespace: 'ns' } }, owner)).toEqual([]);
    expect(ownerKeys(child(undefined, [{}]), owner)).toEqual([]);
  });

  it('deduplicates repeated references', () => {
    expect(ownerKeys(child('ns', [{}, {}]), owner)).toEqual(['ns/app']);
  });
});
