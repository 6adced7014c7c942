import { describe, expect, it } from 'vitest';
import { addFinalizerPatch, removeFinalizerPatch } from './finalizer-patch.js';

const ours = 'db.servio.io/finalizer';

describe('addFinalizerPatch', () => {
  it('creates the list when there is none, testing that there still is none', () => {
    expect(addFinalizerPatch([], ours)).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: [ours] },
    ]);
  });

  it('appends to an existing list, testing the whole list', () => {
    expect(addFinalizerPatch(['other/x'], ours)).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: ['other/x'] },
      { op: 'add', path: '/metadata/finalizers/-', value: ours },
    ]);
  });

  it('does nothing when the finalizer is already there', () => {
    expect(addFinalizerPatch(['other/x', ours], ours)).toBeUndefined();
  });
});

describe('removeFinalizerPatch', () => {
  it('removes the list when ours was the last one', () => {
    expect(removeFinalizerPatch([ours], ours)).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: [ours] },
      { op: 'remove', path: '/metadata/finalizers' },
    ]);
  });

  it('keeps the others, testing the whole list', () => {
    expect(removeFinalizerPatch(['a/x', ours, 'b/y'], ours)).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: ['a/x', ours, 'b/y'] },
      { op: 'replace', path: '/metadata/finalizers', value: ['a/x', 'b/y'] },
    ]);
  });

  it('does nothing when the finalizer is absent', () => {
    expect(removeFinalizerPatch(['a/x'], ours)).toBeUndefined();
    expect(removeFinalizerPatch([], ours)).toBeUndefined();
  });

  it('does not alias the caller’s array', () => {
    const current = [ours];
    const patch = removeFinalizerPatch(current, ours);
    current.push('late/addition');
    expect(patch?.[0]).toEqual({ op: 'test', path: '/metadata/finalizers', value: [ours] });
  });
});
