import { describe, expect, it } from 'vitest';
import { MAX_USER_TAGS, OPERATOR_TAG_COUNT, RDS_MAX_TAGS_PER_RESOURCE } from '../api/key-rules.js';
import { MANAGED_BY } from './kubernetes-names.js';
import {
  TAG_MANAGED_BY,
  TAG_OWNER_NAME,
  TAG_OWNER_NAMESPACE,
  TAG_OWNER_UID,
  TAG_ROLE,
  RESERVED_TAG_KEYS,
  isAdoptable,
  ownershipOf,
  ownershipTags,
  resourceTags,
  type Ownership,
} from './tags.js';

const owner = { namespace: 'prod', name: 'servio', uid: 'uid-1' };

describe('ownership tags', () => {
  it('name the owner and the operator', () => {
    expect(ownershipTags(owner)).toEqual({
      [TAG_OWNER_NAMESPACE]: 'prod',
      [TAG_OWNER_NAME]: 'servio',
      [TAG_OWNER_UID]: 'uid-1',
      [TAG_MANAGED_BY]: MANAGED_BY,
    });
  });

  it('are merged over the user tags, so the spec cannot claim another owner', () => {
    const tags = resourceTags(owner, { Environment: 'production', [TAG_OWNER_UID]: 'forged' }, 'replica');
    expect(tags).toMatchObject({ Environment: 'production', [TAG_OWNER_UID]: 'uid-1', [TAG_ROLE]: 'replica' });
  });

  it('leave the role out when none is given (parameter groups)', () => {
    expect(resourceTags(owner, {})).not.toHaveProperty(TAG_ROLE);
  });
});

describe('ownershipOf', () => {
  const cases: Array<[string, Record<string, string>, Ownership, boolean]> = [
    ['our tags', ownershipTags(owner), 'owned', false],
    ['no tags', {}, 'unowned', true],
    ['only unrelated tags', { Name: 'servio-primary' }, 'unowned', true],
    ['an empty uid tag', { ...ownershipTags(owner), [TAG_OWNER_UID]: '' }, 'unowned', true],
    ['an earlier object of the same name', ownershipTags({ ...owner, uid: 'uid-0' }), 'previous-owner', true],
    ['another object', ownershipTags({ namespace: 'prod', name: 'other', uid: 'uid-9' }), 'other-owner', false],
    ['another namespace', ownershipTags({ namespace: 'staging', name: 'servio', uid: 'uid-9' }), 'other-owner', false],
    ['our uid under another name (tampered)', ownershipTags({ ...owner, name: 'other' }), 'other-owner', false],
    ['another object named without a uid tag', { [TAG_OWNER_NAMESPACE]: 'staging', [TAG_OWNER_NAME]: 'servio' }, 'other-owner', false],
    ['only another namespace tag', { [TAG_OWNER_NAMESPACE]: 'staging' }, 'other-owner', false],
    ['our own name without a uid tag', { [TAG_OWNER_NAMESPACE]: owner.namespace, [TAG_OWNER_NAME]: owner.name }, 'unowned', true],
  ];

  it.each(cases)('%s -> %s', (_, tags, expected, adoptable) => {
    const ownership = ownershipOf(tags, owner);
    expect(ownership).toBe(expected);
    expect(isAdoptable(ownership)).toBe(adoptable);
  });
});

describe('the tag budget the spec leaves to users', () => {
  it('counts exactly the tags the operator adds to an instance', () => {
    expect(Object.keys(resourceTags(owner, {}, 'primary'))).toHaveLength(OPERATOR_TAG_COUNT);
    expect(RESERVED_TAG_KEYS).toHaveLength(OPERATOR_TAG_COUNT);
  });
  it('keeps the most user tags the spec admits within the RDS limit per resource', () => {
    const user = Object.fromEntries(Array.from({ length: MAX_USER_TAGS }, (_, i) => [`k${i}`, 'v']));
    expect(Object.keys(resourceTags(owner, user, 'replica'))).toHaveLength(RDS_MAX_TAGS_PER_RESOURCE);
  });
});
