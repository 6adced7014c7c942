// The KubernetesPort adapter against the real kube-apiserver: the write semantics the reconciler relies on.
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, KIND, type ReplicaSetDBStatus } from '../api/index.js';
import type { OwnerIdentity } from '../ports/kubernetes.js';
import { createNamespace, kubeConfig, uniqueName } from '../../../test/env/helpers.js';
import { httpStatusOf } from '@servio/controller-runtime';
import { KubernetesAdapter } from './kubernetes-adapter.js';
import { createReplicaSetDB, deleteAllReplicaSetDBs, installReplicaSetDBCrd, replicaSetDBResource } from './testing/replicasetdb-fixture.js';

const FINALIZER = 'db.servio.io/finalizer';

const kc = kubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const core = kc.makeApiClient(k8s.CoreV1Api);
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const adapter = new KubernetesAdapter(kc, { log: pino({ level: 'silent' }), reportingInstance: 'test-pod' });
let namespace = '';

type RawObject = { metadata: { finalizers?: string[]; generation: number; resourceVersion: string }; spec: unknown; status?: unknown };

async function readRaw(name: string): Promise<RawObject> {
  return (await custom.getNamespacedCustomObject({ ...replicaSetDBResource, namespace, name })) as RawObject;
}

/** Someone else (another controller, a person) changing the finalizers behind the adapter's back. */
async function setFinalizersBehindTheBack(name: string, finalizers: string[]): Promise<void> {
  await custom.patchNamespacedCustomObject({ ...replicaSetDBResource, namespace, name, body: { metadata: { finalizers } } }, mergePatch);
}

async function ownerOf(name: string): Promise<OwnerIdentity> {
  const { uid } = await createReplicaSetDB(kc, namespace, name);
  return { apiVersion: API_VERSION, kind: KIND, namespace, name, uid };
}

beforeAll(async () => {
  await installReplicaSetDBCrd(kc);
  namespace = await createNamespace(kc, uniqueName('kube-adapter'));
});

afterAll(async () => {
  if (!namespace) return;
  await deleteAllReplicaSetDBs(kc, namespace);
  await core.deleteCollectionNamespacedConfigMap({ namespace });
  await core.deleteCollectionNamespacedSecret({ namespace });
  await core.deleteCollectionNamespacedEvent({ namespace });
});

