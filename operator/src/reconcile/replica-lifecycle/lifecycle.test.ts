import { describe, expect, it } from 'vitest';
import {
  LIFECYCLE_INPUTS,
  LIFECYCLE_STATES,
  lifecycleStateAfter,
  nextLifecycleState,
  type ReplicaLifecycleInput,
  type ReplicaLifecycleState,
} from './lifecycle.js';

// Every state x every input; a Record of Records, so the compiler refuses a missing cell.
const EXPECTED: Record<ReplicaLifecycleState, Record<ReplicaLifecycleInput, ReplicaLifecycleState>> = {
  serving: {
    retire: 'draining',
    keep: 'serving',
    drainHeld: 'serving',
    drainReleased: 'serving',
    protectionOn: 'serving',
    protectionOff: 'serving',
    deletionStarted: 'deleting',
    vanished: 'gone',
  },
  draining: {
    retire: 'draining',
    keep: 'serving',
    drainHeld: 'draining',
    drainReleased: 'releasingDeletionProtection',
    protectionOn: 'draining',
    protectionOff: 'draining',
    deletionStarted: 'deleting',
    vanished: 'gone',
  },
  releasingDeletionProtection: {
    retire: 'releasingDeletionProtection',
    keep: 'serving',
    drainHeld: 'releasingDeletionProtection',
    drainReleased: 'releasingDeletionProtection',
    protectionOn: 'releasingDeletionProtection',
    protectionOff: 'deleting',
    deletionStarted: 'deleting',
    vanished: 'gone',
  },
  deleting: {
    retire: 'deleting',
    keep: 'deleting',
    drainHeld: 'deleting',
    drainReleased: 'deleting',
    protectionOn: 'deleting',
    protectionOff: 'deleting',
    deletionStarted: 'deleting',
    vanished: 'gone',
  },
  gone: {
    retire: 'gone',
    keep: 'gone',
    drainHeld: 'gone',
    drainReleased: 'gone',
    protectionOn: 'gone',
    protectionOff: 'gone',
    deletionStarted: 'gone',
    vanished: 'gone',
  },
};

const CELLS = LIFECYCLE_STATES.flatMap((state) => LIFECYCLE_INPUTS.map((input) => [state, input, EXPECTED[state][input]] as const));

describe('nextLifecycleState', () => {
  it('covers every state and every input', () => {
    expect(CELLS).toHaveLength(LIFECYCLE_STATES.length * LIFECYCLE_INPUTS.length);
    expect(Object.keys(EXPECTED).sort()).toEqual([...LIFECYCLE_STATES].sort());
  });

  it.each(CELLS)('%s + %s -> %s', (state, input, next) => {
    expect(nextLifecycleState(state, input)).toBe(next);
  });
});

describe('lifecycleStateAfter', () => {
  it.each([
    [['retire', 'drainHeld', 'protectionOn'], 'draining'],
    [['retire', 'drainHeld', 'protectionOff'], 'draining'],
    [['retire', 'drainReleased', 'protectionOn'], 'releasingDeletionProtection'],
    [['retire', 'drainReleased', 'protectionOff'], 'deleting'],
    [['retire', 'deletionStarted', 'protectionOn'], 'deleting'],
    [['retire', 'drainReleased', 'protectionOff', 'vanished'], 'gone'],
    [['drainReleased', 'protectionOff'], 'serving'],
  ] as const)('%j from serving -> %s', (inputs, state) => {
    expect(lifecycleStateAfter(inputs)).toBe(state);
  });

  it('starts where it is told', () => {
    expect(lifecycleStateAfter(['protectionOff'], 'releasingDeletionProtection')).toBe('deleting');
    expect(lifecycleStateAfter([], 'draining')).toBe('draining');
  });
});
