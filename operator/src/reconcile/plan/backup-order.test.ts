import { describe, expect, it } from 'vitest';
import { BASE, aReplicaSetDB, aWorld } from '../testing/fixtures.js';
import { plan, stepOf, stepsOf } from '../testing/plan-helpers.js';

// backup.retentionDays 0 turns automated backups off, which RDS refuses while the instance has a read replica.
const backupsOff = () =>
  aReplicaSetDB()
    .withReplicas(0)
    .withSpec({ backup: { retentionDays: 0 }, deletionProtection: true });

describe('plan: backups are turned off only once the replicas are gone', () => {
  it('retires the replica and holds back retention 0 while it exists, sending the other settings', () => {
    const world = aWorld(backupsOff())
      .inSync()
      .withPrimary({ backupRetentionDays: 7, deletionProtection: false })
      .withReplica(1, { deletionProtection: false });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([`deleteInstance ${BASE}-r1`, `modifyInstance ${BASE}`]);
    expect(stepOf(p, 'modifyInstance', BASE).changes).toEqual({ deletionProtection: true });
    expect(p.waits.map((w) => w.message)).toContain(`backups of ${BASE} are turned off once its read replicas are gone (RDS refuses it while one exists)`);
  });

  it('waits while a replica RDS still lists is being deleted', () => {
    const world = aWorld(backupsOff()).inSync().withPrimary({ backupRetentionDays: 7 }).withReplica(1, { status: 'deleting' });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([]);
  });

  it('waits for a replica of the primary that is not ours, too: RDS counts every replica', () => {
    const world = aWorld(backupsOff())
      .inSync()
      .withPrimary({ backupRetentionDays: 7, replicaIdentifiers: ['someone-elses-replica'] });
    expect(stepsOf(plan(world.build()))).toEqual([]);
  });

  it('sends retention 0 once no replica is left', () => {
    const world = aWorld(backupsOff()).inSync().withPrimary({ backupRetentionDays: 7 });
    const p = plan(world.build());
    expect(stepOf(p, 'modifyInstance', BASE).changes).toEqual({ backupRetentionDays: 0 });
  });

  it('a retention above 0 is not held back by replicas', () => {
    const world = aWorld(
      aReplicaSetDB()
        .withReplicas(1)
        .withSpec({ backup: { retentionDays: 3 } }),
    )
      .inSync()
      .withPrimary({ backupRetentionDays: 7 });
    expect(stepOf(plan(world.build()), 'modifyInstance', BASE).changes).toEqual({ backupRetentionDays: 3 });
  });
});
