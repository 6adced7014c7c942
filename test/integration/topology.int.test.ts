// The published topology against the real kube-apiserver and the emulator (RDS and CloudWatch), with the operator
// running as in production (startOperator): the ConfigMap after create (contract v1, validated against the JSON
// Schema, and the environment keys), a resync that writes nothing, a hand deletion and a hand edit undone, lag
// gating from ReplicaLag datapoints, scale 3 -> 1 with its drain, and a full create/delete cycle whose log lines
// never show the password. ConfigMap histories come from a watch, so every version the API server stored is seen.
import * as k8s from '@kubernetes/client-node';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { Topology } from '@servio/replicasetdb-contract';
import { describe, expect, it } from 'vitest';
import { KIND, type ReplicaSetDBStatus } from '../../operator/src/api/index.js';
import { replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { createLogger } from '../../operator/src/observability/index.js';
import { TOPOLOGY_KEY } from '../../operator/src/topology/index.js';
import { topologyJsonSchemaValidator } from '../../operator/src/topology/testing/json-schema.js';
import { apiClients, operatorPerFile } from './support/operator-per-file.js';
import { publishedTopology, putReplicaLag, topologyOf } from './support/published-topology.js';
import { interceptCommands, minimalReplicaSetDB, reconcileObjects } from './support/reconcile-objects.js';
import { awsClientConfig, eventually, rdsClient, uniqueName } from '../env/helpers.js';

const { kc, custom, core, mergePatch } = apiClients();
const rds = rdsClient();
const validate = topologyJsonSchemaValidator();

/** Every line the operator logs in this file, at the most verbose level. */
const logLines: string[] = [];
const log = createLogger({ level: 'trace', destination: { write: (line: string) => void logLines.push(line) } });

interface AwsCall {
  operation: string;
  identifier: unknown;
  at: number;
}
const calls: AwsCall[] = [];

function recordingClient(): RDSClient {
  return interceptCommands(new RDSClient({ ...awsClientConfig(), maxAttempts: 2 }), (operation, input, send) => {
    calls.push({ operation, identifier: input.DBInstanceIdentifier, at: Date.now() });
    return send();
  });
}

const namespace = uniqueName('rsdb-topology');
operatorPerFile({
  namespace,
  log,
  operator: () => ({
    identity: 'topology-int-test',
    rdsClient: recordingClient(),
    // The test writes high-resolution (one-second) ReplicaLag datapoints, so a later datapoint is a later bucket.
    lagWindow: { windowSeconds: 600, periodSeconds: 1 },
    // The object re-created after deletionPolicy Retain adopts its retained instances.
    settings: { adoptNamespaces: [namespace] },
  }),
});
const { getObject, settled, createObject } = reconcileObjects(
  () => namespace,
  () => rds,
);
const { readConfigMap, published } = publishedTopology(() => namespace);
const putLag = (identifier: string, seconds: number, at: Date) => putReplicaLag(identifier, seconds, at, { highResolution: true });

async function createDatabase(
  name: string,
  replicas: number,
  drainSeconds = 3,
  { deletionPolicy = 'Delete', annotations = {} }: { deletionPolicy?: 'Delete' | 'Retain'; annotations?: Record<string, string> } = {},
): Promise<void> {
  await createObject(
    // No DatabaseConnections datapoints here: the drain ends at its maximum, set to drainSeconds.
    minimalReplicaSetDB(
      name,
      { replicas: { count: replicas }, routing: { maxReplicaLagSeconds: 1, drainSeconds, maxDrainSeconds: drainSeconds }, deletionPolicy },
      { annotations },
    ),
  );
}

const statesOf = (t: Topology | undefined) => (t?.replicas ?? []).map((r) => `${r.id.replace(/^.*-(r\d+)$/, '$1')}:${r.state}`);

interface Version {
  type: string;
  receivedAt: number;
  resourceVersion: string;
  topology: Topology | undefined;
}

/** Every version of one ConfigMap from now on, as the API server's watch delivers them (the first is its current
 * state). */
async function history(name: string): Promise<{ versions: Version[]; stop: () => void }> {
  const versions: Version[] = [];
  const controller = await new k8s.Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/configmaps`,
    { fieldSelector: `metadata.name=${name}-endpoints` },
    (type: string, obj: k8s.V1ConfigMap) => {
      versions.push({ type, receivedAt: Date.now(), resourceVersion: obj.metadata?.resourceVersion ?? '', topology: topologyOf(obj) });
    },
    () => undefined,
  );
  await eventually('the watch to deliver the current state', async () => (versions.length > 0 ? true : undefined), 10_000);
  return { versions, stop: () => controller.abort() };
}

/** The revisions of a history in order, each once; and a check that one revision always means one content. */
function revisionsOf(versions: readonly Version[]): number[] {
  const byRevision = new Map<number, string>();
  for (const v of versions) {
    if (v.topology === undefined) continue;
    const { revision, updatedAt: _updatedAt, ...content } = v.topology;
    const text = JSON.stringify(content);
    expect(byRevision.get(revision) ?? text, `revision ${revision} published with two contents`).toBe(text);
    byRevision.set(revision, text);
  }
  return [...byRevision.keys()];
}

function condition(status: ReplicaSetDBStatus | undefined, type: string) {
  return status?.conditions?.find((c) => c.type === type);
}

describe('the endpoints ConfigMap of a live database', () => {
  const name = 'orders';
  let base = '';

  it('publishes contract v1 and the Servio environment keys once the instances are available', async () => {
    await createDatabase(name, 2);
    const obj = await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 2);
    base = rdsBaseIdentifier(namespace, name);
    const { topology, configMap } = await published(name, (t) => t.replicas.length === 2);

    expect(validate(JSON.parse(configMap.data![TOPOLOGY_KEY]!))).toEqual([]);
    const endpoints = new Map(
      ((await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map((i) => [
        i.DBInstanceIdentifier!,
        { host: i.Endpoint!.Address!, port: i.Endpoint!.Port! },
      ]),
    );
    expect(topology).toEqual({
      version: 1,
      revision: topology.revision,
      epoch: obj.metadata.uid,
      name,
      namespace,
      database: 'app',
      primary: { id: base, ...endpoints.get(base)! },
      replicas: [1, 2].map((i) => ({ id: `${base}-r${i}`, ...endpoints.get(`${base}-r${i}`)!, state: 'active' })),
      routing: { maxReplicaLagSeconds: 1, readYourWrites: 'lsn', drainSeconds: 3 },
      tls: { mode: 'verify-full' },
      credentialsSecret: `${name}-credentials`,
      updatedAt: topology.updatedAt,
    });
    const r = (i: number) => endpoints.get(`${base}-r${i}`)!;
    expect(Object.fromEntries(Object.entries(configMap.data!).filter(([k]) => k !== TOPOLOGY_KEY))).toEqual({
      DB_PRIMARY_HOST: endpoints.get(base)!.host,
      DB_PRIMARY_PORT: String(endpoints.get(base)!.port),
      DB_NAME: 'app',
      DB_REPLICA_COUNT: '2',
      DB_REPLICA_1_HOST: r(1).host,
      DB_REPLICA_1_PORT: String(r(1).port),
      DB_REPLICA_2_HOST: r(2).host,
      DB_REPLICA_2_PORT: String(r(2).port),
      DB_REPLICA_HOSTS: `${r(1).host},${r(2).host}`,
      DB_TLS_MODE: 'verify-full',
    });
    expect(configMap.metadata?.labels).toMatchObject({
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/managed-by': 'replicasetdb-operator',
      'app.kubernetes.io/component': 'endpoints',
    });
    expect(configMap.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: KIND, name, uid: obj.metadata.uid, controller: true })]);
    expect(configMap.metadata?.managedFields?.map((f) => f.manager)).toEqual(['replicasetdb-operator']);

    const status = (await settled(name, (s) => s.endpoints?.topologyRevision === topology.revision)).status!;
    expect(status.endpoints).toEqual({ configMapName: `${name}-endpoints`, secretName: `${name}-credentials`, topologyRevision: topology.revision });
    expect(status.replicas?.map((x) => x.routable)).toEqual([true, true]);
  });

  it('leaves revision and resourceVersion untouched over resyncs with no change', async () => {
    const before = await readConfigMap(name);
    const from = calls.length;
    const ours = (c: AwsCall) => c.operation === 'DescribeDBInstances';
    await eventually('three resyncs', async () => (calls.slice(from).filter(ours).length >= 3 ? true : undefined));
    const after = await readConfigMap(name);
    expect(after?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
    expect(topologyOf(after)?.revision).toBe(topologyOf(before)?.revision);
  });

  it('recreates a ConfigMap deleted by hand and reverts a hand edit', async () => {
    const revision = topologyOf(await readConfigMap(name))!.revision;
    await core.deleteNamespacedConfigMap({ namespace, name: `${name}-endpoints` });
    const recreated = await published(name, (t) => t.revision > revision);
    expect(statesOf(recreated.topology)).toEqual(['r1:active', 'r2:active']);

    const edited = { ...recreated.topology, primary: { ...recreated.topology.primary, host: 'attacker.example' } };
    await core.patchNamespacedConfigMap(
      { namespace, name: `${name}-endpoints`, body: { data: { [TOPOLOGY_KEY]: JSON.stringify(edited), DB_PRIMARY_HOST: 'attacker.example' } } },
      mergePatch,
    );
    const reverted = await published(name, (t, cm) => t.primary.host !== 'attacker.example' && cm.data?.DB_PRIMARY_HOST !== 'attacker.example');
    expect(reverted.topology.primary.host).toBe(recreated.topology.primary.host);
    expect(reverted.configMap.data?.DB_PRIMARY_HOST).toBe(recreated.topology.primary.host);
    expect(reverted.topology.revision).toBe(recreated.topology.revision + 1);
  });

  it('takes a replica out while its ReplicaLag is over the threshold, with Degraded, and back when it recovers', async () => {
    const revision = topologyOf(await readConfigMap(name))!.revision;
    const watch = await history(name);
    try {
      const lagging = `${base}-r1`;
      const highAt = Date.now();
      await putLag(lagging, 5, new Date(highAt));
      const out = await published(name, (t) => !t.replicas.some((x) => x.id === lagging));
      expect(statesOf(out.topology)).toEqual(['r2:active']);
      expect(out.configMap.data?.DB_REPLICA_COUNT).toBe('1');
      const degraded = await settled(name, (s) => condition(s, 'Degraded')?.status === 'True');
      expect(condition(degraded.status, 'Degraded')).toMatchObject({ reason: 'ReplicaLagging' });
      expect(degraded.status?.replicas?.find((x) => x.identifier === lagging)).toMatchObject({ lagSeconds: 5, routable: false });
      expect(degraded.status).toMatchObject({ phase: 'Degraded', readyReplicas: 1 });

      // A later one-second bucket, so the newest datapoint is the recovered one.
      await putLag(lagging, 0.25, new Date(Math.max(Date.now(), (Math.floor(highAt / 1000) + 1) * 1000)));
      const back = await published(name, (t) => t.replicas.some((x) => x.id === lagging));
      expect(back.topology.replicas.find((x) => x.id === lagging)).toMatchObject({ state: 'active', lagSeconds: 0.25 });
      const healthy = await settled(name, (s) => condition(s, 'Degraded')?.status === 'False');
      expect(healthy.status).toMatchObject({ phase: 'Ready', readyReplicas: 2 });
      await settled(name, (s) => s.endpoints?.topologyRevision === back.topology.revision);
    } finally {
      watch.stop();
    }
    // One revision per change: out, then back. No write in between.
    expect(revisionsOf(watch.versions)).toEqual([revision, revision + 1, revision + 2]);
    expect(new Set(watch.versions.map((v) => v.resourceVersion)).size).toBe(3);
  });
});

describe('scale 3 -> 1', () => {
  it('publishes both surplus replicas as draining for drainSeconds, deletes them, then removes them; r1 stays active', async () => {
    const name = 'scaled';
    const drainSeconds = 3;
    await createDatabase(name, 3, drainSeconds);
    await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 3);
    const base = rdsBaseIdentifier(namespace, name);
    const { topology: before } = await published(name, (t) => t.replicas.length === 3);
    const watch = await history(name);
    try {
      await custom.patchNamespacedCustomObject({ ...replicaSetDBResource, namespace, name, body: { spec: { replicas: { count: 1 } } } }, mergePatch);
      const draining = await settled(name, (s) => s.replicas?.filter((r) => r.drainingSince !== undefined).length === 2);
      expect(draining.status?.replicas?.map((r) => [r.identifier, r.drainingSince !== undefined, r.routable])).toEqual([
        [`${base}-r1`, false, true],
        [`${base}-r2`, true, false],
        [`${base}-r3`, true, false],
      ]);
      await settled(name, (s) => s.phase === 'Ready' && s.replicas?.length === 1);
      await published(name, (t) => t.replicas.length === 1);
    } finally {
      watch.stop();
    }

    const versions = watch.versions.filter((v) => v.topology !== undefined);
    // r1 is active in every version the API server stored.
    for (const v of versions) expect(statesOf(v.topology)).toContain('r1:active');
    expect(revisionsOf(versions)).toEqual([before.revision, before.revision + 1, before.revision + 2]);
    const drainVersion = versions.find((v) => v.topology!.revision === before.revision + 1)!;
    expect(statesOf(drainVersion.topology)).toEqual(['r1:active', 'r2:draining', 'r3:draining']);
    const removal = versions.find((v) => v.topology!.revision === before.revision + 2)!;
    expect(statesOf(removal.topology)).toEqual(['r1:active']);

    const deletes = calls.filter((c) => c.operation === 'DeleteDBInstance' && typeof c.identifier === 'string' && c.identifier.startsWith(`${base}-r`));
    expect(deletes.map((c) => c.identifier).sort()).toEqual([`${base}-r2`, `${base}-r3`]);
    // DeleteDBInstance only drainSeconds after the draining revision was stamped (stamped before it was written)...
    const drainedFrom = Date.parse(drainVersion.topology!.updatedAt);
    for (const d of deletes) expect(d.at - drainedFrom).toBeGreaterThanOrEqual(drainSeconds * 1000);
    // ...and the replicas left the ConfigMap only after their deletion was asked for, never in the same step.
    expect(removal.receivedAt).toBeGreaterThanOrEqual(Math.max(...deletes.map((d) => d.at)));
  });
});

describe('credentials', () => {
  it('creates a strong password, and no log line of a whole create/delete cycle shows it', async () => {
    const name = 'secretive';
    const fromLine = logLines.length;
    await createDatabase(name, 1);
    await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 1);
    const { configMap } = await published(name, (t) => t.replicas.length === 1);
    const secret = await core.readNamespacedSecret({ namespace, name: `${name}-credentials` });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['DB_PASSWORD', 'DB_USERNAME', 'password', 'password_fingerprint_key', 'username']);
    const password = Buffer.from(secret.data!.password!, 'base64').toString();
    expect(password).toMatch(/^[A-Za-z0-9]{40}$/);

    await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name });
    await eventually(`${name} to be gone`, async () => ((await getObject(name)) === undefined ? true : undefined));
    // Deleted on the finalizer path, with the instances.
    expect(await readConfigMap(name)).toBeUndefined();

    const cycle = logLines.slice(fromLine);
    expect(cycle.filter((l) => l.includes(name)).length).toBeGreaterThan(10);
    expect(cycle.some((l) => l.includes('publish topology revision'))).toBe(true);
    expect(cycle.filter((l) => l.includes(password))).toEqual([]);
    expect(JSON.stringify(configMap)).not.toContain(password);
    const events = await core.listNamespacedEvent({ namespace });
    expect(JSON.stringify(events.items.map((e) => e.message))).not.toContain(password);
  });
});

describe('deletionPolicy Retain, then the object created again', () => {
  it('keeps the ConfigMap without our owner reference, and the new object publishes a new epoch into it', async () => {
    const name = 'retained';
    await createDatabase(name, 1, 3, { deletionPolicy: 'Retain' });
    const first = await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 1);
    const before = await published(name, (t) => t.replicas.length === 1);
    expect(before.topology.epoch).toBe(first.metadata.uid);
    expect(before.configMap.metadata?.ownerReferences?.map((o) => o.uid)).toEqual([first.metadata.uid]);

    await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name });
    await eventually(`${name} to be gone`, async () => ((await getObject(name)) === undefined ? true : undefined));
    // The test control plane runs no garbage collector; what would make it delete the ConfigMap with its owner is
    // the owner reference, which must be gone.
    const kept = await readConfigMap(name);
    expect(kept, 'the ConfigMap after the object was deleted').toBeDefined();
    expect(kept?.metadata?.ownerReferences ?? []).toEqual([]);
    expect(kept?.data).toEqual(before.configMap.data);

    await createDatabase(name, 1, 3, { deletionPolicy: 'Retain', annotations: { 'db.servio.io/adopt': 'true' } });
    const second = await settled(name, (s) => s.phase === 'Ready' && s.readyReplicas === 1);
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    const after = await published(name, (t) => t.epoch === second.metadata.uid);
    expect(after.topology.revision).toBeGreaterThan(before.topology.revision);
    expect(after.topology.primary).toEqual(before.topology.primary);
    expect(after.topology.replicas).toEqual(before.topology.replicas);
    expect(after.configMap.metadata?.ownerReferences?.map((o) => o.uid)).toEqual([second.metadata.uid]);
  });
});
