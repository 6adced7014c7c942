// The time an RDS instance spends in each state, as a pure function of what happened to it and the clock. The
// emulator underneath finishes everything at once; this decides what the proxy reports instead.

/** How long each transition lasts, in milliseconds. Real RDS (db.t4g/db.r6g, 20-100 GiB): creating 5-15 min,
 * backing-up after a create 2-5 min, modifying a class 5-15 min, deleting 2-10 min, a final snapshot 2-10 min,
 * rebooting 1-3 min. Tests use seconds. */
export interface Durations {
  creatingMs: number;
  backingUpMs: number;
  modifyingMs: number;
  deletingMs: number;
  snapshotCreatingMs: number;
  rebootingMs: number;
}

/** What moto does: every transition is over at once. */
export const INSTANT: Durations = { creatingMs: 0, backingUpMs: 0, modifyingMs: 0, deletingMs: 0, snapshotCreatingMs: 0, rebootingMs: 0 };

/** One held-back ModifyDBInstance: the emulator gets it when it is applied. */
export interface PendingModification {
  /** The request as the operator sent it (the password of a MasterUserPassword change included; never logged). */
  body: string;
  pending: Record<string, string>;
  requestedAt: number;
  /** Set when the change starts applying: at once with ApplyImmediately, else when the maintenance window comes. */
  applyingSince?: number;
  /** Set while the change is on its way to the emulator, so that a concurrent call does not send it twice. */
  applying?: boolean;
  /** The first moment a call can only have read the emulator with the change in it: set once the emulator has
   * answered it. A call that began earlier may have read the emulator before, so it still sees the change pending. */
  appliedAt?: number;
}

function isApplied(m: PendingModification, readAt: number): boolean {
  return m.appliedAt !== undefined && m.appliedAt <= readAt;
}

export interface InstanceHistory {
  createdAt?: number;
  modifications: PendingModification[];
  rebootedAt?: number;
  deletingSince?: number;
  /** The instance as it was described just before it was deleted, listed while it is deleting. */
  lastSeen?: string;
}

export function newHistory(): InstanceHistory {
  return { modifications: [] };
}

/** The status RDS would report, or undefined to report the emulator's own (`available`), or 'gone' once a
 * delete has finished. `readAt`: when the emulator was asked, for an answer built on what it said (a change applied
 * after that may be missing from it). */
export function statusAt(history: InstanceHistory, now: number, d: Durations, readAt = now): string | undefined {
  if (history.deletingSince !== undefined) return now < history.deletingSince + d.deletingMs ? 'deleting' : 'gone';
  if (history.createdAt !== undefined) {
    if (now < history.createdAt + d.creatingMs) return 'creating';
    if (now < history.createdAt + d.creatingMs + d.backingUpMs) return 'backing-up';
  }
  // Modifying until the emulator has the change (the proxy sends it at the first call after its time is over),
  // so no answer shows the instance available with the old values.
  if (history.modifications.some((m) => m.applyingSince !== undefined && !isApplied(m, readAt))) return 'modifying';
  if (history.rebootedAt !== undefined && now < history.rebootedAt + d.rebootingMs) return 'rebooting';
  return undefined;
}

/** RDS accepts ModifyDBInstance, CreateDBInstanceReadReplica (as the source) and RebootDBInstance only from an
 * available instance; DeleteDBInstance from anything but deleting. */
export function refusalFor(action: string, status: string | undefined): string | undefined {
  const current = status ?? 'available';
  if (current === 'gone') return undefined;
  if (action === 'DeleteDBInstance') return current === 'deleting' ? 'is already being deleted' : undefined;
  if (['ModifyDBInstance', 'RebootDBInstance', 'CreateDBInstanceReadReplica'].includes(action) && current !== 'available' && current !== 'backing-up') {
    return `is not in available state (${current})`;
  }
  return undefined;
}

/** Changes whose time has come: applying and past their modifying time, not yet sent to the emulator. */
export function dueModifications(history: InstanceHistory, now: number, d: Durations): PendingModification[] {
  return history.modifications.filter(
    (m) => m.appliedAt === undefined && m.applying !== true && m.applyingSince !== undefined && now >= m.applyingSince + d.modifyingMs,
  );
}

/** What PendingModifiedValues shows: every change not yet applied, later requests winning. */
export function pendingValuesAt(history: InstanceHistory, readAt: number): Record<string, string> {
  return Object.assign({}, ...history.modifications.filter((m) => !isApplied(m, readAt)).map((m) => m.pending)) as Record<string, string>;
}

/** The maintenance window came: every change waiting for it starts applying now. */
export function startMaintenance(history: InstanceHistory, now: number): number {
  let started = 0;
  for (const m of history.modifications) {
    if (m.applyingSince === undefined) {
      m.applyingSince = now;
      started++;
    }
  }
  return started;
}

/** A final snapshot taken by a delete is `creating` until its time has passed. */
export function snapshotStatusAt(takenAt: number, now: number, d: Durations): string | undefined {
  return now < takenAt + d.snapshotCreatingMs ? 'creating' : undefined;
}
