// The publication concern of the plan: which replicas are published how, and where the ConfigMap steps go.
import { describe, expect, it } from 'vitest';
import type { InstanceStatus } from '../../api/index.js';
import { parseTopology } from '@servio/replicasetdb-contract';
import { TOPOLOGY_KEY, renderEndpointsConfigMap } from '../../topology/index.js';
import { Observed } from '../observed.js';
import { BASE, SECRET_PASSWORD, aReplicaSetDB, aWorld, UID, usableCredentials, type ReplicaSetDBBuilder } from '../testing/fixtures.js';
import { NOW } from '../testing/plan-helpers.js';
import { planReconcile } from './plan.js';
import { planPublication } from './publication.js';
import type { Step } from './types.js';

const P = BASE;
const R = (i: number) => `${BASE}-r${i}`;

/** What the operator's own server-side apply leaves on the ConfigMap: its label and this object as controller. */
const OURS = { labels: { 'app.kubernetes.io/managed-by': 'replicasetdb-operator' }, ownerUids: [UID], controllerUid: UID };

/** A valid published topology document for an object of another name. */
function publishedFor(name: string) {
  const document = planPublication(aWorld(aReplicaSetDB()).inSync().build(), NOW).publication!.document;
  return { ...document, name };
}

function observedWith(observed: Observed, extra: Partial<Observed['world']>): Observed {
  return new Observed({ ...observed.world, ...extra });
}

/** The world in sync with `before`, with the object of `after`. */
function changed(before: ReplicaSetDBBuilder, after: ReplicaSetDBBuilder): Observed {
  const synced = aWorld(before).inSync().build();
  const target = aWorld(after).build();
  return new Observed({ ...synced.world, object: target.world.object, names: target.world.names });
}

/** The plan's steps when it publishes the topology planned from the same world. */
function stepsWithTopology(observed: Observed): Step[] {
  return planReconcile(observed, { now: NOW, topology: planPublication(observed, NOW) }).steps;
}

function statesOf(observed: Observed): Array<[string, string]> {
  return planPublication(observed, NOW).publication!.document.replicas.map((r) => [r.id, r.state]);
}

