// The drain gate: DeleteDBInstance of a retiring replica only after it was observed draining in the ConfigMap for
// routing.drainSeconds, counted from status.replicas[].drainingSince.
import { describe, expect, it } from 'vitest';
import type { InstanceStatus } from '../../api/index.js';
import type { StoredConfigMap } from '../../ports/kubernetes.js';
import { renderEndpointsConfigMap } from '../../topology/index.js';
import { Observed } from '../observed.js';
import { BASE, aReplicaSetDB, aWorld, UID } from '../testing/fixtures.js';
import { NOW, plan, stepOf, stepsOf } from '../testing/plan-helpers.js';
import { drainBeforeDelete } from './drain-gate.js';
import { planPublication } from '../plan/publication.js';

const R = (i: number) => `${BASE}-r${i}`;
const at = (secondsFromNow: number) => new Date(NOW.getTime() + secondsFromNow * 1000).toISOString();

/** Scaled 3 -> 1: r2 and r3 are surplus. `draining` lists the replicas the observed ConfigMap shows as draining. */
function scaledDown(
  options: { drainingSince?: Record<number, string>; draining?: number[]; drainSeconds?: number; maxDrainSeconds?: number; endpoint?: boolean } = {},
): Observed {
  const drainSeconds = options.drainSeconds ?? 30;
  const maxDrainSeconds = options.maxDrainSeconds ?? drainSeconds;
  const replicas: InstanceStatus[] = [1, 2, 3].map((i) => ({
    identifier: R(i),
    role: 'replica',
    rdsStatus: 'available',
    ...(options.drainingSince?.[i] !== undefined ? { drainingSince: options.drainingSince[i] } : {}),
  }));
  const world = aWorld(aReplicaSetDB().withReplicas(3)).inSync();
  if (options.endpoint === false) world.withReplica(3, { endpoint: undefined });
  const synced = world.build();
  const target = aWorld(aReplicaSetDB().withReplicas(1).withSpec({ routing: { drainSeconds, maxDrainSeconds } }).withStatus({ replicas })).build();
  const base = new Observed({ ...synced.world, object: target.world.object, names: target.world.names });
  return new Observed({ ...base.world, configMap: configMapShowing(base, options.draining ?? []) });
}

/** The ConfigMap as the publisher would have written it with `draining` retiring and the others active. */
function configMapShowing(observed: Observed, draining: number[]): StoredConfigMap {
  const publication = planPublication(observed, NOW).publication!;
  const document = {
    ...publication.document,
    replicas: publication.document.replicas
      .map((r) => ({ ...r, state: draining.some((i) => R(i) === r.id) ? ('draining' as const) : ('active' as const) }))
      .filter((r) => r.state === 'draining' || r.id === R(1)),
  };
  const { data, labels } = renderEndpointsConfigMap(document);
  return { data, labels, resourceVersion: '7', ownerUids: [UID], controllerUid: UID };
}

function gated(observed: Observed) {
  return plan(observed, { retirementGate: drainBeforeDelete });
}

