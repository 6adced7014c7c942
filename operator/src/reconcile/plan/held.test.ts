import { describe, expect, it } from 'vitest';
import type { ReplicaSetDBStatus } from '../../api/index.js';
import {
  BASE,
  CLASS_CHANGE_HELD,
  OWNER,
  STORAGE_CHANGE_DEFERRED,
  aReplicaSetDB,
  aWorld,
  ownershipTags,
  storageGrowthHolding,
  type ReplicaSetDBBuilder,
} from '../testing/fixtures.js';
import { plan, stepOf, stepsOf } from '../testing/plan-helpers.js';

type Held = NonNullable<ReplicaSetDBStatus['heldChanges']>[number];

const replicaRejected: Held = {
  subject: `${BASE}-r2`,
  operation: 'CreateDBInstanceReadReplica',
  code: 'InvalidParameterCombination',
  message: 'no',
  generation: 1,
};

/** Spec: one replica, a new primary class; two replicas exist, the primary runs the old class. */
function scaledDownAndResized(db: ReplicaSetDBBuilder = aReplicaSetDB()) {
  return aWorld(db.withReplicas(2)).inSync().withPrimary({ instanceClass: 'db.r6g.large' }).build();
}

/** A world in sync whose spec asks for `replicas` replicas and whose status holds `held`. */
function holding(replicas: number, held: Held) {
  return aWorld(
    aReplicaSetDB()
      .withReplicas(replicas)
      .withStatus({ heldChanges: [held] }),
  ).inSync();
}

describe('plan: a change RDS rejected is held, the rest goes on', () => {
  it('without a hold, the class change of the primary is planned (the baseline of the next tests)', () => {
    const p = plan(aWorld(aReplicaSetDB()).inSync().withPrimary({ instanceClass: 'db.r6g.large' }).build());
    expect(stepOf(p, 'modifyInstance', BASE).changes).toEqual({ instanceClass: 'db.r6g.xlarge' });
  });

  it('retires a surplus replica while the rejected class change of the primary is held', () => {
    const world = holding(1, CLASS_CHANGE_HELD).withReplica(2, {}).withPrimary({ instanceClass: 'db.r6g.large' });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([`deleteInstance ${BASE}-r2`]);
    expect(p.blocker).toBeUndefined();
    expect(p.pendingChanges).toContain(
      `${BASE}: instanceClass db.r6g.large -> db.r6g.xlarge (held: RDS rejected it with InvalidParameterValue; change the spec to try again)`,
    );
  });

  it('sends the other changes of the same instance: the group after the held one', () => {
    const next = plan(
      aWorld(aReplicaSetDB().withStatus({ heldChanges: [CLASS_CHANGE_HELD] }))
        .inSync()
        .withPrimary({ instanceClass: 'db.r6g.large', multiAZ: true })
        .build(),
    );
    expect(stepOf(next, 'modifyInstance', BASE).changes).toEqual({ multiAZ: false });
  });

  it('holds a rejected replica creation and still tags the others', () => {
    const world = holding(2, replicaRejected)
      .withReplica(2, undefined)
      .withReplica(1, { tags: ownershipTags(OWNER) });
    const p = plan(world.build());
    expect(stepsOf(p)).toEqual([`tagResource ${BASE}-r1`]);
    expect(p.pendingChanges.some((c) => c.startsWith(`${BASE}-r2: CreateDBInstanceReadReplica held`))).toBe(true);
  });

  it('a new generation releases the hold', () => {
    const db = aReplicaSetDB()
      .withReplicas(1)
      .withGeneration(2)
      .withStatus({ heldChanges: [CLASS_CHANGE_HELD] });
    const p = plan(aWorld(db).inSync().withPrimary({ instanceClass: 'db.r6g.large' }).build());
    expect(stepOf(p, 'modifyInstance', BASE).changes).toEqual({ instanceClass: 'db.r6g.xlarge' });
  });

  it('a Ready=False AwsRejected condition alone holds nothing: only status.heldChanges does', () => {
    const conditions = [
      { type: 'Ready', status: 'False' as const, observedGeneration: 1, lastTransitionTime: '2026-11-26T15:00:00Z', reason: 'AwsRejected', message: 'x' },
    ];
    const p = plan(scaledDownAndResized(aReplicaSetDB().withStatus({ conditions })));
    expect(p.blocker).toBeUndefined();
    expect(stepsOf(p)).toContain(`modifyInstance ${BASE}`);
  });
});

describe('plan: a change RDS takes only later waits for its time, then is sent again', () => {
  const storageCooldown = STORAGE_CHANGE_DEFERRED;
  const retryAt = Date.parse(storageCooldown.retryAt!);
  const grown = (held: Held) => storageGrowthHolding([held]);

  it('before retryAt the storage change is not sent, and pendingChanges says when it will be', () => {
    const p = plan(grown(storageCooldown), { now: new Date(retryAt - 1) });
    expect(stepsOf(p)).toEqual([]);
    expect(p.pendingChanges).toContain(
      `${BASE}: allocatedStorageGiB 100 -> 200 (waits: RDS takes it only later (InvalidParameterCombination); sent again after ${storageCooldown.retryAt})`,
    );
  });

  it('at retryAt the hold lapses and the same change is sent, with no spec change', () => {
    const p = plan(grown(storageCooldown), { now: new Date(retryAt) });
    expect(stepOf(p, 'modifyInstance', BASE).changes).toEqual({ allocatedStorageGiB: 200 });
  });

  it('the primary is not resized past a replica whose resize waits, and says until when', () => {
    const replicaWaits: Held = { ...storageCooldown, subject: `${BASE}-r1`, fields: ['instanceClass'] };
    const world = (held: Held) =>
      aWorld(
        aReplicaSetDB()
          .withReplicas(1)
          .withoutReplicaClass()
          .withStatus({ heldChanges: [held] }),
      )
        .inSync()
        .withPrimary({ instanceClass: 'db.r6g.large' })
        .withReplica(1, { instanceClass: 'db.r6g.large' })
        .build();
    const waiting = plan(world(replicaWaits));
    expect(stepsOf(waiting)).toEqual([]);
    expect(waiting.pendingChanges).toContain(
      `${BASE}: instanceClass db.r6g.large -> db.r6g.xlarge (waits: RDS takes the resize of ${BASE}-r1 only after ${replicaWaits.retryAt})`,
    );
    const { retryAt: _, ...rejected } = replicaWaits;
    const held = plan(world(rejected));
    expect(stepsOf(held)).toEqual([]);
    expect(held.pendingChanges).toContain(
      `${BASE}: instanceClass db.r6g.large -> db.r6g.xlarge (held: RDS rejected the resize of ${BASE}-r1; change the spec to try again)`,
    );
    // Once the replica's hold lapses, its resize goes first, and the primary still waits for it.
    const lapsed = plan(world(replicaWaits), { now: new Date(retryAt) });
    expect(stepsOf(lapsed)).toEqual([`modifyInstance ${BASE}-r1`]);
  });
});
