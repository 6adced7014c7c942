// The publication over a sequence of reconciles, each one observing what the previous one wrote: the revision
// history a client sees.
import { describe, expect, it } from 'vitest';
import type { StoredConfigMap } from '../ports/kubernetes.js';
import { TOPOLOGY_KEY } from './configmap.js';
import { planTopologyPublication, type TopologyPublication } from './publication.js';
import type { TopologySource } from './source.js';
import { aPrimary, aReplica, aTopologySource } from './testing/fixtures.js';

const UID = 'uid-1';

/** A ConfigMap store that behaves like server-side apply: same content, same resourceVersion. */
class World {
  configMap: StoredConfigMap | undefined;
  statusRevision: number | undefined;
  private version = 0;
  private clock = Date.parse('2026-11-26T16:00:00.000Z');

  reconcile(source: TopologySource): TopologyPublication | undefined {
    this.clock += 10_000;
    const publication = planTopologyPublication({
      source,
      observed: this.configMap,
      statusRevision: this.statusRevision,
      ownerUid: UID,
      now: new Date(this.clock),
    });
    if (publication === undefined) return undefined;
    if (publication.delta.length > 0) {
      const data = { ...(this.configMap?.data ?? {}), ...publication.configMap.data };
      // Keys the operator no longer sets are removed by server-side apply.
      for (const key of Object.keys(data)) if (/^DB_REPLICA_\d+_/.test(key) && !(key in publication.configMap.data)) delete data[key];
      this.configMap = { data, labels: publication.configMap.labels, ownerUids: [UID], resourceVersion: String(++this.version) };
    }
    this.statusRevision = publication.document.revision;
    return publication;
  }

  revision(): number {
    return (JSON.parse(this.configMap!.data[TOPOLOGY_KEY]!) as { revision: number }).revision;
  }
}

describe('planTopologyPublication', () => {
  it('publishes nothing before the primary has an endpoint', () => {
    const world = new World();
    expect(world.reconcile(aTopologySource({ primary: aPrimary({ status: 'creating', endpoint: undefined }), replicas: [] }))).toBeUndefined();
    expect(world.configMap).toBeUndefined();
  });

  it('writes once per change of content and never on a resync', () => {
    const world = new World();
    const steady = aTopologySource();
    expect(world.reconcile(steady)).toMatchObject({ changed: true, delta: ['(missing)'] });
    const rv = world.configMap!.resourceVersion;
    for (let i = 0; i < 5; i++) expect(world.reconcile(steady)).toMatchObject({ changed: false, delta: [] });
    expect(world.configMap!.resourceVersion).toBe(rv);
    expect(world.revision()).toBe(1);
  });

  it('scale 3 -> 1: draining (revision + 1), still published while deleting is requested, then removed', () => {
    const world = new World();
    const r = (index: number, overrides = {}) => aReplica(index, overrides);
    world.reconcile(aTopologySource({ replicas: [r(1), r(2), r(3)] }));
    expect(world.revision()).toBe(1);

    const draining = aTopologySource({ replicas: [r(1), r(2, { retiring: true }), r(3, { retiring: true })] });
    world.reconcile(draining);
    expect(world.revision()).toBe(2);
    const doc = JSON.parse(world.configMap!.data[TOPOLOGY_KEY]!) as { replicas: Array<{ id: string; state: string }> };
    expect(doc.replicas.map((x) => x.state)).toEqual(['active', 'draining', 'draining']);
    expect(world.configMap!.data.DB_REPLICA_COUNT).toBe('1');
    expect(world.configMap!.data).not.toHaveProperty('DB_REPLICA_2_HOST');

    // While the drain runs, and in the reconcile that calls DeleteDBInstance, nothing changes.
    expect(world.reconcile(draining)?.changed).toBe(false);
    expect(world.revision()).toBe(2);

    // Once RDS reports them deleting (or gone), they leave in one more revision.
    world.reconcile(aTopologySource({ replicas: [r(1), r(2, { retiring: true, status: 'deleting' }), r(3, { retiring: true, status: 'deleting' })] }));
    expect(world.revision()).toBe(3);
    world.reconcile(aTopologySource({ replicas: [r(1)] }));
    expect(world.revision()).toBe(3);
    expect((JSON.parse(world.configMap!.data[TOPOLOGY_KEY]!) as { replicas: unknown[] }).replicas).toHaveLength(1);
  });

  it('lag over the threshold takes a replica out and back, one revision each way', () => {
    const world = new World();
    world.reconcile(aTopologySource({ replicas: [aReplica(1)] }));
    world.reconcile(aTopologySource({ replicas: [aReplica(1, { lagSeconds: 5 })] }));
    expect(world.revision()).toBe(2);
    expect(world.configMap!.data.DB_REPLICA_COUNT).toBe('0');
    world.reconcile(aTopologySource({ replicas: [aReplica(1, { lagSeconds: 7 })] }));
    expect(world.revision()).toBe(2);
    world.reconcile(aTopologySource({ replicas: [aReplica(1, { lagSeconds: 0 })] }));
    expect(world.revision()).toBe(3);
    expect(world.configMap!.data.DB_REPLICA_COUNT).toBe('1');
  });

  it('recreates a deleted ConfigMap at a higher revision', () => {
    const world = new World();
    world.reconcile(aTopologySource());
    world.configMap = undefined;
    expect(world.reconcile(aTopologySource())).toMatchObject({ changed: true, delta: ['(missing)'] });
    expect(world.revision()).toBe(2);
  });

  it('reverts a hand edit of topology.json (a change of content: the revision moves past the edit)', () => {
    const world = new World();
    world.reconcile(aTopologySource());
    const edited = JSON.parse(world.configMap!.data[TOPOLOGY_KEY]!) as { primary: { host: string } };
    edited.primary.host = 'attacker.example';
    world.configMap = { ...world.configMap!, data: { ...world.configMap!.data, [TOPOLOGY_KEY]: JSON.stringify(edited) } };
    const publication = world.reconcile(aTopologySource());
    expect(publication?.delta).toEqual([`data.${TOPOLOGY_KEY}`]);
    expect(world.revision()).toBe(2);
    expect(world.configMap!.data[TOPOLOGY_KEY]).toContain('prod-servio.abc.us-east-1.rds.amazonaws.com');
  });

  it('reverts a hand edit of an environment key without moving the revision (the topology did not change)', () => {
    const world = new World();
    world.reconcile(aTopologySource());
    world.configMap = { ...world.configMap!, data: { ...world.configMap!.data, DB_PRIMARY_HOST: 'attacker.example' } };
    expect(world.reconcile(aTopologySource())).toMatchObject({ changed: false, delta: ['data.DB_PRIMARY_HOST'] });
    expect(world.configMap!.data.DB_PRIMARY_HOST).toBe('prod-servio.abc.us-east-1.rds.amazonaws.com');
    expect(world.revision()).toBe(1);
  });
});
