import { describe, expect, it } from 'vitest';
import type { ApplyOutcome } from './apply.js';
import { buildStatus, decideVerdict } from './status.js';
import { BASE, CLASS_CHANGE_HELD, STORAGE_CHANGE_DEFERRED, aReplicaSetDB, aWorld, storageGrowthHolding, type WorldBuilder } from './testing/fixtures.js';
import { NOW, plan } from './testing/plan-helpers.js';
import type { Observed } from './observed.js';

const nothingDone: ApplyOutcome = { executed: [], instances: new Map(), finalizerRemoved: false };

function statusOf(observed: Observed, outcome: ApplyOutcome = nothingDone) {
  const p = plan(observed);
  const verdict = decideVerdict(observed, p, outcome, { now: NOW });
  return { verdict, status: buildStatus(observed, p, outcome, verdict, NOW) };
}

describe('status', () => {
  it('is Ready with three conditions for a world in sync', () => {
    const { verdict, status } = statusOf(aWorld(aReplicaSetDB().withReplicas(2)).inSync().build());
    expect(verdict.transitioning).toBe(false);
    expect(status.phase).toBe('Ready');
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'Available'],
      ['Progressing', 'False', 'Converged'],
      ['Degraded', 'False', 'Healthy'],
    ]);
    expect(status.pendingChanges).toBeUndefined();
  });

  it('is Degraded when an instance needs a person, with what to do', () => {
    const { status } = statusOf(aWorld().inSync().withReplica(1, { status: 'storage-full' }).build());
    expect(status.phase).toBe('Degraded');
    expect(status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'InstanceUnhealthy',
      message: expect.stringContaining(`${BASE}-r1 is storage-full: raise spec.primary.allocatedStorageGiB`),
    });
    expect(status.readyReplicas).toBe(0);
  });

  it('stays Ready while a change waits for the maintenance window, and lists it', () => {
    const db = aReplicaSetDB()
      .withReplicas(0)
      .withSpec({ primary: { instanceClass: 'db.r6g.2xlarge' } });
    const { verdict, status } = statusOf(
      aWorld(db)
        .inSync()
        .withPrimary({ instanceClass: 'db.r6g.xlarge', pending: { instanceClass: 'db.r6g.2xlarge' } })
        .build(),
    );
    expect(status.phase).toBe('Ready');
    expect(verdict.transitioning).toBe(false);
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'PendingMaintenanceWindow' });
    expect(status.pendingChanges).toEqual([`${BASE}: instanceClass db.r6g.xlarge -> db.r6g.2xlarge at the next maintenance window`]);
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = statusOf(aWorld().inSync().build()).status;
    const second = statusOf(aWorld(aReplicaSetDB().withStatus(first)).inSync().build()).status;
    expect(second).toEqual(first);
    const flipped = statusOf(aWorld(aReplicaSetDB().withStatus(first)).inSync().withReplica(1, { status: 'modifying' }).build()).status;
    expect(flipped.conditions?.find((c) => c.type === 'Degraded')?.lastTransitionTime).toBe(
      first.conditions?.find((c) => c.type === 'Degraded')?.lastTransitionTime,
    );
  });

  it('carries over what the topology publisher owns', () => {
    const previous = {
      endpoints: { configMapName: 'servio-endpoints', topologyRevision: 12 },
      replicas: [{ identifier: `${BASE}-r1`, role: 'replica' as const, lagSeconds: 0.4, routable: true, drainingSince: '2026-11-26T15:59:00Z' }],
      conditions: [{ type: 'TopologyPublished', status: 'True' as const, lastTransitionTime: '2026-11-26T15:00:00Z', reason: 'Published', message: '' }],
    };
    const { status } = statusOf(aWorld(aReplicaSetDB().withStatus(previous)).inSync().build());
    expect(status.endpoints).toEqual({ configMapName: 'servio-endpoints', topologyRevision: 12, secretName: 'servio-credentials' });
    expect(status.replicas?.[0]).toMatchObject({ lagSeconds: 0.4, routable: true, drainingSince: '2026-11-26T15:59:00Z', rdsStatus: 'available' });
    expect(status.conditions?.map((c) => c.type)).toEqual(['Ready', 'Progressing', 'Degraded', 'TopologyPublished']);
    // A draining replica no longer counts as ready.
    expect(status.readyReplicas).toBe(0);
  });

  it('does not count a replica lagging past routing.maxReplicaLagSeconds as ready', () => {
    const lagging = { replicas: [{ identifier: `${BASE}-r1`, role: 'replica' as const, lagSeconds: 5 }] };
    expect(statusOf(aWorld(aReplicaSetDB().withStatus(lagging)).inSync().build()).status.readyReplicas).toBe(0);
  });

  it('shows what the calls of this reconcile answered', () => {
    const observed = aWorld().inSync().withReplica(1, undefined).build();
    const created = { ...observed.primary()!, identifier: `${BASE}-r1`, status: 'creating', endpoint: undefined };
    const outcome: ApplyOutcome = { ...nothingDone, executed: plan(observed).steps, instances: new Map([[`${BASE}-r1`, created]]) };
    const { status } = statusOf(observed, outcome);
    expect(status.phase).toBe('Provisioning');
    expect(status.replicas).toEqual([expect.objectContaining({ identifier: `${BASE}-r1`, rdsStatus: 'creating' })]);
    expect(status.conditions?.find((c) => c.type === 'Progressing')?.message).toContain(`requested: create replica ${BASE}-r1`);
  });

  it.each([
    ['creating', 'a replica being created'],
    ['modifying', 'a replica being resized'],
    ['rebooting', 'a replica rebooting'],
  ])('names the instance it waits for and its RDS state while it is %s (%s)', (rdsStatus) => {
    const observed = aWorld(aReplicaSetDB().withReplicas(1)).inSync().withReplica(1, { status: rdsStatus }).build();
    const { status } = statusOf(observed);
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    expect(progressing).toMatchObject({ status: 'True' });
    expect(progressing?.message).toContain(`${BASE}-r1 is ${rdsStatus}`);
    expect(progressing?.message).not.toContain('waiting for instances to settle');
  });

  it('records the final snapshot once the primary deletion is requested', () => {
    const observed = aWorld(aReplicaSetDB().beingDeleted()).inSync().withReplica(1, undefined).build();
    const p = plan(observed);
    const outcome: ApplyOutcome = { ...nothingDone, executed: p.steps };
    expect(buildStatus(observed, p, outcome, decideVerdict(observed, p, outcome, { now: NOW }), NOW)).toMatchObject({
      phase: 'Deleting',
      finalSnapshotIdentifier: `${BASE}-final-3f6c1e2a9b7d`,
    });
  });
});

