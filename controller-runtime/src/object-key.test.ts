import { describe, expect, it } from 'vitest';
import { keyOfObject, objectKey, parseObjectKey } from './object-key.js';

describe('object keys', () => {
  it('round-trips namespace/name', () => {
    const key = objectKey({ namespace: 'team-a', name: 'orders' });
    expect(key).toBe('team-a/orders');
    expect(parseObjectKey(key)).toEqual({ namespace: 'team-a', name: 'orders' });
  });

  it.each(['', 'orders', '/orders', 'team-a/', 'a/b/c'])('rejects %j', (key) => {
    expect(() => parseObjectKey(key)).toThrow(/namespace\/name/);
  });

  it('keys an API object by its metadata, and nothing without a namespace', () => {
    expect(keyOfObject({ metadata: { namespace: 'ns', name: 'x' } })).toBe('ns/x');
    expect(keyOfObject({ metadata: { name: 'cluster-scoped' } })).toBeUndefined();
    expect(keyOfObject({})).toBeUndefined();
  });
});
