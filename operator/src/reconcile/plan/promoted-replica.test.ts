import { describe, expect, it } from 'vitest';
import { BASE, aReplicaSetDB, aWorld } from '../testing/fixtures.js';
import { NOW, plan, stepOf, stepsOf } from '../testing/plan-helpers.js';
import { planPublication } from './publication.js';

// r2 was promoted out of band (a disaster-recovery step, or RDS promoting it when the primary was deleted): it
// keeps our tags but no longer replicates from the primary, and may hold writes the primary does not have.
const PROMOTED = { replicationSource: undefined };

describe('plan: a replica promoted to a standalone database', () => {
  it('blocks every change while the object is live, naming the instance and what a person can do', () => {
    const world = aWorld(aReplicaSetDB().withReplicas(2)).inSync().withReplica(2, PROMOTED);
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('ReplicaPromoted');
    expect(p.blocker?.message).toContain(`${BASE}-r2 no longer replicates from ${BASE}`);
    expect(p.blocker?.message).toContain('--new-db-instance-identifier');
  });

  it('leaves the published topology: it no longer follows the primary', () => {
    const world = aWorld(aReplicaSetDB().withReplicas(2)).inSync().withReplica(2, PROMOTED).build();
    const document = planPublication(world, NOW).publication?.document;
    expect(document?.replicas.map((r) => r.id)).toEqual([`${BASE}-r1`]);
  });

  it('is not deleted by a scale-down', () => {
    const world = aWorld(aReplicaSetDB().withReplicas(1)).inSync().withReplica(2, PROMOTED);
    const p = plan(world.build());
    expect(stepsOf(p)).not.toContain(`deleteInstance ${BASE}-r2`);
    expect(p.blocker?.reason).toBe('ReplicaPromoted');
  });

  it('Snapshot: is deleted with a final snapshot of its own when the object is deleted', () => {
    const db = aReplicaSetDB().withReplicas(2).withSpec({ deletionPolicy: 'Snapshot' }).beingDeleted();
    const p = plan(aWorld(db).inSync().withReplica(2, PROMOTED).build());
    expect(stepsOf(p)).toEqual([`deleteInstance ${BASE}-r2`, `deleteInstance ${BASE}-r1`]);
    expect(stepOf(p, 'deleteInstance', `${BASE}-r2`).finalSnapshot).toEqual({ finalSnapshotIdentifier: `${BASE}-r2-final-3f6c1e2a9b7d` });
    // A replica that still replicates holds nothing of its own.
    expect(stepOf(p, 'deleteInstance', `${BASE}-r1`).finalSnapshot).toBe('skip');
  });

  it('Snapshot: waits for a person when RDS cannot take its final snapshot', () => {
    const db = aReplicaSetDB().withReplicas(1).withSpec({ deletionPolicy: 'Snapshot' }).beingDeleted();
    const p = plan(
      aWorld(db)
        .inSync()
        .withReplica(1, { ...PROMOTED, status: 'failed' })
        .build(),
    );
    expect(stepsOf(p)).toEqual([]);
    expect(p.blocker?.reason).toBe('FinalSnapshotImpossible');
    expect(p.blocker?.message).toContain(`${BASE}-r1`);
  });

  it('Delete: is deleted without a snapshot, as the policy says', () => {
    const db = aReplicaSetDB().withReplicas(1).withSpec({ deletionPolicy: 'Delete' }).beingDeleted();
    const p = plan(aWorld(db).inSync().withReplica(1, PROMOTED).build());
    expect(stepOf(p, 'deleteInstance', `${BASE}-r1`).finalSnapshot).toBe('skip');
  });
});