describe('planPublication', () => {
  it('publishes the primary and the available replicas at revision 1 when nothing is published', () => {
    const topology = planPublication(aWorld(aReplicaSetDB().withReplicas(2)).inSync().build(), NOW);
    expect(topology.publication).toMatchObject({
      changed: true,
      delta: ['(missing)'],
      document: { revision: 1, name: 'servio', namespace: 'prod', database: 'servio', primary: { id: P }, credentialsSecret: 'servio-credentials' },
    });
    expect(statesOf(aWorld(aReplicaSetDB().withReplicas(2)).inSync().build())).toEqual([
      [R(1), 'active'],
      [R(2), 'active'],
    ]);
    expect(topology.lagging).toEqual([]);
  });

  it('marks surplus replicas as draining', () => {
    expect(statesOf(changed(aReplicaSetDB().withReplicas(3), aReplicaSetDB().withReplicas(1)))).toEqual([
      [R(1), 'active'],
      [R(2), 'draining'],
      [R(3), 'draining'],
    ]);
  });

  it('marks a failed replica, which is replaced, as draining', () => {
    expect(statesOf(aWorld(aReplicaSetDB().withReplicas(2)).inSync().withReplica(2, { status: 'failed' }).build())).toEqual([
      [R(1), 'active'],
      [R(2), 'draining'],
    ]);
  });

  it('keeps draining replicas draining while a blocker holds every other change', () => {
    const before = aReplicaSetDB().withReplicas(2);
    const after = aReplicaSetDB()
      .withReplicas(1)
      .withStatus({
        conditions: [{ type: 'Ready', status: 'False', reason: 'AwsRejected', message: 'no', lastTransitionTime: NOW.toISOString(), observedGeneration: 1 }],
      });
    expect(statesOf(changed(before, after))).toEqual([
      [R(1), 'active'],
      [R(2), 'draining'],
    ]);
  });

  it('leaves out and reports a replica lagging beyond maxReplicaLagSeconds; unknown lag is no reason', () => {
    const observed = observedWith(aWorld(aReplicaSetDB().withReplicas(3)).inSync().build(), {
      replicaLag: new Map([
        [R(1), 0.4],
        [R(2), 2.5],
      ]),
    });
    const topology = planPublication(observed, NOW);
    expect(topology.publication?.document.replicas.map((r) => [r.id, r.lagSeconds])).toEqual([
      [R(1), 0.4],
      [R(3), undefined],
    ]);
    expect(topology.lagging).toEqual([{ identifier: R(2), lagSeconds: 2.5, maxLagSeconds: 1 }]);
    expect(topology.replicas.map((r) => [r.identifier, r.routing.state])).toEqual([
      [R(1), 'active'],
      [R(2), 'excluded'],
      [R(3), 'active'],
    ]);
  });

  it('does not report a retiring replica as lagging', () => {
    const observed = observedWith(changed(aReplicaSetDB().withReplicas(2), aReplicaSetDB().withReplicas(1)), { replicaLag: new Map([[R(2), 60]]) });
    expect(planPublication(observed, NOW).lagging).toEqual([]);
  });

  it('uses the lag of the previous status when CloudWatch could not be asked', () => {
    const replicas: InstanceStatus[] = [{ identifier: R(1), role: 'replica', lagSeconds: 9 }];
    const base = aWorld(aReplicaSetDB().withStatus({ replicas })).inSync().build();
    const topology = planPublication(observedWith(base, { replicaLag: new Map([[R(1), 0]]), lagUnavailable: 'AccessDenied' }), NOW);
    expect(topology.lagging).toEqual([{ identifier: R(1), lagSeconds: 9, maxLagSeconds: 1 }]);
  });

  it('publishes nothing for a spec that does not parse, a primary that is not ours, or a deleting object', () => {
    expect(planPublication(aWorld(aReplicaSetDB().withRawSpec({ engineVersion: 'x' })).build(), NOW).publication).toBeUndefined();
    const foreign = aWorld(aReplicaSetDB())
      .withForeignInstance(P, { team: 'other' }, { endpoint: { host: 'h', port: 5432 } })
      .build();
    expect(planPublication(foreign, NOW).publication).toBeUndefined();
    expect(planPublication(aWorld(aReplicaSetDB().beingDeleted()).inSync().build(), NOW).publication).toBeUndefined();
  });

  it('leaves a ConfigMap another object controls alone and says so', () => {
    const base = aWorld(aReplicaSetDB()).inSync().build();
    const configMap = { data: {}, labels: {}, resourceVersion: '1', ownerUids: ['someone-else'] };
    const topology = planPublication(observedWith(base, { configMap }), NOW);
    expect(topology.publication).toBeUndefined();
    expect(topology.problem).toContain('ConfigMap servio-endpoints');
    expect(topology.problem).toContain('the topology is not published');
  });

  it.each([
    ['no label and no owner (made by hand)', { labels: {}, ownerUids: [] }],
    ['our label but no controller reference', { labels: OURS.labels, ownerUids: [] }],
    ['our label and a non-controller reference to this object', { labels: OURS.labels, ownerUids: [UID] }],
    ['this object as controller but not our label', { labels: {}, ownerUids: [UID], controllerUid: UID }],
    [
      'our label, no owner, and a topology naming another object',
      { labels: OURS.labels, ownerUids: [], data: { 'topology.json': JSON.stringify({ ...publishedFor('other-db') }) } },
    ],
  ])('leaves a ConfigMap it did not create alone: %s', (_, meta) => {
    const base = aWorld(aReplicaSetDB()).inSync().build();
    const configMap = { data: { 'topology.json': 'hand-written' }, resourceVersion: '1', ...meta };
    expect(observedWith(base, { configMap }).configMapIsForeign()).toBe(true);
    const observed = observedWith(base, { configMap });
    const topology = planPublication(observed, NOW);
    expect(topology.publication).toBeUndefined();
    expect(topology.problem).toContain('ConfigMap servio-endpoints');
    expect(stepsWithTopology(observed)).toEqual([]);
  });

  it('has nothing to write when the observed ConfigMap holds the same content', () => {
    const base = aWorld(aReplicaSetDB()).inSync().build();
    const first = planPublication(base, NOW).publication!;
    const configMap = { ...first.configMap, resourceVersion: '5', ownerUids: [UID], controllerUid: UID };
    const again = planPublication(observedWith(base, { configMap }), new Date(NOW.getTime() + 60_000)).publication!;
    expect(again).toMatchObject({ changed: false, delta: [] });
    expect(parseTopology(again.configMap.data[TOPOLOGY_KEY]!)).toMatchObject({ revision: 1, updatedAt: NOW.toISOString() });
  });

  it("publishes the object's uid as the epoch", () => {
    expect(planPublication(aWorld(aReplicaSetDB()).inSync().build(), NOW).publication?.document.epoch).toBe(UID);
  });

  it('takes over a ConfigMap an earlier object of the same name left behind: new epoch, its revision continued', () => {
    const base = aWorld(aReplicaSetDB()).inSync().build();
    const earlier = { ...planPublication(base, NOW).publication!.document, epoch: 'uid-of-the-deleted-object', revision: 17 };
    const left = { ...renderEndpointsConfigMap(earlier), resourceVersion: '9', ownerUids: [] };
    const publication = planPublication(observedWith(base, { configMap: left }), NOW).publication!;
    expect(publication).toMatchObject({ changed: true, document: { epoch: UID, revision: 18 } });
    expect(publication.delta).toContain('ownerReferences');
  });

  it('continues the revision from the status when the ConfigMap is gone', () => {
    const base = aWorld(aReplicaSetDB().withStatus({ endpoints: { topologyRevision: 41 } }))
      .inSync()
      .build();
    expect(planPublication(base, NOW).publication?.document.revision).toBe(42);
  });
});

