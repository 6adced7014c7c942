// Tenancy in a shared AWS account and cluster, against the real kube-apiserver and the RDS emulator with the
// operator running as in production (startOperator): two objects whose readable names collide get distinct
// instances; adoption needs the operator's per-namespace permission and never takes an instance tagged for another
// object; an adopted primary is deleted only after a final snapshot; an object created by the previous version keeps
// its readable identifiers; a ConfigMap the operator did not create is never written or deleted.
import {
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type DBInstance,
  type Tag,
} from '@aws-sdk/client-rds';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { API_VERSION, KIND, type ReplicaSetDBStatus } from '../../operator/src/api/index.js';
import { replicaSetDBResource } from '../../operator/src/kube/testing/replicasetdb-fixture.js';
import {
  ADOPT_ANNOTATION,
  TAG_ADOPTED,
  TAG_OWNER_NAMESPACE,
  TAG_OWNER_UID,
  finalSnapshotIdentifier,
  legacyRdsBaseIdentifier,
  ownershipTags,
  rdsBaseIdentifier,
  resourceTags,
} from '../../operator/src/naming/index.js';
import { apiServerClients } from '../../controller-runtime/testing/api-server.js';
import { startTestOperator } from './support/operator-harness.js';
import { operatorPerFile } from './support/operator-per-file.js';
import { eventually, rdsClient, uniqueName } from '../env/helpers.js';

const { kc, custom, core } = apiServerClients();
const rds = rdsClient();
const log = pino({ level: 'silent' });

const prefix = uniqueName('tenancy');
/** `<prefix>-b/c` and `<prefix>/b-c` read the same: `<prefix>-b-c`. */
const NS = {
  dashInNamespace: `${prefix}-b`,
  dashInName: prefix,
  adoptAllowed: `${prefix}-adopt`,
  adoptRefused: `${prefix}-noadopt`,
  configMap: `${prefix}-cm`,
  legacy: `${prefix}-legacy`,
};
const WATCHED = [NS.dashInNamespace, NS.dashInName, NS.adoptAllowed, NS.adoptRefused, NS.configMap];

operatorPerFile({
  namespace: NS.dashInName,
  otherNamespaces: Object.values(NS).filter((namespace) => namespace !== NS.dashInName),
  log,
  operator: () => ({
    identity: 'tenancy-int-test',
    rdsClient: rdsClient(),
    settings: { watchNamespaces: WATCHED, adoptNamespaces: [NS.adoptAllowed] },
  }),
});

interface Stored {
  metadata: { name: string; uid: string; generation: number };
  status?: ReplicaSetDBStatus;
}

async function getObject(namespace: string, name: string): Promise<Stored | undefined> {
  try {
    return (await custom.getNamespacedCustomObject({ ...replicaSetDBResource, namespace, name })) as Stored;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

function settled(namespace: string, name: string, done: (s: ReplicaSetDBStatus) => boolean): Promise<Stored> {
  return eventually(`${namespace}/${name} to settle`, async () => {
    const obj = await getObject(namespace, name);
    const status = obj?.status;
    return obj !== undefined && status !== undefined && status.observedGeneration === obj.metadata.generation && done(status) ? obj : undefined;
  });
}

async function createObject(namespace: string, name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}): Promise<Stored> {
  return (await custom.createNamespacedCustomObject({
    ...replicaSetDBResource,
    namespace,
    body: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name, namespace, annotations },
      spec: { engineVersion: '16', databaseName: 'app', primary: { instanceClass: 'db.t4g.micro' }, ...spec },
    },
  })) as Stored;
}

async function deleteObject(namespace: string, name: string): Promise<void> {
  await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name });
  await eventually(`${namespace}/${name} to be gone`, async () => ((await getObject(namespace, name)) === undefined ? true : undefined));
}

async function instance(identifier: string): Promise<DBInstance | undefined> {
  const all = (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
  return all.find((i) => i.DBInstanceIdentifier === identifier);
}

function tagsOf(i: DBInstance | undefined): Record<string, string> {
  return Object.fromEntries((i?.TagList ?? []).map((t) => [t.Key!, t.Value!]));
}

function tagList(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

async function createHandMadePrimary(identifier: string, tags: Record<string, string>): Promise<void> {
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: identifier,
      Engine: 'postgres',
      EngineVersion: '16.1',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: 20,
      StorageEncrypted: true,
      DBName: 'app',
      MasterUsername: 'someone',
      MasterUserPassword: 'not-ours-12345',
      Tags: tagList(tags),
    }),
  );
}

