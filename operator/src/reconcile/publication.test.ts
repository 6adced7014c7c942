// The whole reconcile with the topology: what the ConfigMap holds over a life (create, steady, scale-down with its
// drain, lag, hand edits, deletion) against in-memory ports, on a clock the test moves.
import { describe, expect, it } from 'vitest';
import { parseTopology, type Topology } from '@servio/replicasetdb-contract';
import type { ReplicaLagPort } from '../cloudwatch/port.js';
import { TOPOLOGY_KEY } from '../topology/index.js';
import { topologyJsonSchemaValidator } from '../topology/testing/json-schema.js';
import { createReplicaSetDBReconciler } from './reconciler.js';
import { BASE, aReplicaSetDB } from './testing/fixtures.js';
import { GENERATED_PASSWORD, STEADY_MS, TRANSITIONING_MS, aHarness, type Harness, type HarnessOptions } from './testing/harness.js';

const R = (i: number) => `${BASE}-r${i}`;
const CM = 'prod/servio-endpoints';

class FakeLag implements ReplicaLagPort {
  values = new Map<string, number>();
  failure: Error | undefined;
  asked: string[][] = [];
  async replicaLagSeconds(ids: readonly string[]): Promise<Map<string, number | undefined>> {
    this.asked.push([...ids]);
    if (this.failure !== undefined) throw this.failure;
    return new Map(ids.map((id) => [id, this.values.get(id)]));
  }
}

function topology(h: Harness): Topology {
  return topologyOf(h, CM);
}

function topologyOf(h: Harness, configMap: string): Topology {
  const data = h.kube.configMaps.get(configMap)?.data[TOPOLOGY_KEY];
  if (data === undefined) throw new Error(`no topology in ${configMap}`);
  return parseTopology(data);
}

function states(h: Harness): Array<[string, string]> {
  return topology(h).replicas.map((r) => [r.id, r.state]);
}

function condition(h: Harness, type: string) {
  return h.status()?.conditions?.find((c) => c.type === type);
}

async function started(replicas: number, options: HarnessOptions = {}): Promise<Harness> {
  const h = aHarness(aReplicaSetDB().withReplicas(replicas), options);
  await h.converge();
  return h;
}

/** Moves the clock and reconciles once. */
async function after(h: Harness, seconds: number) {
  h.clock.now = new Date(h.clock.now.getTime() + seconds * 1000);
  return h.reconcile();
}