describe('KubernetesAdapter against the API server', () => {
  describe('getReplicaSetDB', () => {
    it('returns the stored object with its metadata, and undefined when it does not exist', async () => {
      const { uid } = await createReplicaSetDB(kc, namespace, 'read-me', { annotations: { note: 'hello' } });
      const stored = await adapter.getReplicaSetDB({ namespace, name: 'read-me' });
      expect(stored).toMatchObject({ uid, generation: 1, finalizers: [], annotations: { note: 'hello' } });
      expect(stored?.deletionTimestamp).toBeUndefined();
      expect(stored?.raw).toMatchObject({ kind: KIND, spec: { databaseName: 'app' } });
      await expect(adapter.getReplicaSetDB({ namespace, name: 'missing' })).resolves.toBeUndefined();
    });
  });

  describe('finalizers', () => {
    it('adds to an absent list, and does not write when the finalizer is already there', async () => {
      await createReplicaSetDB(kc, namespace, 'fin-add');
      const ref = { namespace, name: 'fin-add' };
      const written = await adapter.addFinalizer(ref, [], FINALIZER);
      const after = await readRaw('fin-add');
      expect(after.metadata.finalizers).toEqual([FINALIZER]);
      expect(written).toBe(after.metadata.resourceVersion);

      await expect(adapter.addFinalizer(ref, [FINALIZER], FINALIZER)).resolves.toBeUndefined();
      expect((await readRaw('fin-add')).metadata.resourceVersion).toBe(after.metadata.resourceVersion);
    });

    it('adds to an object created with an explicitly empty list', async () => {
      await createReplicaSetDB(kc, namespace, 'fin-empty', { finalizers: [] });
      await expect(adapter.addFinalizer({ namespace, name: 'fin-empty' }, [], FINALIZER)).resolves.toEqual(expect.any(String));
      expect((await readRaw('fin-empty')).metadata.finalizers).toEqual([FINALIZER]);
    });

    it('appends after the finalizers of others', async () => {
      await createReplicaSetDB(kc, namespace, 'fin-append', { finalizers: ['other.io/cleanup'] });
      await adapter.addFinalizer({ namespace, name: 'fin-append' }, ['other.io/cleanup'], FINALIZER);
      expect((await readRaw('fin-append')).metadata.finalizers).toEqual(['other.io/cleanup', FINALIZER]);
    });

    it('fails instead of dropping a finalizer someone created after our read of an absent list', async () => {
      await createReplicaSetDB(kc, namespace, 'fin-race-absent');
      const read = await adapter.getReplicaSetDB({ namespace, name: 'fin-race-absent' });
      await setFinalizersBehindTheBack('fin-race-absent', ['other.io/cleanup']);

      await expect(adapter.addFinalizer({ namespace, name: 'fin-race-absent' }, read?.finalizers ?? [], FINALIZER)).rejects.toMatchObject({
        code: 422,
      });
      expect((await readRaw('fin-race-absent')).metadata.finalizers).toEqual(['other.io/cleanup']);
    });

    it('fails to add when the list changed since it was read', async () => {
      await createReplicaSetDB(kc, namespace, 'fin-race-add', { finalizers: ['a.io/x'] });
      await setFinalizersBehindTheBack('fin-race-add', ['b.io/y']);
      await expect(adapter.addFinalizer({ namespace, name: 'fin-race-add' }, ['a.io/x'], FINALIZER)).rejects.toMatchObject({ code: 422 });
      expect((await readRaw('fin-race-add')).metadata.finalizers).toEqual(['b.io/y']);
    });

    it('removes its finalizer (the list disappears when it was the last) and reports when nothing was to remove', async () => {
      await createReplicaSetDB(kc, namespace, 'fin-remove', { finalizers: [FINALIZER] });
      const ref = { namespace, name: 'fin-remove' };
      const written = await adapter.removeFinalizer(ref, [FINALIZER], FINALIZER);
      const after = await readRaw('fin-remove');
      expect(after.metadata.finalizers).toBeUndefined();
      expect(written).toBe(after.metadata.resourceVersion);
      await expect(adapter.removeFinalizer(ref, [], FINALIZER)).resolves.toBeUndefined();
    });

    it('fails to remove, keeping every finalizer, when another was added since the read', async () => {
      await createReplicaSetDB(kc, namespace, 'fin-race-remove', { finalizers: [FINALIZER] });
      await setFinalizersBehindTheBack('fin-race-remove', [FINALIZER, 'late.io/arrival']);
      await expect(adapter.removeFinalizer({ namespace, name: 'fin-race-remove' }, [FINALIZER], FINALIZER)).rejects.toMatchObject({
        code: 422,
      });
      expect((await readRaw('fin-race-remove')).metadata.finalizers).toEqual([FINALIZER, 'late.io/arrival']);
    });

    it('lets a deleted object go once its finalizer is removed', async () => {
      await createReplicaSetDB(kc, namespace, 'fin-delete', { finalizers: [FINALIZER] });
      await custom.deleteNamespacedCustomObject({ ...replicaSetDBResource, namespace, name: 'fin-delete' });
      const deleting = await adapter.getReplicaSetDB({ namespace, name: 'fin-delete' });
      expect(deleting?.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);

      await adapter.removeFinalizer({ namespace, name: 'fin-delete' }, deleting?.finalizers ?? [], FINALIZER);
      await expect(adapter.getReplicaSetDB({ namespace, name: 'fin-delete' })).resolves.toBeUndefined();
    });
  });

  describe('writeStatus', () => {
    const ready: ReplicaSetDBStatus = {
      phase: 'Ready',
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'True', reason: 'InstancesAvailable', message: 'all good', lastTransitionTime: '2026-11-26T10:00:00Z' }],
      primary: { identifier: 'ns-app', role: 'primary', rdsStatus: 'available', endpoint: { host: 'db.example.com', port: 5432 } },
      readyReplicas: 0,
    };

    it('writes through the status subresource: spec, generation and metadata stay as they are', async () => {
      await createReplicaSetDB(kc, namespace, 'status-write');
      const before = await readRaw('status-write');
      await adapter.writeStatus({ namespace, name: 'status-write' }, ready, before.metadata.resourceVersion);
      const after = await readRaw('status-write');
      expect(after.status).toEqual(ready);
      expect(after.spec).toEqual(before.spec);
      expect(after.metadata.generation).toBe(before.metadata.generation);
    });

    it('replaces the whole status: fields the new status drops disappear', async () => {
      await createReplicaSetDB(kc, namespace, 'status-replace');
      await adapter.writeStatus({ namespace, name: 'status-replace' }, ready, (await readRaw('status-replace')).metadata.resourceVersion);
      const smaller: ReplicaSetDBStatus = { phase: 'Deleting', observedGeneration: 1 };
      await adapter.writeStatus({ namespace, name: 'status-replace' }, smaller, (await readRaw('status-replace')).metadata.resourceVersion);
      expect((await readRaw('status-replace')).status).toEqual(smaller);
    });

    it('does not undo a spec change made after the reconcile read the object', async () => {
      await createReplicaSetDB(kc, namespace, 'status-race');
      await custom.patchNamespacedCustomObject(
        { ...replicaSetDBResource, namespace, name: 'status-race', body: { spec: { primary: { instanceClass: 'db.t4g.small' } } } },
        mergePatch,
      );
      // Computed from a read after the spec change; one from before it is refused (see the conflict test below).
      await adapter.writeStatus({ namespace, name: 'status-race' }, ready, (await readRaw('status-race')).metadata.resourceVersion);
      const after = await readRaw('status-race');
      expect(after.spec).toMatchObject({ primary: { instanceClass: 'db.t4g.small' } });
      expect(after.metadata.generation).toBe(2);
      expect(after.status).toEqual(ready);
    });

    it('refuses a status computed from an old resourceVersion with a conflict, and overwrites nothing', async () => {
      const ref = { namespace, name: 'status-stale' };
      await createReplicaSetDB(kc, namespace, ref.name);
      const seen = (await readRaw(ref.name)).metadata.resourceVersion;
      // Another writer (the new leader) writes its status after this one observed the object.
      const theirs: ReplicaSetDBStatus = { phase: 'Provisioning', observedGeneration: 1 };
      await custom.patchNamespacedCustomObjectStatus({ ...replicaSetDBResource, ...ref, body: { status: theirs } }, mergePatch);
      const before = await readRaw(ref.name);
      expect(before.metadata.resourceVersion).not.toBe(seen);

      const error: unknown = await adapter.writeStatus(ref, ready, seen).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(httpStatusOf(error)).toBe(409);
      const after = await readRaw(ref.name);
      expect(after.status).toEqual(theirs);
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });

    it('writes a status computed from the current resourceVersion', async () => {
      const ref = { namespace, name: 'status-current' };
      await createReplicaSetDB(kc, namespace, ref.name);
      const seen = (await readRaw(ref.name)).metadata.resourceVersion;
      await adapter.writeStatus(ref, ready, seen);
      expect((await readRaw(ref.name)).status).toEqual(ready);
    });

    it('is validated by the CRD status schema', async () => {
      await createReplicaSetDB(kc, namespace, 'status-invalid');
      const invalid = { phase: 'Sleeping' } as unknown as ReplicaSetDBStatus;
      const { resourceVersion } = (await readRaw('status-invalid')).metadata;
      await expect(adapter.writeStatus({ namespace, name: 'status-invalid' }, invalid, resourceVersion)).rejects.toMatchObject({ code: 422 });
    });

    it('fails for an object that does not exist', async () => {
      await expect(adapter.writeStatus({ namespace, name: 'no-such-object' }, ready, '1')).rejects.toMatchObject({ code: 404 });
    });
  });

  describe('reserveTopologyRevision', () => {
    it('sets the revision alone, on an object without a status and on one with a status, and returns the new resourceVersion', async () => {
      const bare = { namespace, name: 'reserve-bare' };
      await createReplicaSetDB(kc, namespace, bare.name);
      const returned = await adapter.reserveTopologyRevision(bare, 1, (await readRaw(bare.name)).metadata.resourceVersion);
      const afterBare = await readRaw(bare.name);
      expect(afterBare.status).toEqual({ endpoints: { topologyRevision: 1 } });
      expect(returned).toBe(afterBare.metadata.resourceVersion);

      const withStatus = { namespace, name: 'reserve-status' };
      await createReplicaSetDB(kc, namespace, withStatus.name);
      const published: ReplicaSetDBStatus = {
        phase: 'Ready',
        observedGeneration: 1,
        readyReplicas: 0,
        endpoints: { configMapName: 'app-endpoints', secretName: 'app-credentials', topologyRevision: 4 },
      };
      await adapter.writeStatus(withStatus, published, (await readRaw(withStatus.name)).metadata.resourceVersion);
      await adapter.reserveTopologyRevision(withStatus, 5, (await readRaw(withStatus.name)).metadata.resourceVersion);
      expect((await readRaw(withStatus.name)).status).toEqual({ ...published, endpoints: { ...published.endpoints, topologyRevision: 5 } });
    });

    it('refuses with a conflict when the object moved past the resourceVersion, and changes nothing', async () => {
      const ref = { namespace, name: 'reserve-stale' };
      await createReplicaSetDB(kc, namespace, ref.name);
      const seen = (await readRaw(ref.name)).metadata.resourceVersion;
      await custom.patchNamespacedCustomObject({ ...replicaSetDBResource, ...ref, body: { spec: { primary: { instanceClass: 'db.t4g.small' } } } }, mergePatch);
      const before = await readRaw(ref.name);
      const error: unknown = await adapter.reserveTopologyRevision(ref, 1, seen).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(httpStatusOf(error)).toBe(409);
      const after = await readRaw(ref.name);
      expect(after.status).toBeUndefined();
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });
  });

  describe('abort signal', () => {
    it('sends no request once the caller signal is aborted: nothing is written', async () => {
      const signal = AbortSignal.abort(new Error('leadership lost'));
      const secret = { namespace, name: 'aborted-credentials' };
      await expect(adapter.createSecret(secret, { password: 'x' }, {}, { signal })).rejects.toThrow();
      await expect(adapter.getSecret(secret)).resolves.toBeUndefined();

      const owner = await ownerOf('aborted-writes');
      const ref = { namespace, name: 'aborted-writes' };
      const before = await readRaw(ref.name);
      await expect(adapter.addFinalizer(ref, [], FINALIZER, { signal })).rejects.toThrow();
      await expect(adapter.writeStatus(ref, { phase: 'Pending', observedGeneration: 1 }, before.metadata.resourceVersion, { signal })).rejects.toThrow();
      const configMap = { namespace, name: 'aborted-topology' };
      await expect(adapter.applyConfigMap(configMap, { data: { a: '1' }, labels: {} }, owner, { signal })).rejects.toThrow();
      expect((await readRaw(ref.name)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      await expect(adapter.getConfigMap(configMap)).resolves.toBeUndefined();
    });

    it('sends no request once the caller signal is aborted: a Secret key patch and a topology release change nothing', async () => {
      const signal = AbortSignal.abort(new Error('leadership lost'));
      const secret = { namespace, name: 'aborted-rotation' };
      await adapter.createSecret(secret, { username: 'app', password: 'old-password' }, {});
      await expect(adapter.patchSecretKeys(secret, { password: 'new-password' }, { password: 'old-password' }, { signal })).rejects.toThrow();
      await expect(adapter.getSecret(secret)).resolves.toEqual({ username: 'app', password: 'old-password' });

      const owner = await ownerOf('aborted-release');
      const configMap = { namespace, name: 'aborted-release-topology' };
      const applied = await adapter.applyConfigMap(configMap, { data: { a: '1' }, labels: {} }, owner);
      await expect(adapter.releaseConfigMap(configMap, owner.uid, { signal })).rejects.toThrow();
      await expect(adapter.getConfigMap(configMap)).resolves.toMatchObject({ resourceVersion: applied, ownerUids: [owner.uid] });
    });
  });

  describe('Secrets', () => {
    it('creates a Secret once and never overwrites it', async () => {
      const ref = { namespace, name: 'app-credentials' };
      await expect(adapter.getSecret(ref)).resolves.toBeUndefined();
      const labels = { 'app.kubernetes.io/managed-by': 'replicasetdb-operator' };
      await expect(adapter.createSecret(ref, { username: 'app', password: 'p@ss:wörd' }, labels)).resolves.toBe('created');
      await expect(adapter.getSecret(ref)).resolves.toEqual({ username: 'app', password: 'p@ss:wörd' });

      await expect(adapter.createSecret(ref, { username: 'app', password: 'another' }, labels)).resolves.toBe('exists');
      await expect(adapter.getSecret(ref)).resolves.toEqual({ username: 'app', password: 'p@ss:wörd' });
      const stored = await core.readNamespacedSecret(ref);
      expect(stored.type).toBe('Opaque');
      expect(stored.metadata?.labels).toEqual(labels);
    });

    it('sets keys only while the keys it was told about are unchanged', async () => {
      const ref = { namespace, name: 'patched-credentials' };
      await adapter.createSecret(ref, { username: 'app', password: 'first-password' }, {});
      await adapter.patchSecretKeys(ref, { DB_USERNAME: 'app', DB_PASSWORD: 'first-password' }, { username: 'app', password: 'first-password' });
      await expect(adapter.getSecret(ref)).resolves.toEqual({ username: 'app', password: 'first-password', DB_USERNAME: 'app', DB_PASSWORD: 'first-password' });

      // Someone rotated the password after it was read: the copy of the old one is refused, nothing changes.
      await core.patchNamespacedSecret({ ...ref, body: { stringData: { password: 'second-password' } } }, mergePatch);
      await expect(adapter.patchSecretKeys(ref, { DB_PASSWORD: 'first-password' }, { password: 'first-password' })).rejects.toMatchObject({ code: 422 });
      await expect(adapter.getSecret(ref)).resolves.toMatchObject({ password: 'second-password', DB_PASSWORD: 'first-password' });
    });
  });

  describe('ConfigMaps by server-side apply', () => {
    const labels = {
      'app.kubernetes.io/managed-by': 'replicasetdb-operator',
      'app.kubernetes.io/name': 'replicasetdb',
      'app.kubernetes.io/instance': 'cm-owner',
    };

    it('creates the ConfigMap owned by the ReplicaSetDB with the given labels', async () => {
      const owner = await ownerOf('cm-owner');
      const ref = { namespace, name: 'cm-owner-topology' };
      const resourceVersion = await adapter.applyConfigMap(ref, { data: { 'topology.json': '{"v":1}' }, labels }, owner);

      await expect(adapter.getConfigMap(ref)).resolves.toEqual({
        data: { 'topology.json': '{"v":1}' },
        resourceVersion,
        labels,
        ownerUids: [owner.uid],
        controllerUid: owner.uid,
      });
      const stored = await core.readNamespacedConfigMap(ref);
      expect(stored.metadata?.ownerReferences).toEqual([
        { apiVersion: API_VERSION, kind: KIND, name: 'cm-owner', uid: owner.uid, controller: true, blockOwnerDeletion: true },
      ]);
      expect(stored.metadata?.managedFields?.map((f) => [f.manager, f.operation])).toEqual([['replicasetdb-operator', 'Apply']]);
    });

    it('is idempotent: applying the same content keeps the resourceVersion', async () => {
      const owner = await ownerOf('cm-idem');
      const ref = { namespace, name: 'cm-idem-topology' };
      const content = { data: { 'topology.json': '{"v":1}' }, labels };
      const first = await adapter.applyConfigMap(ref, content, owner);
      const second = await adapter.applyConfigMap(ref, content, owner);
      expect(second).toBe(first);
      expect((await adapter.getConfigMap(ref))?.resourceVersion).toBe(first);
    });

    it('takes back a key edited by hand, and leaves a label it does not manage alone', async () => {
      const owner = await ownerOf('cm-edit');
      const ref = { namespace, name: 'cm-edit-topology' };
      const content = { data: { 'topology.json': '{"v":1}' }, labels };
      const applied = await adapter.applyConfigMap(ref, content, owner);
      await core.patchNamespacedConfigMap(
        { ...ref, fieldManager: 'kubectl-edit', body: { metadata: { labels: { 'team.io/owner': 'payments' } }, data: { 'topology.json': 'oops' } } },
        mergePatch,
      );
      expect((await adapter.getConfigMap(ref))?.data).toEqual({ 'topology.json': 'oops' });

      const reverted = await adapter.applyConfigMap(ref, content, owner);
      expect(reverted).not.toBe(applied);
      const after = await adapter.getConfigMap(ref);
      expect(after?.data).toEqual({ 'topology.json': '{"v":1}' });
      expect(after?.labels).toEqual({ ...labels, 'team.io/owner': 'payments' });
    });

    it('removes a key it no longer applies', async () => {
      const owner = await ownerOf('cm-shrink');
      const ref = { namespace, name: 'cm-shrink-topology' };
      await adapter.applyConfigMap(ref, { data: { a: '1', b: '2' }, labels }, owner);
      await adapter.applyConfigMap(ref, { data: { a: '1' }, labels }, owner);
      expect((await adapter.getConfigMap(ref))?.data).toEqual({ a: '1' });
    });

    it('refuses an owner in another namespace, which an ownerReference cannot point at', async () => {
      const owner = await ownerOf('cm-foreign');
      await expect(adapter.applyConfigMap({ namespace: 'default', name: 'x' }, { data: {}, labels }, owner)).rejects.toThrow(
        /not in the ConfigMap's namespace/,
      );
    });

    it('releases its owner reference and nothing else, idempotently; the next owner takes the ConfigMap by apply', async () => {
      const owner = await ownerOf('cm-release');
      const ref = { namespace, name: 'cm-release-topology' };
      await adapter.applyConfigMap(ref, { data: { a: '1' }, labels }, owner);
      const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'someone-else', uid: '00000000-0000-4000-8000-00000000beef' };
      await core.patchNamespacedConfigMap(
        { ...ref, fieldManager: 'kubectl-edit', body: [{ op: 'add', path: '/metadata/ownerReferences/-', value: other }] },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      );

      await adapter.releaseConfigMap(ref, owner.uid);
      const released = await core.readNamespacedConfigMap(ref);
      expect(released.metadata?.ownerReferences).toEqual([other]);
      expect(released.data).toEqual({ a: '1' });
      expect(released.metadata?.labels).toEqual(labels);
      await expect(adapter.releaseConfigMap(ref, owner.uid)).resolves.toBeUndefined();
      expect((await core.readNamespacedConfigMap(ref)).metadata?.resourceVersion).toBe(released.metadata?.resourceVersion);
      await expect(adapter.releaseConfigMap({ namespace, name: 'cm-release-absent' }, owner.uid)).resolves.toBeUndefined();

      const next = await ownerOf('cm-release-next');
      await adapter.applyConfigMap(ref, { data: { a: '2' }, labels }, next);
      expect((await adapter.getConfigMap(ref))?.ownerUids.sort()).toEqual([other.uid, next.uid].sort());
    });

    it('deletes idempotently', async () => {
      const owner = await ownerOf('cm-delete');
      const ref = { namespace, name: 'cm-delete-topology' };
      await adapter.applyConfigMap(ref, { data: { a: '1' }, labels }, owner);
      await adapter.deleteConfigMap(ref);
      await expect(adapter.getConfigMap(ref)).resolves.toBeUndefined();
      await expect(adapter.deleteConfigMap(ref)).resolves.toBeUndefined();
    });
  });

  describe('events', () => {
    it('records a core/v1 Event and counts a repeat on the same Event', async () => {
      const owner = await ownerOf('events');
      await adapter.recordEvent(owner, 'Normal', 'CreatingPrimary', 'creating RDS instance ns-events');
      await adapter.recordEvent(owner, 'Normal', 'CreatingPrimary', 'creating RDS instance ns-events');
      await adapter.recordEvent(owner, 'Warning', 'InvalidParameter', 'instance class db.x.huge does not exist');

      const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.uid=${owner.uid}` });
      const byReason = Object.fromEntries(list.items.map((e) => [e.reason, e]));
      expect(list.items).toHaveLength(2);
      expect(byReason.CreatingPrimary).toMatchObject({
        type: 'Normal',
        count: 2,
        message: 'creating RDS instance ns-events',
        involvedObject: { apiVersion: API_VERSION, kind: KIND, name: 'events', namespace, uid: owner.uid },
        reportingComponent: 'replicasetdb-operator',
        reportingInstance: 'test-pod',
        source: { component: 'replicasetdb-operator' },
      });
      expect(byReason.InvalidParameter).toMatchObject({ type: 'Warning', count: 1 });
    });

    it('swallows a failure to record', async () => {
      const owner = await ownerOf('events-fail');
      const elsewhere = { ...owner, namespace: uniqueName('no-such-namespace') };
      await expect(adapter.recordEvent(elsewhere, 'Normal', 'Anything', 'lost')).resolves.toBeUndefined();
    });
  });

  describe('with least privilege', () => {
    it('works as a user granted only the verbs the adapter uses', async () => {
      const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
      const role = uniqueName('adapter');
      await rbac.createNamespacedRole({
        namespace,
        body: {
          metadata: { name: role },
          rules: [
            // Finalizers are patched on the object itself, not through replicasetdbs/finalizers.
            { apiGroups: ['db.servio.io'], resources: ['replicasetdbs'], verbs: ['get', 'patch'] },
            { apiGroups: ['db.servio.io'], resources: ['replicasetdbs/status'], verbs: ['patch'] },
            { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create'] },
            // Server-side apply is a PATCH, but one that creates the object also needs `create`.
            { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch', 'delete'] },
            // `patch` counts a repeated event on the existing one.
            { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
          ],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: role },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
          subjects: [{ kind: 'User', name: 'operator', apiGroup: 'rbac.authorization.k8s.io' }],
        },
      });
      const owner = await ownerOf('least-privilege');
      const ref = { namespace, name: 'least-privilege' };
      const warnings: string[] = [];
      const limited = new KubernetesAdapter(kubeConfig('operator'), {
        log: pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) }),
      });

      // RBAC reaches the authorizer through a cache: wait until the binding is in effect.
      await expect
        .poll(
          () =>
            limited.getReplicaSetDB(ref).then(
              () => 'allowed',
              (err: unknown) => `HTTP ${httpStatusOf(err)}`,
            ),
          { timeout: 10_000 },
        )
        .toBe('allowed');
      const stored = await limited.getReplicaSetDB(ref);
      const resourceVersion = await limited.addFinalizer(ref, stored?.finalizers ?? [], FINALIZER);
      await limited.writeStatus(ref, { phase: 'Pending', observedGeneration: 1 }, resourceVersion ?? '');
      await limited.createSecret({ namespace, name: 'lp-credentials' }, { password: 'x' }, {});
      await limited.getSecret({ namespace, name: 'lp-credentials' });
      await limited.applyConfigMap({ namespace, name: 'lp-topology' }, { data: { a: '1' }, labels: {} }, owner);
      await limited.applyConfigMap({ namespace, name: 'lp-topology' }, { data: { a: '2' }, labels: {} }, owner);
      await limited.getConfigMap({ namespace, name: 'lp-topology' });
      await limited.deleteConfigMap({ namespace, name: 'lp-topology' });
      await limited.recordEvent(owner, 'Normal', 'Checked', 'least privilege');
      await limited.recordEvent(owner, 'Normal', 'Checked', 'least privilege');
      await limited.removeFinalizer(ref, [FINALIZER], FINALIZER);
      expect(warnings).toEqual([]);
      const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.uid=${owner.uid}` });
      expect(events.items.map((e) => e.count)).toEqual([2]);
    });
  });
});