function readyCondition(obj: Stored) {
  return obj.status?.conditions?.find((c) => c.type === 'Ready');
}

describe('two objects whose readable names collide (a-b/c and a/b-c)', () => {
  it('both become Ready, each with its own instances tagged with its own uid', async () => {
    // What earlier versions derived for both: one identifier, so the second object could only report a conflict.
    expect(legacyRdsBaseIdentifier(NS.dashInNamespace, 'c')).toBe(legacyRdsBaseIdentifier(NS.dashInName, 'b-c'));
    const created = [
      await createObject(NS.dashInNamespace, 'c', { replicas: { count: 1 } }),
      await createObject(NS.dashInName, 'b-c', { replicas: { count: 1 } }),
    ];
    const ready = (s: ReplicaSetDBStatus) => s.phase === 'Ready' && s.readyReplicas === 1;
    const [one, two] = await Promise.all([settled(NS.dashInNamespace, 'c', ready), settled(NS.dashInName, 'b-c', ready)]);

    expect(one.status?.baseIdentifier).toBe(rdsBaseIdentifier(NS.dashInNamespace, 'c'));
    expect(two.status?.baseIdentifier).toBe(rdsBaseIdentifier(NS.dashInName, 'b-c'));
    expect(one.status?.baseIdentifier).not.toBe(two.status?.baseIdentifier);
    for (const [obj, namespace] of [
      [one, NS.dashInNamespace],
      [two, NS.dashInName],
    ] as const) {
      const base = obj.status!.baseIdentifier!;
      expect(obj.status?.primary?.identifier).toBe(base);
      expect(obj.metadata.uid).toBe(created.find((c) => c.metadata.name === obj.metadata.name)?.metadata.uid);
      for (const id of [base, `${base}-r1`]) {
        expect(tagsOf(await instance(id))).toMatchObject({ [TAG_OWNER_UID]: obj.metadata.uid, [TAG_OWNER_NAMESPACE]: namespace });
      }
    }
    expect(await instance(legacyRdsBaseIdentifier(NS.dashInName, 'b-c'))).toBeUndefined();
  });
});

describe('adoption', () => {
  it('is refused in a namespace the operator does not allow, saying which setting to change, and the instance is untouched', async () => {
    const base = rdsBaseIdentifier(NS.adoptRefused, 'hand');
    await createHandMadePrimary(base, { team: 'elsewhere' });
    await createObject(NS.adoptRefused, 'hand', {}, { [ADOPT_ANNOTATION]: 'true' });
    const obj = await settled(NS.adoptRefused, 'hand', (s) => s.phase === 'Failed');
    expect(readyCondition(obj)).toMatchObject({ status: 'False', reason: 'AdoptionNotAllowed' });
    expect(readyCondition(obj)?.message).toContain(`adoption in namespace ${NS.adoptRefused}`);
    expect(readyCondition(obj)?.message).toContain('--adopt-namespaces');

    await deleteObject(NS.adoptRefused, 'hand');
    expect(tagsOf(await instance(base))).toEqual({ team: 'elsewhere' });
    expect((await instance(base))?.DBInstanceStatus).toBe('available');
  });

  it('never takes an instance tagged for another object, even where adoption is allowed, nor deletes it with the object', async () => {
    const base = rdsBaseIdentifier(NS.adoptAllowed, 'claimed');
    const theirs = ownershipTags({ namespace: 'elsewhere', name: 'db', uid: 'uid-of-another-object' });
    await createHandMadePrimary(base, theirs);
    await createObject(NS.adoptAllowed, 'claimed', { deletionPolicy: 'Delete' }, { [ADOPT_ANNOTATION]: 'true' });
    const obj = await settled(NS.adoptAllowed, 'claimed', (s) => s.phase === 'Failed');
    expect(readyCondition(obj)).toMatchObject({ status: 'False', reason: 'IdentifierConflict' });
    expect(readyCondition(obj)?.message).toContain('belongs to ReplicaSetDB elsewhere/db');

    await deleteObject(NS.adoptAllowed, 'claimed');
    expect(tagsOf(await instance(base))).toEqual(theirs);
    expect((await instance(base))?.DBInstanceStatus).toBe('available');
  });

  it('takes over an untagged instance where allowed, and deletes it only after a final snapshot despite deletionPolicy Delete', async () => {
    const base = rdsBaseIdentifier(NS.adoptAllowed, 'handmade');
    await createHandMadePrimary(base, { team: 'elsewhere' });
    const created = await createObject(NS.adoptAllowed, 'handmade', { deletionPolicy: 'Delete' }, { [ADOPT_ANNOTATION]: 'true' });
    const uid = created.metadata.uid;
    await eventually('the adoption tags', async () => (tagsOf(await instance(base))[TAG_OWNER_UID] === uid ? true : undefined));
    expect(tagsOf(await instance(base))).toMatchObject({ team: 'elsewhere', [TAG_ADOPTED]: 'true' });

    await deleteObject(NS.adoptAllowed, 'handmade');
    const snapshots = (await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: base }))).DBSnapshots ?? [];
    expect(snapshots.map((s) => s.DBSnapshotIdentifier)).toContain(finalSnapshotIdentifier(base, uid));
  });
});