describe('topology: publication', () => {
  it('publishes contract v1 with the environment keys once the instances exist, and records it in status', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(2));
    h.rds.createdStatus = 'creating';
    await h.reconcile();
    // Nothing to publish while the primary is being created.
    expect(h.kube.configMaps.has(CM)).toBe(false);
    h.rds.instances.get(BASE)!.status = 'available';
    h.rds.instances.get(BASE)!.endpoint = { host: `${BASE}.fake.us-east-1.rds.amazonaws.com`, port: 5432 };
    h.rds.createdStatus = 'available';
    await h.reconcile();
    // The primary first, alone (revision 1); the replicas join once they exist (revision 2).
    expect(topology(h)).toMatchObject({ revision: 1, replicas: [] });
    await h.converge();
    const configMap = h.kube.configMaps.get(CM)!;
    expect(topologyJsonSchemaValidator()(JSON.parse(configMap.data[TOPOLOGY_KEY]!))).toEqual([]);
    expect(topology(h)).toMatchObject({
      version: 1,
      revision: 2,
      name: 'servio',
      namespace: 'prod',
      database: 'servio',
      primary: { id: BASE, host: `${BASE}.fake.us-east-1.rds.amazonaws.com`, port: 5432 },
      replicas: [
        { id: R(1), state: 'active' },
        { id: R(2), state: 'active' },
      ],
      routing: { maxReplicaLagSeconds: 1, readYourWrites: 'lsn', drainSeconds: 30 },
      credentialsSecret: 'servio-credentials',
    });
    expect(configMap.data).toMatchObject({
      DB_PRIMARY_HOST: `${BASE}.fake.us-east-1.rds.amazonaws.com`,
      DB_PRIMARY_PORT: '5432',
      DB_NAME: 'servio',
      DB_REPLICA_COUNT: '2',
      DB_REPLICA_1_HOST: `${R(1)}.fake.us-east-1.rds.amazonaws.com`,
      DB_REPLICA_2_PORT: '5432',
      DB_REPLICA_HOSTS: `${R(1)}.fake.us-east-1.rds.amazonaws.com,${R(2)}.fake.us-east-1.rds.amazonaws.com`,
    });
    expect(configMap.ownerUids).toEqual(['3f6c1e2a-9b7d-4c1e-8f00-0123456789ab']);
    expect(configMap.labels).toMatchObject({ 'app.kubernetes.io/instance': 'servio', 'app.kubernetes.io/managed-by': 'replicasetdb-operator' });
    expect(h.status()).toMatchObject({
      endpoints: { configMapName: 'servio-endpoints', secretName: 'servio-credentials', topologyRevision: 2 },
      primary: { routable: true },
      replicas: [
        { identifier: R(1), routable: true },
        { identifier: R(2), routable: true },
      ],
    });
    expect(JSON.stringify([configMap, h.log.lines])).not.toContain(GENERATED_PASSWORD);
  });

  it('rewrites nothing on a resync: same revision, same resourceVersion, no status write', async () => {
    const h = await started(2);
    const resourceVersion = h.kube.configMaps.get(CM)!.resourceVersion;
    const revision = topology(h).revision;
    const writes = h.kube.statusWrites;
    for (let i = 0; i < 3; i++) expect(await after(h, 600)).toEqual({ requeueAfterMs: STEADY_MS });
    expect(h.kube.configMaps.get(CM)!.resourceVersion).toBe(resourceVersion);
    expect(h.kube.statusWrites).toBe(writes);
    expect(topology(h).revision).toBe(revision);
  });

  it('recreates a deleted ConfigMap and reverts a hand edit', async () => {
    const h = await started(1);
    const revision = topology(h).revision;
    h.kube.configMaps.delete(CM);
    await h.reconcile();
    expect(topology(h).revision).toBe(revision + 1);
    expect(h.status()?.endpoints?.topologyRevision).toBe(revision + 1);

    const cm = h.kube.configMaps.get(CM)!;
    h.kube.configMaps.set(CM, {
      ...cm,
      data: { ...cm.data, DB_PRIMARY_HOST: 'elsewhere', [TOPOLOGY_KEY]: cm.data[TOPOLOGY_KEY]!.replace('"state": "active"', '"state": "draining"') },
    });
    await h.reconcile();
    expect(h.kube.configMaps.get(CM)!.data.DB_PRIMARY_HOST).toBe(`${BASE}.fake.us-east-1.rds.amazonaws.com`);
    expect(states(h)).toEqual([[R(1), 'active']]);
    // The hand edit changed the content clients may have read, so the restored content is a new revision.
    expect(topology(h).revision).toBe(revision + 2);
  });

  it('never publishes one revision with two contents, even after a lost status write and then a deleted ConfigMap', async () => {
    const h = await started(2);
    const published = new Map<number, Set<string>>();
    const apply = h.kube.applyConfigMap.bind(h.kube);
    h.kube.applyConfigMap = async (...args) => {
      const resourceVersion = await apply(...args);
      const text = h.kube.configMaps.get(CM)!.data[TOPOLOGY_KEY]!;
      const revision = parseTopology(text).revision;
      published.set(revision, (published.get(revision) ?? new Set()).add(text));
      return resourceVersion;
    };
    // A scale-down publishes r2 as draining; the process dies before the status records that revision.
    const writeStatus = h.kube.writeStatus.bind(h.kube);
    h.kube.writeStatus = async () => {
      throw new Error('the process died before the status write');
    };
    h.update(aReplicaSetDB().withReplicas(1));
    await expect(h.reconcile()).rejects.toThrow('the process died');
    h.kube.writeStatus = writeStatus;
    // Someone deletes the ConfigMap, and the spec wants r2 back: a content clients have not seen under any revision.
    h.kube.configMaps.delete(CM);
    h.update(aReplicaSetDB().withReplicas(2));
    await h.converge();
    expect(states(h)).toEqual([
      [R(1), 'active'],
      [R(2), 'active'],
    ]);
    const reused = [...published].filter(([, texts]) => texts.size > 1).map(([revision]) => revision);
    expect(reused).toEqual([]);
    expect(h.status()?.endpoints?.topologyRevision).toBe(topology(h).revision);
  });

  it('records a changed revision in status before it writes the ConfigMap, and keeps it when that write fails', async () => {
    const h = await started(2);
    const revision = topology(h).revision;
    const order: string[] = [];
    const reserve = h.kube.reserveTopologyRevision.bind(h.kube);
    h.kube.reserveTopologyRevision = async (...args) => {
      order.push(`reserve ${args[1]}`);
      return reserve(...args);
    };
    const apply = h.kube.applyConfigMap.bind(h.kube);
    h.kube.applyConfigMap = async () => {
      order.push('write ConfigMap');
      throw new Error('the API server is unavailable');
    };
    h.update(aReplicaSetDB().withReplicas(1));
    await expect(h.reconcile()).rejects.toThrow('the API server is unavailable');
    expect(order).toEqual([`reserve ${revision + 1}`, 'write ConfigMap']);
    // The write may have reached the API server before the error: that revision is never stamped on other content.
    expect(h.status()?.endpoints?.topologyRevision).toBe(revision + 1);
    expect(topology(h).revision).toBe(revision);
    h.kube.applyConfigMap = apply;
    await after(h, 5);
    expect(topology(h).revision).toBe(revision + 2);
    expect(h.status()?.endpoints?.topologyRevision).toBe(revision + 2);
    expect(states(h)).toEqual([
      [R(1), 'active'],
      [R(2), 'draining'],
    ]);
  });

  it('writes no ConfigMap when the object moved on before the revision was reserved, and publishes from a fresh read', async () => {
    const h = await started(2);
    const revision = topology(h).revision;
    const reserve = h.kube.reserveTopologyRevision.bind(h.kube);
    let edited = false;
    h.kube.reserveTopologyRevision = async (...args) => {
      // A person annotates the object between the reconcile's read and its reservation.
      if (!edited) {
        edited = true;
        const record = h.kube.record(h.ref)!;
        h.kube.put({ ...record.raw, metadata: { ...(record.raw.metadata as object), annotations: { touched: 'yes' } } });
      }
      return reserve(...args);
    };
    const writes = h.kube.received.filter((r) => r.call === 'applyConfigMap').length;
    h.update(aReplicaSetDB().withReplicas(1));
    await h.reconcile().catch(() => undefined);
    expect(h.kube.received.filter((r) => r.call === 'applyConfigMap')).toHaveLength(writes);
    expect(topology(h).revision).toBe(revision);
    await after(h, 5);
    expect(topology(h).revision).toBe(revision + 1);
    expect(h.status()?.endpoints?.topologyRevision).toBe(revision + 1);
  });

  it('withdraws the replicas from the ConfigMap spec.endpoints.configMapName no longer names, so it never routes to a deleted one', async () => {
    const h = await started(2);
    const OLD = CM;
    const NEW = 'prod/servio-topology';
    h.update(
      aReplicaSetDB()
        .withReplicas(2)
        .withSpec({ endpoints: { configMapName: 'servio-topology' } }),
    );
    await h.converge();
    expect(topologyOf(h, NEW).replicas.map((r) => [r.id, r.state])).toEqual([
      [R(1), 'active'],
      [R(2), 'active'],
    ]);
    // Pods that still mount the old name send every query to the primary: correct, whatever happens to the replicas.
    const withdrawn = topologyOf(h, OLD);
    expect(withdrawn.replicas).toEqual([]);
    expect(h.kube.configMaps.get(OLD)!.data.DB_PRIMARY_HOST).toBe(topologyOf(h, NEW).primary.host);
    expect(h.status()?.endpoints?.configMapName).toBe('servio-topology');

    h.update(
      aReplicaSetDB()
        .withReplicas(1)
        .withSpec({ endpoints: { configMapName: 'servio-topology' } }),
    );
    for (let i = 0; i < 20 && h.rds.instances.has(R(2)); i++) await after(h, 60);
    expect(h.rds.instances.has(R(2))).toBe(false);
    await h.converge();
    expect(topologyOf(h, NEW).replicas.map((r) => r.id)).toEqual([R(1)]);
    expect(topologyOf(h, OLD)).toEqual(withdrawn);
  });

  it('withdraws the replicas from the old name only once the new one holds the topology, and retries a failed withdrawal', async () => {
    const h = await started(2);
    const renamed = () =>
      aReplicaSetDB()
        .withReplicas(2)
        .withSpec({ endpoints: { configMapName: 'servio-topology' } });
    // Someone else's ConfigMap has the new name: nothing is published there, so the old one keeps its replicas.
    h.kube.configMaps.set('prod/servio-topology', { data: { owner: 'someone' }, labels: {}, ownerUids: [], resourceVersion: '1' });
    h.update(renamed());
    await h.reconcile();
    expect(topologyOf(h, CM).replicas).toHaveLength(2);
    expect(h.status()?.endpoints?.configMapName).toBe('servio-endpoints');
    h.kube.configMaps.delete('prod/servio-topology');

    // The new name is written, the old one's write fails: status keeps the old name, and the next pass withdraws.
    const apply = h.kube.applyConfigMap.bind(h.kube);
    h.kube.applyConfigMap = async (ref, ...rest) => {
      if (ref.name === 'servio-endpoints') throw new Error('the API server is unavailable');
      return apply(ref, ...rest);
    };
    await h.reconcile().catch(() => undefined);
    expect(topologyOf(h, 'prod/servio-topology').replicas).toHaveLength(2);
    expect(topologyOf(h, CM).replicas).toHaveLength(2);
    expect(h.status()?.endpoints?.configMapName).toBe('servio-endpoints');
    h.kube.applyConfigMap = apply;
    await after(h, 5);
    expect(topologyOf(h, CM).replicas).toEqual([]);
    expect(h.status()?.endpoints?.configMapName).toBe('servio-topology');
    expect(h.kube.events.filter((e) => e.reason === 'TopologyWithdrawn').map((e) => e.message)).toEqual([
      `withdraw the replicas from ConfigMap servio-endpoints (topology revision ${topologyOf(h, CM).revision}): spec.endpoints.configMapName now names servio-topology, and pods that still mount servio-endpoints send every query to the primary`,
    ]);
  });

  it('deletes the ConfigMap on the finalizer path, after the instances', async () => {
    const h = await started(1);
    h.kube.delete(h.ref, h.clock.now);
    let sawConfigMapWhileInstancesExisted = false;
    for (let i = 0; i < 10 && h.kube.record(h.ref) !== undefined; i++) {
      await after(h, 1);
      if (h.rds.instances.size > 0 && h.kube.configMaps.has(CM)) sawConfigMapWhileInstancesExisted = true;
    }
    expect(h.kube.record(h.ref)).toBeUndefined();
    expect(h.kube.configMaps.has(CM)).toBe(false);
    expect(sawConfigMapWhileInstancesExisted).toBe(true);
  });
});

