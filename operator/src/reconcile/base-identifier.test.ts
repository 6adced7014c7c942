import { describe, expect, it } from 'vitest';
import { legacyRdsBaseIdentifier, ownershipTags, rdsBaseIdentifier } from '../naming/index.js';
import type { RdsInstance } from '../rds/port.js';
import { chooseBaseIdentifier, legacyIdentifierToCheck } from './base-identifier.js';

const ref = { namespace: 'prod', name: 'servio' };
const uid = 'uid-1';

function instance(identifier: string, tags: Record<string, string>): RdsInstance {
  return { identifier, tags } as RdsInstance;
}

describe('chooseBaseIdentifier', () => {
  it('keeps the identifier the status records, whatever the derivation says now', () => {
    expect(chooseBaseIdentifier({ ref, uid, recorded: 'prod-servio' })).toEqual({ base: 'prod-servio', source: 'status' });
  });

  it('derives the hashed identifier for a new object', () => {
    expect(chooseBaseIdentifier({ ref, uid, recorded: undefined })).toEqual({ base: rdsBaseIdentifier('prod', 'servio'), source: 'derived' });
  });

  it('keeps using the legacy identifier of an instance tagged with this object uid (an upgrade)', () => {
    const legacy = instance('prod-servio', ownershipTags({ ...ref, uid }));
    expect(chooseBaseIdentifier({ ref, uid, recorded: undefined, legacyPrimary: legacy })).toEqual({ base: 'prod-servio', source: 'legacy' });
  });

  it.each([
    ['no ownership tags', {}],
    ['another object of another namespace', ownershipTags({ namespace: 'prod-servio', name: 'x', uid: 'uid-2' })],
    ['an earlier object of the same name', ownershipTags({ ...ref, uid: 'uid-0' })],
  ])('does not take over a legacy identifier whose instance carries %s', (_, tags) => {
    const legacy = instance('prod-servio', tags);
    expect(chooseBaseIdentifier({ ref, uid, recorded: undefined, legacyPrimary: legacy }).source).toBe('derived');
  });
});

describe('legacyIdentifierToCheck', () => {
  it('is the readable legacy identifier while the status records none', () => {
    expect(legacyIdentifierToCheck(ref, undefined)).toBe('prod-servio');
    expect(legacyIdentifierToCheck(ref, 'recorded')).toBeUndefined();
  });

  it('is nothing when the legacy derivation already hashed the name (it equals the new one)', () => {
    expect(legacyRdsBaseIdentifier('prod', 'servio.v2')).toBe(rdsBaseIdentifier('prod', 'servio.v2'));
    expect(legacyIdentifierToCheck({ namespace: 'prod', name: 'servio.v2' }, undefined)).toBeUndefined();
  });
});