describe('an object created by the previous version (readable identifiers, none recorded in its status)', () => {
  it('keeps its instances after the upgrade and creates no second set', async () => {
    // Created while no operator watches the namespace, so its instances can be made as the previous version did.
    const created = await createObject(NS.legacy, 'orders', { replicas: { count: 1 } });
    const owner = { namespace: NS.legacy, name: 'orders', uid: created.metadata.uid };
    const legacy = legacyRdsBaseIdentifier(NS.legacy, 'orders');
    expect(legacy).toBe(`${NS.legacy}-orders`);
    await createHandMadePrimary(legacy, resourceTags(owner, {}, 'primary'));
    // The previous version created the credentials Secret before the primary, as this one does.
    await core.createNamespacedSecret({
      namespace: NS.legacy,
      body: { metadata: { name: 'orders-credentials' }, stringData: { username: 'postgres', password: 'legacy-password-1' } },
    });
    await rds.send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: `${legacy}-r1`,
        SourceDBInstanceIdentifier: legacy,
        DBInstanceClass: 'db.t4g.micro',
        Tags: tagList(resourceTags(owner, {}, 'replica')),
      }),
    );

    const upgraded = startTestOperator(kc, log, { namespace: NS.legacy, identity: 'tenancy-int-test-upgrade', rdsClient: rdsClient() });
    try {
      const obj = await settled(NS.legacy, 'orders', (s) => s.phase === 'Ready' && s.readyReplicas === 1);
      expect(obj.status).toMatchObject({ baseIdentifier: legacy, primary: { identifier: legacy }, replicas: [{ identifier: `${legacy}-r1` }] });
      const fresh = rdsBaseIdentifier(NS.legacy, 'orders');
      const all = (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
      expect(all.filter((i) => i.DBInstanceIdentifier?.startsWith(fresh))).toEqual([]);
    } finally {
      await upgraded.stop();
    }
  });
});

describe('an endpoints ConfigMap the operator did not create', () => {
  it('is never written or deleted, and the object reports TopologyNotPublished naming it', async () => {
    const namespace = NS.configMap;
    const handMade = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'web-endpoints' }, data: { note: 'made by hand' } } });
    await createObject(namespace, 'web', { deletionPolicy: 'Delete' });
    const obj = await settled(namespace, 'web', (s) => s.conditions?.some((c) => c.type === 'Degraded' && c.reason === 'TopologyNotPublished') === true);
    const degraded = obj.status?.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'TopologyNotPublished' });
    expect(degraded?.message).toContain('ConfigMap web-endpoints');

    await deleteObject(namespace, 'web');
    const after = await core.readNamespacedConfigMap({ namespace, name: 'web-endpoints' });
    expect(after.metadata?.resourceVersion).toBe(handMade.metadata?.resourceVersion);
    expect(after.data).toEqual({ note: 'made by hand' });
    expect(after.metadata?.ownerReferences ?? []).toEqual([]);
  });
});