describe('topology: drain before delete', () => {
  it('scale 3 -> 1: draining first (revision + 1), deleted after drainSeconds, removed only after the delete', async () => {
    const h = await started(3);
    const revision = topology(h).revision;
    h.update(
      aReplicaSetDB()
        .withReplicas(1)
        .withSpec({ routing: { drainSeconds: 10, maxDrainSeconds: 10 } }),
    );
    const drainStart = h.clock.now.toISOString();
    await h.reconcile();
    expect(states(h)).toEqual([
      [R(1), 'active'],
      [R(2), 'draining'],
      [R(3), 'draining'],
    ]);
    // The routing change and the drain are one change of content.
    expect(topology(h).revision).toBe(revision + 1);
    expect(h.kube.configMaps.get(CM)!.data.DB_REPLICA_COUNT).toBe('1');
    expect(h.status()?.replicas).toMatchObject([
      { identifier: R(1), routable: true },
      { identifier: R(2), routable: false, drainingSince: drainStart },
      { identifier: R(3), routable: false, drainingSince: drainStart },
    ]);
    expect(h.status()?.readyReplicas).toBe(1);

    for (let s = 0; s < 9; s++) await after(h, 1);
    expect(h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance')).toEqual([]);
    expect(topology(h).revision).toBe(revision + 1);

    await after(h, 1);
    expect(h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance').map((c) => c.subject)).toEqual([R(3), R(2)]);
    // Never gone from the ConfigMap in the step that deletes it.
    expect(states(h)).toEqual([
      [R(1), 'active'],
      [R(2), 'draining'],
      [R(3), 'draining'],
    ]);

    await after(h, 1);
    expect(states(h)).toEqual([[R(1), 'active']]);
    expect(topology(h).revision).toBe(revision + 2);
    expect(h.status()?.replicas?.map((r) => r.identifier)).toEqual([R(1)]);
  });

  it('keeps the clock across an operator restart: no restart of the drain, no skipping it', async () => {
    const h = await started(2);
    h.update(aReplicaSetDB().withReplicas(1));
    await h.reconcile();
    const since = Date.parse(h.status()!.replicas![1]!.drainingSince!);
    await after(h, 20);

    // A new process: nothing in memory, the same Kubernetes and RDS.
    const restarted = createReplicaSetDBReconciler({
      kube: h.kube,
      rds: h.rds,
      resync: { steadyMs: STEADY_MS, transitioningMs: TRANSITIONING_MS },
      now: () => h.clock.now,
    });
    const run = () => restarted(h.ref, { log: h.log });
    await run();
    expect(h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance')).toEqual([]);
    h.clock.now = new Date(since + 29_999);
    await run();
    expect(h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance')).toEqual([]);
    h.clock.now = new Date(since + 30_000);
    await run();
    expect(h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance').map((c) => c.subject)).toEqual([R(2)]);
  });

  it('does not delete in the reconcile that finds the ConfigMap gone: it is published again first', async () => {
    const h = await started(2);
    h.update(aReplicaSetDB().withReplicas(1));
    await h.reconcile();
    h.kube.configMaps.delete(CM);
    const deletes = () => h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance').map((c) => c.subject);
    // The drain is over, but this reconcile observed no ConfigMap showing the replica as draining.
    await after(h, 40);
    expect(deletes()).toEqual([]);
    expect(states(h)).toContainEqual([R(2), 'draining']);
    await after(h, 1);
    expect(deletes()).toEqual([R(2)]);
  });

  it('does not start the clock when the draining topology could not be written', async () => {
    const h = await started(2);
    const apply = h.kube.applyConfigMap.bind(h.kube);
    h.kube.applyConfigMap = async () => {
      throw new Error('the API server is unavailable');
    };
    h.update(aReplicaSetDB().withReplicas(1));
    await expect(h.reconcile()).rejects.toThrow('the API server is unavailable');
    expect(h.status()?.replicas?.[1]?.drainingSince).toBeUndefined();
    h.kube.applyConfigMap = apply;
    await after(h, 5);
    expect(h.status()?.replicas?.[1]?.drainingSince).toBe(h.clock.now.toISOString());
  });

  it('cancels the drain when the spec wants the replica again', async () => {
    const h = await started(2);
    h.update(aReplicaSetDB().withReplicas(1));
    await h.reconcile();
    expect(states(h)).toContainEqual([R(2), 'draining']);
    h.update(aReplicaSetDB().withReplicas(2));
    await after(h, 5);
    expect(states(h)).toEqual([
      [R(1), 'active'],
      [R(2), 'active'],
    ]);
    expect(h.status()?.replicas?.[1]?.drainingSince).toBeUndefined();
    await after(h, 60);
    expect(h.rds.calls.filter((c) => c.operation === 'DeleteDBInstance')).toEqual([]);
  });
});

describe('topology: lag gating', () => {
  it('takes a lagging replica out with Degraded, brings it back when it catches up, one revision each way', async () => {
    const lag = new FakeLag();
    const h = await started(2, { lag });
    const revision = topology(h).revision;
    expect(lag.asked.at(-1)).toEqual([R(1), R(2)]);

    lag.values.set(R(2), 4);
    await after(h, 1);
    expect(states(h)).toEqual([[R(1), 'active']]);
    expect(topology(h).revision).toBe(revision + 1);
    expect(condition(h, 'Degraded')).toMatchObject({ status: 'True', reason: 'ReplicaLagging' });
    expect(condition(h, 'Degraded')?.message).toContain(`${R(2)} lags more than routing.maxReplicaLagSeconds (1s)`);
    expect(condition(h, 'Ready')).toMatchObject({ status: 'True' });
    expect(h.status()).toMatchObject({
      phase: 'Degraded',
      readyReplicas: 1,
      replicas: [{ routable: true }, { identifier: R(2), lagSeconds: 4, routable: false }],
    });

    // Still lagging, by another amount: not a change of the published content.
    lag.values.set(R(2), 6);
    await after(h, 1);
    expect(topology(h).revision).toBe(revision + 1);

    lag.values.set(R(2), 0.25);
    await after(h, 1);
    expect(topology(h).replicas).toEqual([
      expect.objectContaining({ id: R(1), state: 'active' }),
      expect.objectContaining({ id: R(2), state: 'active', lagSeconds: 0.25 }),
    ]);
    expect(topology(h).revision).toBe(revision + 2);
    expect(condition(h, 'Degraded')).toMatchObject({ status: 'False' });
    expect(h.status()).toMatchObject({ phase: 'Ready', readyReplicas: 2 });
  });

  it('keeps the last known lag when CloudWatch fails, and says so in the log', async () => {
    const lag = new FakeLag();
    const h = await started(1, { lag });
    lag.values.set(R(1), 5);
    await after(h, 1);
    expect(states(h)).toEqual([]);
    lag.failure = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    await after(h, 1);
    expect(states(h)).toEqual([]);
    expect(h.status()?.replicas?.[0]?.lagSeconds).toBe(5);
    expect(h.log.lines.some((l) => l.includes('could not read replica lag from CloudWatch'))).toBe(true);
  });

  it('keeps a replica whose replication is not running (ReplicaLag -1) out while CloudWatch fails, and not ready', async () => {
    const lag = new FakeLag();
    const h = await started(1, { lag });
    lag.values.set(R(1), -1);
    await after(h, 1);
    expect(states(h)).toEqual([]);
    expect(h.status()).toMatchObject({ phase: 'Degraded', readyReplicas: 0, replicas: [{ identifier: R(1), lagSeconds: -1, routable: false }] });
    expect(condition(h, 'Degraded')?.message).toContain(`${R(1)} does not replicate (CloudWatch ReplicaLag -1)`);
    lag.failure = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    await after(h, 1);
    expect(states(h)).toEqual([]);
    expect(h.status()).toMatchObject({ phase: 'Degraded', readyReplicas: 0, replicas: [{ identifier: R(1), lagSeconds: -1, routable: false }] });
    // CloudWatch answers again, with the replica caught up.
    lag.failure = undefined;
    lag.values.set(R(1), 0.5);
    await after(h, 1);
    expect(states(h)).toEqual([[R(1), 'active']]);
    expect(h.status()).toMatchObject({ phase: 'Ready', readyReplicas: 1 });
  });

  it('records the revision and the lag as metrics, and forgets them with the object', async () => {
    const lag = new FakeLag();
    lag.values.set(R(1), 0.5);
    const recorded: string[] = [];
    const metrics = {
      setInstanceStatuses: (_: unknown, statuses: readonly string[]) => recorded.push(`statuses ${statuses.join(',')}`),
      setReplicaLag: (_: unknown, id: string, seconds: number | undefined) => recorded.push(`lag ${id} ${seconds}`),
      setTopologyRevision: (_: unknown, revision: number) => recorded.push(`revision ${revision}`),
      forgetObject: () => recorded.push('forget'),
    };
    const h = await started(1, { lag, metrics });
    expect(recorded).toContain(`revision ${topology(h).revision}`);
    expect(recorded).toContain(`lag ${R(1)} 0.5`);
    expect(recorded.some((r) => r.startsWith(`lag ${BASE} `))).toBe(false);
    expect(recorded).toContain('statuses available,available');
    h.kube.delete(h.ref, h.clock.now);
    for (let i = 0; i < 10 && h.kube.record(h.ref) !== undefined; i++) await after(h, 1);
    expect(recorded.at(-1)).toBe('forget');
  });
});