describe('status: changes that wait for RDS and changes held for a person', () => {
  const ONE_HOUR = 3_600_000;
  const deferred = STORAGE_CHANGE_DEFERRED;
  const grown = storageGrowthHolding;

  it('a change waiting for RDS keeps the object Ready, says when it is sent again, and wakes the operator then', () => {
    const { verdict, status } = statusOf(grown([deferred]));
    expect(status.phase).toBe('Ready');
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'WaitingForRds',
      message: `ModifyDBInstance ${BASE} (allocatedStorageGiB) is sent again after ${deferred.retryAt}: ${deferred.message}`,
    });
    expect(status.heldChanges).toEqual([deferred]);
    expect(verdict.nextRetryMs).toBe(ONE_HOUR);
  });

  it('a change held for a person makes the object Failed and names only that one', () => {
    const classAndStorage = aWorld(
      aReplicaSetDB()
        .withReplicas(0)
        .withSpec({ primary: { allocatedStorageGiB: 200 }, applyImmediately: true })
        .withStatus({ heldChanges: [deferred, CLASS_CHANGE_HELD] }),
    )
      .inSync()
      .withPrimary({ allocatedStorageGiB: 100, instanceClass: 'db.r6g.large' })
      .build();
    const { status } = statusOf(classAndStorage);
    expect(status.phase).toBe('Failed');
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'AwsRejected' });
    expect(ready?.message).toContain(CLASS_CHANGE_HELD.message);
    expect(ready?.message).not.toContain(deferred.message);
  });

  it('a deferred change RDS refuses in this reconcile is recorded with the time RDS named', () => {
    const observed = grown([]);
    const p = plan(observed);
    const step = p.steps.find((s) => s.kind === 'modifyInstance')!;
    const outcome: ApplyOutcome = {
      ...nothingDone,
      failure: { step, kind: 'cooldown', code: 'InvalidParameterCombination', operation: 'ModifyDBInstance', message: deferred.message },
    };
    const verdict = decideVerdict(observed, p, outcome, { now: NOW });
    expect(verdict.phase).toBe('Ready');
    expect(verdict.transitioning).toBe(false);
    expect(verdict.heldChanges).toEqual([{ ...deferred, fields: ['allocatedStorageGiB'] }]);
    // Without a time in the message, the AWS retry interval.
    const optimizing = 'You cannot modify the storage of this DB instance because the previous storage change is being optimized.';
    const after = decideVerdict(
      observed,
      p,
      { ...outcome, failure: { ...outcome.failure!, message: optimizing } },
      { now: NOW, intervals: { awsActionRetryMs: 120_000 } },
    );
    expect(after.heldChanges?.[0]?.retryAt).toBe(new Date(NOW.getTime() + 120_000).toISOString());
  });
});

