// A replica promoted outside the operator holds writes of its own: it is deleted only as the deletionPolicy says a
// primary is, and never by a scale-down. The reconciler here is wired as the operator wires it, behind the steady
// cache at the default steady resync (an inventory kept 8 minutes), so the observation that plans a deletion can
// predate the promotion; the fresh describe right before DeleteDBInstance is what must catch it.
import { describe, expect, it } from 'vitest';
import { finalSnapshotIdentifier } from '../naming/index.js';
import type { FakeRds } from '../rds/testing/fake-rds.js';
import { BASE, UID } from './testing/fixtures.js';
import { DEFAULT_TRANSITIONING_MS, atDefaultDrain, productionWorld } from './testing/production-world.js';

const R1 = `${BASE}-r1`;
const R2 = `${BASE}-r2`;
const TRANSITIONING_MS = DEFAULT_TRANSITIONING_MS;
const world = (replicas: number) => productionWorld(replicas);

/** What PromoteReadReplica leaves once done: a standalone instance the primary no longer lists. */
function promote(rds: FakeRds, id: string): void {
  delete rds.instances.get(id)!.replicationSource;
  const primary = rds.instances.get(BASE);
  if (primary) primary.replicaIdentifiers = primary.replicaIdentifiers.filter((r) => r !== id);
}

describe('a replica promoted outside the operator, with the steady cache at the default resync', () => {
  it('is deleted with a final snapshot when the ReplicaSetDB is deleted minutes after the promotion', async () => {
    const w = world(1);
    await w.steady();
    w.advance(120_000);
    promote(w.rds, R1);
    w.advance(60_000);
    w.kube.delete(w.ref);
    for (let i = 0; i < 4; i++) {
      await w.pass();
      w.advance(TRANSITIONING_MS);
    }
    expect(w.deleted()).toContain(R1);
    expect([...w.rds.snapshots.keys()]).toContain(finalSnapshotIdentifier(R1, UID));
  });

  it('is deleted without a snapshot under deletionPolicy Delete, as the policy says', async () => {
    const w = world(1);
    w.kube.put(atDefaultDrain(1).withSpec({ deletionPolicy: 'Delete' }).build());
    await w.steady();
    w.advance(120_000);
    promote(w.rds, R1);
    w.advance(60_000);
    w.kube.delete(w.ref);
    for (let i = 0; i < 6; i++) {
      await w.pass();
      w.advance(TRANSITIONING_MS);
    }
    expect(w.deleted()).toEqual([R1, BASE]);
    expect(w.rds.snapshots.size).toBe(0);
    expect(w.kube.record(w.ref)).toBeUndefined();
  });

  it('keeps the data of replicas RDS promoted when the primary was deleted by hand', async () => {
    const w = world(2);
    await w.steady();
    w.advance(60_000);
    w.rds.instances.delete(BASE);
    promote(w.rds, R1);
    promote(w.rds, R2);
    w.advance(180_000);
    w.kube.delete(w.ref);
    for (let i = 0; i < 6; i++) {
      await w.pass();
      w.advance(TRANSITIONING_MS);
    }
    const lost = [R1, R2].filter((id) => !w.rds.instances.has(id) && !w.rds.snapshots.has(finalSnapshotIdentifier(id, UID)));
    expect(lost).toEqual([]);
  });

  it('is not deleted by the scale-down it was draining for', async () => {
    const w = world(2);
    await w.steady();
    w.kube.put(atDefaultDrain(1).build());
    await w.pass();
    w.advance(TRANSITIONING_MS);
    await w.pass();
    promote(w.rds, R2);
    // Past drainSeconds (150 s), well before the inventory expires.
    for (let i = 0; i < 20; i++) {
      w.advance(TRANSITIONING_MS);
      await w.pass();
    }
    expect(w.deleted()).not.toContain(R2);
    expect(w.rds.instances.has(R2)).toBe(true);
    expect(w.kube.record(w.ref)?.status?.conditions?.map((c) => c.reason)).toContain('ReplicaPromoted');
  });
});
