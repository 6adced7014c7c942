// The decisions of leader election on a coordination.k8s.io Lease, as client-go's leaderelection makes them, kept
// pure so that every case can be tested without a clock or a server.
//
// Expiry is judged on the *local* clock: a candidate notes when it first saw the current record (any change of
// holder or renewTime), and takes the lease over only after leaseDurationSeconds have passed on its own clock since
// then. Comparing renewTime with the local wall clock instead would make leadership depend on clock skew between
// machines.

export interface LeaseRecord {
  /** Empty when nobody holds the lease (after a release). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions: number;
}

export interface LeaseObservation {
  record: LeaseRecord;
  /** Local monotonic time (ms) at which this record was first seen. */
  observedAtMs: number;
}

export type LeaseDecision =
  | { kind: 'create'; record: LeaseRecord }
  /** Write `record` (with the read resourceVersion). `acquired` is true when leadership changes hands. */
  | { kind: 'update'; record: LeaseRecord; acquired: boolean }
  | { kind: 'held'; holder: string; expiresInMs: number };

export interface DecideInput {
  /** The lease as read, or undefined when it does not exist. */
  current: LeaseRecord | undefined;
  /** When the current record was first seen, on the local monotonic clock. */
  observedAtMs: number;
  nowMs: number;
  /** Wall-clock time written into acquireTime and renewTime. */
  wallClock: Date;
  identity: string;
  leaseDurationSeconds: number;
}

export function decideLease(input: DecideInput): LeaseDecision {
  const { current, identity, wallClock, leaseDurationSeconds } = input;
  if (current === undefined) {
    return {
      kind: 'create',
      record: { holderIdentity: identity, leaseDurationSeconds, acquireTime: wallClock, renewTime: wallClock, leaseTransitions: 0 },
    };
  }
  const heldByMe = current.holderIdentity === identity;
  if (current.holderIdentity !== '' && !heldByMe) {
    // The holder's own lease duration counts, not ours: it promised to renew within it.
    const expiresAtMs = input.observedAtMs + current.leaseDurationSeconds * 1_000;
    if (expiresAtMs > input.nowMs) {
      return { kind: 'held', holder: current.holderIdentity, expiresInMs: expiresAtMs - input.nowMs };
    }
  }
  if (heldByMe) {
    return { kind: 'update', acquired: false, record: { ...current, leaseDurationSeconds, renewTime: wallClock } };
  }
  return {
    kind: 'update',
    acquired: true,
    record: {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: wallClock,
      renewTime: wallClock,
      leaseTransitions: current.leaseTransitions + 1,
    },
  };
}

/** What the holder writes when it steps down, so that a candidate takes over at its next retry instead of waiting
 * for expiry. Only the holder may write it (the caller checks), and only after its work has stopped. */
export function releasedRecord(current: LeaseRecord, wallClock: Date): LeaseRecord {
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: wallClock,
    renewTime: wallClock,
    leaseTransitions: current.leaseTransitions,
  };
}

/** Whether two reads show the same record, which decides whether the observation clock restarts. */
export function sameLeaseRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.leaseTransitions === b.leaseTransitions &&
    a.acquireTime?.getTime() === b.acquireTime?.getTime() &&
    a.renewTime?.getTime() === b.renewTime?.getTime()
  );
}
