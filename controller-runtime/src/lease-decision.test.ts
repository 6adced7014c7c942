import { describe, expect, it } from 'vitest';
import { decideLease, releasedRecord, sameLeaseRecord, type DecideInput, type LeaseDecision, type LeaseRecord } from './lease-decision.js';

const t0 = new Date('2026-11-26T10:00:00.000Z');
const later = new Date('2026-11-26T10:00:20.000Z');

function held(holderIdentity: string, extra: Partial<LeaseRecord> = {}): LeaseRecord {
  return { holderIdentity, leaseDurationSeconds: 15, acquireTime: t0, renewTime: t0, leaseTransitions: 3, ...extra };
}

/** The decision to write `record`; `acquired` when it makes this candidate the new holder. */
function update({ acquired }: { acquired: boolean }, record: LeaseRecord): LeaseDecision {
  return { kind: 'update', acquired, record };
}

function input(current: LeaseRecord | undefined, extra: Partial<DecideInput> = {}): DecideInput {
  return { current, observedAtMs: 1_000, nowMs: 1_000, wallClock: later, identity: 'me', leaseDurationSeconds: 15, ...extra };
}

describe('decideLease', () => {
  it('creates a missing lease, held by me from now', () => {
    expect(decideLease(input(undefined))).toEqual({
      kind: 'create',
      record: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: later, renewTime: later, leaseTransitions: 0 },
    });
  });

  it('leaves a lease another candidate renewed recently alone, saying when it would expire', () => {
    expect(decideLease(input(held('other'), { observedAtMs: 1_000, nowMs: 11_000 }))).toEqual({
      kind: 'held',
      holder: 'other',
      expiresInMs: 5_000,
    });
  });

  it('measures expiry with the holder’s lease duration, not its own', () => {
    const decision = decideLease(input(held('other', { leaseDurationSeconds: 60 }), { nowMs: 30_000, leaseDurationSeconds: 15 }));
    expect(decision).toMatchObject({ kind: 'held', expiresInMs: 31_000 });
  });

  it('does not take a lease over at exactly its expiry, only after it', () => {
    expect(decideLease(input(held('other'), { observedAtMs: 0, nowMs: 14_999 })).kind).toBe('held');
    expect(decideLease(input(held('other'), { observedAtMs: 0, nowMs: 15_000 }))).toMatchObject({ kind: 'update', acquired: true });
  });

  it('takes an expired lease over: new holder, acquire time, one more transition', () => {
    expect(decideLease(input(held('other'), { observedAtMs: 0, nowMs: 16_000 }))).toEqual(
      update({ acquired: true }, held('me', { acquireTime: later, renewTime: later, leaseTransitions: 4 })),
    );
  });

  it('takes a released lease (no holder) at once', () => {
    const released = releasedRecord(held('other'), t0);
    expect(decideLease(input(released, { observedAtMs: 1_000, nowMs: 1_000 }))).toMatchObject({
      kind: 'update',
      acquired: true,
      record: { holderIdentity: 'me', leaseTransitions: 4 },
    });
  });

  it('renews its own lease: same acquire time and transitions, new renew time', () => {
    expect(decideLease(input(held('me'), { observedAtMs: 0, nowMs: 100_000 }))).toEqual(update({ acquired: false }, held('me', { renewTime: later })));
  });

  it('ignores the wall-clock renewTime: a holder with a skewed clock is judged by local observation', () => {
    const stale = held('other', { renewTime: new Date('2000-01-01T00:00:00Z') });
    expect(decideLease(input(stale, { observedAtMs: 1_000, nowMs: 2_000 })).kind).toBe('held');
  });
});

describe('releasedRecord', () => {
  it('clears the holder and keeps the transition count', () => {
    expect(releasedRecord(held('me'), later)).toEqual({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: later,
      renewTime: later,
      leaseTransitions: 3,
    });
  });
});

describe('sameLeaseRecord', () => {
  it('compares every field, times by value', () => {
    expect(sameLeaseRecord(held('a'), held('a', { renewTime: new Date(t0.getTime()) }))).toBe(true);
    expect(sameLeaseRecord(held('a'), held('b'))).toBe(false);
    expect(sameLeaseRecord(held('a'), held('a', { renewTime: later }))).toBe(false);
    expect(sameLeaseRecord(held('a'), held('a', { leaseTransitions: 4 }))).toBe(false);
    expect(sameLeaseRecord(held('a'), held('a', { acquireTime: undefined }))).toBe(false);
  });
});