describe('status: a credentials Secret gone while the primary exists', () => {
  it('is Degraded with CredentialsMissing, naming the Secret and what to write there, and sends nothing', () => {
    const observed = aWorld().inSync().withCredentials({ state: 'absent' }).build();
    const { status } = statusOf(observed);
    expect(plan(observed).steps).toEqual([]);
    expect(status.phase).toBe('Degraded');
    const degraded = status.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'CredentialsMissing' });
    expect(degraded?.message).toContain(`Secret ${observed.names.secret.name} does not exist`);
    expect(degraded?.message).toContain('keys username and password');
    // The database itself serves.
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Available' });
  });

  it('a password other than the one RDS has is sent once the Secret is back, where the status recorded the last one', () => {
    const recorded = aWorld(aReplicaSetDB().withStatus({ credentials: { appliedPasswordFingerprint: 'f'.repeat(64) } }))
      .inSync()
      .withCredentials({ state: 'absent' })
      .build();
    expect(statusOf(recorded).status.conditions?.find((c) => c.type === 'Degraded')?.message).toContain('or a new one, which the operator sends to RDS');
    // Adopted, or from before fingerprints: whatever the Secret holds is taken to be the password RDS has.
    const unrecorded = aWorld().inSync().withCredentials({ state: 'absent' }).build();
    expect(statusOf(unrecorded).status.conditions?.find((c) => c.type === 'Degraded')?.message).toContain('the master password RDS has now');
  });

  it('is not reported before the primary exists: the operator creates the Secret then', () => {
    const { status } = statusOf(aWorld().withCredentials({ state: 'absent' }).build());
    expect(status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'False' });
  });
});

describe('status: a held change the world has caught up with', () => {
  it('is released once RDS has what the spec asks (a person made the change), without a spec change', () => {
    // The class RDS rejected for generation 1 is what the primary runs now.
    const caughtUp = aWorld(aReplicaSetDB().withStatus({ heldChanges: [CLASS_CHANGE_HELD] }))
      .inSync()
      .build();
    const { status } = statusOf(caughtUp);
    expect(status.heldChanges).toBeUndefined();
    expect(status.phase).toBe('Ready');
    // Still different: still held.
    const differs = aWorld(aReplicaSetDB().withStatus({ heldChanges: [CLASS_CHANGE_HELD] }))
      .inSync()
      .withPrimary({ instanceClass: 'db.r6g.large' })
      .build();
    expect(statusOf(differs).status.heldChanges).toEqual([CLASS_CHANGE_HELD]);
  });
});

describe('status: a held creation or deletion the world has caught up with', () => {
  const creationHeld = {
    subject: `${BASE}-r2`,
    operation: 'CreateDBInstanceReadReplica',
    code: 'InvalidParameterCombination',
    message: 'the requested DB instance class is not available for read replicas',
    generation: 1,
  };
  const deletionHeld = {
    subject: `${BASE}-r2`,
    operation: 'DeleteDBInstance',
    code: 'InvalidDBInstanceState',
    message: 'the instance is not in a state to be deleted',
    generation: 1,
  };

  /** A world in sync with `replicas` replicas whose status holds `held`, changed by `change`. */
  const holding = (replicas: number, held: typeof creationHeld, change: (world: WorldBuilder) => WorldBuilder = (w) => w) =>
    change(
      aWorld(
        aReplicaSetDB()
          .withReplicas(replicas)
          .withStatus({ heldChanges: [held] }),
      ).inSync(),
    ).build();

  it.each([
    {
      what: 'a held replica creation once the replica exists as ours',
      held: creationHeld,
      replicas: 2,
      // The replica still missing: still held.
      stillWanted: (w: WorldBuilder) => w.withReplica(2, undefined),
    },
    {
      what: 'a held deletion once the instance is gone',
      held: deletionHeld,
      replicas: 1,
      // The instance still there: still held.
      stillWanted: (w: WorldBuilder) => w.withReplica(2, {}),
    },
  ])('releases $what', ({ held, replicas, stillWanted }) => {
    const { status } = statusOf(holding(replicas, held));
    expect(status.heldChanges).toBeUndefined();
    expect(status.phase).toBe('Ready');
    expect(statusOf(holding(replicas, held, stillWanted)).status.heldChanges).toEqual([held]);
  });
});
