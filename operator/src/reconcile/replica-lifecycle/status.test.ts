import { describe, expect, it } from 'vitest';
import type { InstanceStatus } from '../../api/index.js';
import type { Step } from '../plan/types.js';
import { drainingSince, withDrainRelease } from './status.js';

const replica = (identifier: string, extra: Partial<InstanceStatus> = {}): InstanceStatus => ({ identifier, role: 'replica', rdsStatus: 'deleting', ...extra });
const deleteStep = (identifier: string, drainRelease?: 'ConnectionsQuiet' | 'MaxDrainSeconds'): Step => ({
  kind: 'deleteInstance',
  identifier,
  role: 'replica',
  finalSnapshot: 'skip',
  why: 'scale-down',
  ...(drainRelease !== undefined ? { drainRelease } : {}),
});

describe('withDrainRelease', () => {
  it('records what released the DeleteDBInstance this reconcile executed', () => {
    const out = withDrainRelease(
      [replica('r2'), replica('r3'), replica('r1', { rdsStatus: 'available' })],
      { executed: [deleteStep('r2', 'ConnectionsQuiet'), deleteStep('r3', 'MaxDrainSeconds')] },
      new Map(),
    );
    expect(out.map((r) => [r.identifier, r.drainReleasedBy])).toEqual([
      ['r2', 'ConnectionsQuiet'],
      ['r3', 'MaxDrainSeconds'],
      ['r1', undefined],
    ]);
  });

  it('keeps it while RDS still lists the replica, and adds nothing for a delete that was not drained', () => {
    const previous = new Map([['r2', replica('r2', { drainReleasedBy: 'MaxDrainSeconds' })]]);
    const out = withDrainRelease([replica('r2'), replica('r3')], { executed: [deleteStep('r3')] }, previous);
    expect(out).toEqual([replica('r2', { drainReleasedBy: 'MaxDrainSeconds' }), replica('r3')]);
  });
});

describe('drainingSince', () => {
  const appliedAt = new Date('2026-11-26T16:00:00Z');
  it.each([
    [{ retiring: false, previous: '2026-11-26T15:00:00.000Z', foundActive: false, publishedDraining: true }, undefined],
    [{ retiring: true, previous: undefined, foundActive: true, publishedDraining: false }, undefined],
    [{ retiring: true, previous: undefined, foundActive: true, publishedDraining: true }, '2026-11-26T16:00:00.000Z'],
    [{ retiring: true, previous: '2026-11-26T15:00:00.000Z', foundActive: false, publishedDraining: true }, '2026-11-26T15:00:00.000Z'],
    [{ retiring: true, previous: '2026-11-26T15:00:00.000Z', foundActive: false, publishedDraining: false }, '2026-11-26T15:00:00.000Z'],
    // Published active again since that clock started, and draining again now: it starts over.
    [{ retiring: true, previous: '2026-11-26T15:00:00.000Z', foundActive: true, publishedDraining: true }, '2026-11-26T16:00:00.000Z'],
    [{ retiring: true, previous: '2026-11-26T15:00:00.000Z', foundActive: true, publishedDraining: false }, undefined],
  ])('%j -> %s', (input, expected) => {
    expect(drainingSince({ ...input, appliedAt })).toBe(expected);
  });
});
