// The invariants every fault-suite run is checked against, from the layer's journal, the emulator's own state and
// what the run watched in Kubernetes. Each returns what it found, never throws: the suite counts violations.
import type { JournalEntry } from '../env/rds-world/journal.js';
import type { RealisticRds } from '../env/rds-world/proxy.js';
import { core, instancesInEmulator, snapshotsInEmulator, TAG_OWNER_UID, TAG_ROLE, type Run } from './suite.js';

export interface InvariantReport {
  checked: number;
  violations: string[];
  /** Replicas deleted with the whole ReplicaSetDB without being published draining. */
  undrainedOnDeletion: number;
}

export interface Expected {
  /** Instances that should exist once converged (1 + replicas, 0 after deletion). */
  instances: number;
  deletionPolicy: 'Snapshot' | 'Delete';
  drainSeconds: number;
}

/** Calls the emulator executed successfully (an answer dropped after execution counts: RDS did it). */
export function executed(journal: readonly JournalEntry[], operation: string): JournalEntry[] {
  return journal.filter((e) => e.operation === operation && e.executed && e.outcome === 'ok');
}

export async function checkInvariants(run: Run, world: RealisticRds, expected: Expected): Promise<InvariantReport> {
  const violations: string[] = [];
  let checked = 0;
  const journal = world.journal;
  const instances = await instancesInEmulator();
  const creates = [...executed(journal, 'CreateDBInstance'), ...executed(journal, 'CreateDBInstanceReadReplica')];
  const deletes = executed(journal, 'DeleteDBInstance');
  const primaryId = executed(journal, 'CreateDBInstance')[0]?.identifiers[0];

  // 1. No duplicate instances: no more instances than desired, and no identifier created twice without a delete.
  checked++;
  if (instances.length > expected.instances)
    violations.push(`duplicates: ${instances.length} instances, expected ${expected.instances}: ${instances.map((i) => i.DBInstanceIdentifier).join(', ')}`);
  const createdTimes = new Map<string, number>();
  for (const c of creates) createdTimes.set(c.identifiers[0]!, (createdTimes.get(c.identifiers[0]!) ?? 0) + 1);
  for (const [id, times] of createdTimes) {
    const deleted = deletes.filter((d) => d.identifiers[0] === id).length;
    if (times > deleted + 1) violations.push(`duplicates: ${id} created ${times} times, deleted ${deleted} times`);
  }

  // 2. Every instance carries the ownership tags.
  checked++;
  for (const db of instances)
    if (!db.tags[TAG_OWNER_UID] || !db.tags[TAG_ROLE]) violations.push(`untagged: ${db.DBInstanceIdentifier} has tags ${JSON.stringify(db.tags)}`);

  // 3. The Secret holds the password CreateDBInstance sent (compared here, never printed).
  if (primaryId !== undefined) {
    checked++;
    const sent = world.masterPasswordOf(primaryId);
    const secret = await core()
      .readNamespacedSecret({ name: `${run.name}-credentials`, namespace: run.namespace })
      .catch(() => undefined);
    const stored = secret?.data?.password !== undefined ? Buffer.from(secret.data.password, 'base64').toString('utf8') : undefined;
    if (sent === undefined || stored !== sent)
      violations.push(`password: the Secret's password ${stored === undefined ? 'is missing' : 'differs from'} the one CreateDBInstance of ${primaryId} sent`);
  }

  // 4. Under Snapshot, no primary deleted without a final snapshot, and the snapshot exists.
  if (expected.deletionPolicy === 'Snapshot') {
    const snapshots = await snapshotsInEmulator();
    for (const d of deletes.filter((e) => e.identifiers[0] === primaryId)) {
      checked++;
      const snapshot = d.identifiers[1];
      if (snapshot === undefined) violations.push(`snapshot: primary ${primaryId} deleted without FinalDBSnapshotIdentifier`);
      else if (!snapshots.includes(snapshot)) violations.push(`snapshot: final snapshot ${snapshot} of ${primaryId} not found`);
    }
  }

  // 5. No replica retired while the ReplicaSetDB lives is deleted before it was published draining for
  // drainSeconds (the watch polls every 200 ms, so the time seen is a lower bound of the real one; 300 ms of
  // slack covers the poll). Deleting the whole ReplicaSetDB deletes its replicas without a drain (plan/delete.ts):
  // those are counted apart, not checked.
  const replicaDeletes = deletes.filter((e) => e.identifiers[0] !== primaryId);
  const undrainedOnDeletion = replicaDeletes.filter(
    (e) => run.deletionRequestedAt !== undefined && e.at >= run.deletionRequestedAt && !run.drainingSeenAt.has(e.identifiers[0]!),
  ).length;
  for (const d of replicaDeletes.filter((e) => run.deletionRequestedAt === undefined || e.at < run.deletionRequestedAt)) {
    checked++;
    const id = d.identifiers[0]!;
    const seen = run.drainingSeenAt.get(id);
    if (seen === undefined) violations.push(`drain: replica ${id} deleted at ${new Date(d.at).toISOString()} without being published draining`);
    else if (d.at - seen < expected.drainSeconds * 1000 - 300)
      violations.push(`drain: replica ${id} deleted ${d.at - seen} ms after it was published draining (drainSeconds ${expected.drainSeconds})`);
  }
  return { checked, violations, undrainedOnDeletion };
}

/** Faults the layer put into a run: injected errors and calls cut off around a kill. */
export function faultsInjected(journal: readonly JournalEntry[]): number {
  return journal.filter((e) => e.injected === 'throttle' || e.injected === 'server-error' || e.injected === 'scripted' || e.dropped === true).length;
}