describe('the topology phases of the plan', () => {
  const scaledDown = (db: () => ReplicaSetDBBuilder) => changed(db().withReplicas(3), db().withReplicas(2));
  /** Deleting, with only the parameter group left. */
  const deletingLast = (db: ReplicaSetDBBuilder) => aWorld(db.withReplicas(0).beingDeleted()).inSync().withPrimary(undefined).build();

  it('publishes before anything else but the finalizer, so before any DeleteDBInstance', () => {
    const unfinalized = scaledDown(() => aReplicaSetDB().withoutFinalizer());
    const finalized = scaledDown(() => aReplicaSetDB());
    expect(stepsWithTopology(unfinalized).map((s) => s.kind)).toEqual(['addFinalizer', 'publishTopology', 'deleteInstance']);
    expect(stepsWithTopology(finalized).map((s) => s.kind)).toEqual(['publishTopology', 'deleteInstance']);
  });

  it('publishes while a blocker holds every other change, so a retiring replica stays withdrawn from routing', () => {
    const blocked = observedWith(
      scaledDown(() => aReplicaSetDB()),
      { credentials: usableCredentials(SECRET_PASSWORD, { username: 'someone-else' }) },
    );
    const result = planReconcile(blocked, { now: NOW, topology: planPublication(blocked, NOW) });
    expect(result.blocker?.reason).toBe('CredentialsUsernameMismatch');
    expect(result.steps.map((s) => s.kind)).toEqual(['publishTopology']);
    expect(statesOf(blocked)).toContainEqual([R(3), 'draining']);
  });

  it('adds no step when the ConfigMap is up to date', () => {
    const observed = aWorld(aReplicaSetDB()).inSync().build();
    const { data, labels } = renderEndpointsConfigMap(planPublication(observed, NOW).publication!.document);
    const current = observedWith(observed, { configMap: { data, labels, resourceVersion: '3', ownerUids: [UID], controllerUid: UID } });
    expect(stepsWithTopology(current)).toEqual([]);
  });

  it('deletes the ConfigMap just before the finalizer on the deletion path, and only if it is ours', () => {
    const deleting = deletingLast(aReplicaSetDB());
    const ours = observedWith(deleting, { configMap: { data: {}, resourceVersion: '3', ...OURS } });
    expect(stepsWithTopology(ours).map((s) => s.kind)).toEqual(['deleteParameterGroup', 'deleteTopology', 'removeFinalizer']);
    const foreign = observedWith(deleting, { configMap: { data: {}, labels: {}, resourceVersion: '3', ownerUids: ['other'] } });
    expect(stepsWithTopology(foreign).map((s) => s.kind)).toEqual(['deleteParameterGroup', 'removeFinalizer']);
    expect(stepsWithTopology(deleting).map((s) => s.kind)).toEqual(['deleteParameterGroup', 'removeFinalizer']);
    const handMade = observedWith(deleting, { configMap: { data: {}, labels: {}, resourceVersion: '3', ownerUids: [] } });
    expect(stepsWithTopology(handMade).map((s) => s.kind)).toEqual(['deleteParameterGroup', 'removeFinalizer']);
    // While the deletion waits (replicas first, deletion protection), the database serves: the ConfigMap stays.
    const replicasLeft = observedWith(aWorld(aReplicaSetDB().withReplicas(1).beingDeleted()).inSync().build(), {
      configMap: { data: {}, resourceVersion: '3', ...OURS },
    });
    expect(stepsWithTopology(replicasLeft).map((s) => s.kind)).toEqual(['deleteInstance']);
  });

  it('under deletionPolicy Retain keeps the ConfigMap for the retained databases and only gives up owning it', () => {
    const retained = aWorld(aReplicaSetDB().withSpec({ deletionPolicy: 'Retain' }).beingDeleted()).build();
    const ours = observedWith(retained, { configMap: { data: {}, resourceVersion: '3', ...OURS, ownerUids: ['other', UID] } });
    expect(stepsWithTopology(ours)).toEqual([
      { kind: 'releaseTopology', configMap: { namespace: 'prod', name: 'servio-endpoints' }, ownerUid: UID },
      { kind: 'removeFinalizer' },
    ]);
    // Released already (a repeat after a crash), or never ours: nothing to do.
    const released = observedWith(retained, { configMap: { data: {}, labels: {}, resourceVersion: '4', ownerUids: ['other'] } });
    expect(stepsWithTopology(released).map((s) => s.kind)).toEqual(['removeFinalizer']);
    expect(stepsWithTopology(retained).map((s) => s.kind)).toEqual(['removeFinalizer']);
  });
});