describe('drainBeforeDelete', () => {
  it('deletes nothing when the drain has not started, and says why', () => {
    const p = gated(scaledDown());
    expect(stepsOf(p).filter((s) => s.startsWith('deleteInstance'))).toEqual([]);
    expect(p.waits.map((w) => w.message)).toEqual([
      `${R(3)} is published as draining (scale-down); it is deleted no sooner than 30s after that`,
      `${R(2)} is published as draining (scale-down); it is deleted no sooner than 30s after that`,
    ]);
  });

  it('waits until drainSeconds have passed since drainingSince', () => {
    const p = gated(scaledDown({ drainingSince: { 2: at(-29), 3: at(-29) }, draining: [2, 3] }));
    expect(stepsOf(p)).toEqual([]);
    expect(p.waits.map((w) => w.message)).toContain(`${R(3)} is draining (scale-down); it is deleted at ${at(1)} at the earliest`);
  });

  it('deletes once drainSeconds have passed, highest index first', () => {
    expect(stepsOf(gated(scaledDown({ drainingSince: { 2: at(-30), 3: at(-31) }, draining: [2, 3] })))).toEqual([
      `deleteInstance ${R(3)}`,
      `deleteInstance ${R(2)}`,
    ]);
  });

  it('keeps each replica on its own clock', () => {
    expect(stepsOf(gated(scaledDown({ drainingSince: { 2: at(-5), 3: at(-40) }, draining: [2, 3] })))).toEqual([`deleteInstance ${R(3)}`]);
  });

  it('does not delete a replica the observed ConfigMap does not show as draining, however old its clock', () => {
    // The ConfigMap was deleted or edited by hand: this reconcile publishes it again, the next one may delete.
    const p = gated(scaledDown({ drainingSince: { 2: at(-300), 3: at(-300) }, draining: [2] }));
    expect(stepsOf(p)).toEqual([`deleteInstance ${R(2)}`]);
    const noConfigMap = scaledDown({ drainingSince: { 2: at(-300), 3: at(-300) } });
    expect(stepsOf(gated(new Observed({ ...noConfigMap.world, configMap: undefined })))).toEqual([]);
  });

  it('never deletes in the reconcile that starts the drain, even with drainSeconds 0', () => {
    expect(stepsOf(gated(scaledDown({ drainSeconds: 0 })))).toEqual([]);
    expect(stepsOf(gated(scaledDown({ drainSeconds: 0, drainingSince: { 2: at(0), 3: at(0) }, draining: [2, 3] })))).toEqual([
      `deleteInstance ${R(3)}`,
      `deleteInstance ${R(2)}`,
    ]);
  });

  it('lets a replica that never had an endpoint go at once: no client can know it', () => {
    expect(stepsOf(gated(scaledDown({ endpoint: false })))).toEqual([`deleteInstance ${R(3)}`]);
  });

  it('drains a failed replica before replacing it', () => {
    const world = aWorld(aReplicaSetDB().withReplicas(1)).inSync().withReplica(1, { status: 'failed' }).build();
    expect(stepsOf(gated(world))).toEqual([]);
    expect(gated(world).waits.map((w) => w.message)).toEqual([`${R(1)} is published as draining (replacement); it is deleted no sooner than 30s after that`]);
  });

  describe('with DatabaseConnections evidence', () => {
    /** Drain started 150 s ago (the default drainSeconds), maximum 900 s; r2 and r3 have these per-minute values. */
    function withConnections(values: Record<number, number[]> | undefined): Observed {
      const observed = scaledDown({ drainSeconds: 150, maxDrainSeconds: 900, drainingSince: { 2: at(-150), 3: at(-150) }, draining: [2, 3] });
      if (values === undefined) return new Observed({ ...observed.world, connectionsUnavailable: 'Throttling: rate exceeded' });
      const series = (v: number[]) => v.map((value, i) => ({ at: new Date(NOW.getTime() - (v.length - i) * 60_000), value }));
      return new Observed({ ...observed.world, drainingConnections: new Map(Object.entries(values).map(([i, v]) => [R(Number(i)), series(v)])) });
    }

    it('deletes a replica whose connections stayed at the floor, and names that as the release', () => {
      const p = gated(withConnections({ 2: [4, 0, 0], 3: [0, 2] }));
      expect(stepsOf(p)).toEqual([`deleteInstance ${R(2)}`]);
      expect(stepOf(p, 'deleteInstance', R(2)).drainRelease).toBe('ConnectionsQuiet');
      expect(p.waits.map((w) => w.message)).toEqual([
        expect.stringContaining(`${R(3)} is draining (scale-down); it waits until DatabaseConnections stays at or below 0 for 120s`),
      ]);
    });

    it('holds every replica when CloudWatch could not be read, until the maximum', () => {
      const p = gated(withConnections(undefined));
      expect(stepsOf(p)).toEqual([]);
      expect(p.waits.map((w) => w.message)).toContainEqual(expect.stringContaining('could not be read'));
    });

    it('deletes at the maximum, however busy, and names that as the release', () => {
      const observed = scaledDown({ drainSeconds: 150, maxDrainSeconds: 600, drainingSince: { 2: at(-600), 3: at(-599) }, draining: [2, 3] });
      const busy = new Observed({ ...observed.world, drainingConnections: new Map([R(2), R(3)].map((id) => [id, [{ at: NOW, value: 25 }]])) });
      const p = gated(busy);
      expect(stepsOf(p)).toEqual([`deleteInstance ${R(2)}`]);
      expect(stepOf(p, 'deleteInstance', R(2)).drainRelease).toBe('MaxDrainSeconds');
    });
  });
});
