import { describe, expect, it } from 'vitest';
import {
  INSTANT,
  dueModifications,
  newHistory,
  pendingValuesAt,
  refusalFor,
  snapshotStatusAt,
  startMaintenance,
  statusAt,
  type Durations,
} from './lifecycle.js';

const slow: Durations = { creatingMs: 20_000, backingUpMs: 5_000, modifyingMs: 10_000, deletingMs: 5_000, snapshotCreatingMs: 8_000, rebootingMs: 3_000 };

describe('statusAt', () => {
  it("takes a created instance through creating and backing-up to the emulator's available", () => {
    const h = { ...newHistory(), createdAt: 1_000 };
    expect(statusAt(h, 1_000, slow)).toBe('creating');
    expect(statusAt(h, 20_999, slow)).toBe('creating');
    expect(statusAt(h, 21_000, slow)).toBe('backing-up');
    expect(statusAt(h, 25_999, slow)).toBe('backing-up');
    expect(statusAt(h, 26_000, slow)).toBeUndefined();
  });

  it("is instant with the emulator's own timing", () => {
    expect(statusAt({ ...newHistory(), createdAt: 1_000 }, 1_000, INSTANT)).toBeUndefined();
    expect(statusAt({ ...newHistory(), deletingSince: 1_000 }, 1_000, INSTANT)).toBe('gone');
  });

  it('reports modifying while an applied change runs, not while it waits for the maintenance window', () => {
    const h = newHistory();
    h.modifications.push({ body: '', pending: { DBInstanceClass: 'db.r6g.large' }, requestedAt: 0 });
    expect(statusAt(h, 50_000, slow)).toBeUndefined();
    expect(pendingValuesAt(h, 50_000)).toEqual({ DBInstanceClass: 'db.r6g.large' });
    expect(dueModifications(h, 50_000, slow)).toEqual([]);
    expect(startMaintenance(h, 60_000)).toBe(1);
    expect(statusAt(h, 60_000, slow)).toBe('modifying');
    expect(dueModifications(h, 69_999, slow)).toEqual([]);
    expect(dueModifications(h, 70_000, slow)).toHaveLength(1);
    // Still modifying until the change has reached the emulator.
    expect(statusAt(h, 70_000, slow)).toBe('modifying');
    h.modifications[0]!.appliedAt = 70_000;
    expect(statusAt(h, 70_000, slow)).toBeUndefined();
    expect(pendingValuesAt(h, 70_000)).toEqual({});
  });

  it('keeps a change pending for a call that began before the emulator had it', () => {
    const h = newHistory();
    h.modifications.push({ body: '', pending: { DBInstanceClass: 'db.r6g.large' }, requestedAt: 0, applyingSince: 0, appliedAt: 10_500 });
    // Such a call may have read the emulator before the change reached it: showing it available would show the old values.
    expect(statusAt(h, 11_000, slow, 10_499)).toBe('modifying');
    expect(pendingValuesAt(h, 10_499)).toEqual({ DBInstanceClass: 'db.r6g.large' });
    expect(statusAt(h, 11_000, slow, 10_500)).toBeUndefined();
    expect(pendingValuesAt(h, 10_500)).toEqual({});
  });

  it('keeps a deleted instance deleting for the deleting time, then gone', () => {
    const h = { ...newHistory(), createdAt: 0, deletingSince: 100_000 };
    expect(statusAt(h, 104_999, slow)).toBe('deleting');
    expect(statusAt(h, 105_000, slow)).toBe('gone');
  });

  it('reboots for the rebooting time', () => {
    const h = { ...newHistory(), rebootedAt: 0 };
    expect(statusAt(h, 2_999, slow)).toBe('rebooting');
    expect(statusAt(h, 3_000, slow)).toBeUndefined();
  });

  it('shows later requests over earlier ones in the pending values', () => {
    const h = newHistory();
    h.modifications.push({ body: '', pending: { DBInstanceClass: 'db.r6g.large', AllocatedStorage: '100' }, requestedAt: 0 });
    h.modifications.push({ body: '', pending: { DBInstanceClass: 'db.r6g.xlarge' }, requestedAt: 1 });
    expect(pendingValuesAt(h, 2)).toEqual({ DBInstanceClass: 'db.r6g.xlarge', AllocatedStorage: '100' });
  });
});

describe('refusalFor', () => {
  it('refuses changes to an instance that is not available, as RDS does', () => {
    expect(refusalFor('ModifyDBInstance', 'creating')).toMatch(/not in available state/);
    expect(refusalFor('CreateDBInstanceReadReplica', 'modifying')).toMatch(/not in available state/);
    expect(refusalFor('ModifyDBInstance', undefined)).toBeUndefined();
    expect(refusalFor('ModifyDBInstance', 'backing-up')).toBeUndefined();
    expect(refusalFor('DeleteDBInstance', 'deleting')).toMatch(/already being deleted/);
    expect(refusalFor('DeleteDBInstance', 'creating')).toBeUndefined();
    expect(refusalFor('DescribeDBInstances', 'creating')).toBeUndefined();
  });
});

describe('snapshotStatusAt', () => {
  it('keeps a final snapshot creating for its time', () => {
    expect(snapshotStatusAt(0, 7_999, slow)).toBe('creating');
    expect(snapshotStatusAt(0, 8_000, slow)).toBeUndefined();
  });
});
