// The real KubernetesPort: thin calls to the API server, each with the write semantics the port promises.
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1ConfigMap, type V1Secret } from '@kubernetes/client-node';
import { withSignal } from './abort-middleware.js';
import type { Logger } from 'pino';
import { GROUP, PLURAL, VERSION, type ReplicaSetDBStatus } from '../api/index.js';
import type { EventType, KubeCallOptions, KubernetesPort, ObjectRef, OwnerIdentity, StoredConfigMap, StoredObject } from '../ports/kubernetes.js';
import { isConflict, isNotFound } from '@servio/controller-runtime';
import { coreV1EventSink, EventRecorder } from './event-recorder.js';
import { addFinalizerPatch, removeFinalizerPatch, type JsonPatchOperation } from './finalizer-patch.js';

export const FIELD_MANAGER = 'replicasetdb-operator';

export interface KubernetesAdapterOptions {
  log: Logger;
  /** Server-side apply field manager, and the reporting component of events. */
  fieldManager?: string;
  /** Which replica wrote an event: the pod name. */
  reportingInstance?: string;
  /** The custom resource served; defaults to replicasetdbs.db.servio.io/v1alpha1. */
  resource?: { group: string; version: string; plural: string };
}

const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const serverSideApply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

export class KubernetesAdapter implements KubernetesPort {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly resource: { group: string; version: string; plural: string };
  private readonly fieldManager: string;
  private readonly events: EventRecorder;

  constructor(kc: KubeConfig, options: KubernetesAdapterOptions) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.resource = options.resource ?? { group: GROUP, version: VERSION, plural: PLURAL };
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
    this.events = new EventRecorder({
      sink: coreV1EventSink(kc, { component: this.fieldManager, instance: options.reportingInstance ?? this.fieldManager }),
      log: options.log.child({ component: 'events' }),
    });
  }

  async getReplicaSetDB(ref: ObjectRef, options?: KubeCallOptions): Promise<StoredObject | undefined> {
    try {
      const raw: unknown = await this.custom.getNamespacedCustomObject({ ...this.resource, ...ref }, withSignal(options?.signal));
      return toStoredObject(raw);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async addFinalizer(ref: ObjectRef, current: readonly string[], finalizer: string, options?: KubeCallOptions): Promise<string | undefined> {
    return this.patchFinalizers(ref, addFinalizerPatch(current, finalizer), options);
  }

  async removeFinalizer(ref: ObjectRef, current: readonly string[], finalizer: string, options?: KubeCallOptions): Promise<string | undefined> {
    return this.patchFinalizers(ref, removeFinalizerPatch(current, finalizer), options);
  }

  private async patchFinalizers(ref: ObjectRef, patch: JsonPatchOperation[] | undefined, options: KubeCallOptions | undefined): Promise<string | undefined> {
    if (!patch) return undefined;
    const patched: unknown = await this.custom.patchNamespacedCustomObject({ ...this.resource, ...ref, body: patch }, withSignal(options?.signal, jsonPatch));
    return toStoredObject(patched).resourceVersion;
  }

  /** A JSON patch `add /status` replaces the whole status in one request, whether or not one exists: fields the new
   * status drops really disappear, which a merge patch would keep. The `replace` of metadata.resourceVersion makes it
   * conditional: the API server refuses it with 409 Conflict when the object changed since `resourceVersion`, so a
   * status computed from an old read (by a process that lost leadership meanwhile) never overwrites a newer one.
   * Through the status subresource the API server ignores every other change outside status, so the spec cannot be
   * clobbered and metadata.generation does not move. */
  async writeStatus(ref: ObjectRef, status: ReplicaSetDBStatus, resourceVersion: string, options?: KubeCallOptions): Promise<void> {
    const body: JsonPatchOperation[] = [
      { op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion },
      { op: 'add', path: '/status', value: status },
    ];
    await this.custom.patchNamespacedCustomObjectStatus({ ...this.resource, ...ref, body }, withSignal(options?.signal, jsonPatch));
  }

  async reserveTopologyRevision(ref: ObjectRef, revision: number, resourceVersion: string, options?: KubeCallOptions): Promise<string> {
    // A resourceVersion in a merge patch is a precondition: the API server answers 409 when the object moved on.
    const body = { metadata: { resourceVersion }, status: { endpoints: { topologyRevision: revision } } };
    const patched = (await this.custom.patchNamespacedCustomObjectStatus({ ...this.resource, ...ref, body }, withSignal(options?.signal, mergePatch))) as {
      metadata?: { resourceVersion?: string };
    };
    const next = patched.metadata?.resourceVersion;
    if (next === undefined) throw new Error(`the status patch of ${ref.namespace}/${ref.name} returned no resourceVersion`);
    return next;
  }

  async getSecret(ref: ObjectRef, options?: KubeCallOptions): Promise<Record<string, string> | undefined> {
    try {
      const secret = await this.core.readNamespacedSecret(ref, withSignal(options?.signal));
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async createSecret(ref: ObjectRef, data: Record<string, string>, labels: Record<string, string>, options?: KubeCallOptions): Promise<'created' | 'exists'> {
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ref.name, namespace: ref.namespace, labels },
      type: 'Opaque',
      data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')])),
    };
    try {
      await this.core.createNamespacedSecret({ namespace: ref.namespace, body }, withSignal(options?.signal));
      return 'created';
    } catch (err) {
      // Never update: the Secret may hold the only copy of a password RDS already uses.
      if (isConflict(err)) return 'exists';
      throw err;
    }
  }

  async patchSecretKeys(ref: ObjectRef, set: Record<string, string>, unchanged: Record<string, string>, options?: KubeCallOptions): Promise<void> {
    const base64 = (value: string) => Buffer.from(value, 'utf8').toString('base64');
    const pointer = (key: string) => `/data/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const body: JsonPatchOperation[] = [
      ...Object.entries(unchanged).map(([key, value]): JsonPatchOperation => ({ op: 'test', path: pointer(key), value: base64(value) })),
      ...Object.entries(set).map(([key, value]): JsonPatchOperation => ({ op: 'add', path: pointer(key), value: base64(value) })),
    ];
    await this.core.patchNamespacedSecret({ ...ref, body }, withSignal(options?.signal, jsonPatch));
  }

  async getConfigMap(ref: ObjectRef, options?: KubeCallOptions): Promise<StoredConfigMap | undefined> {
    try {
      return toStoredConfigMap(await this.core.readNamespacedConfigMap(ref, withSignal(options?.signal)));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Server-side apply with force: the operator owns every field it sets, takes them back from anyone who edited
   * them, and leaves fields it does not set (another tool's label) alone. Applying the same content again is a
   * no-op that keeps the resourceVersion. */
  async applyConfigMap(ref: ObjectRef, content: Pick<StoredConfigMap, 'data' | 'labels'>, owner: OwnerIdentity, options?: KubeCallOptions): Promise<string> {
    if (owner.namespace !== ref.namespace) {
      throw new Error(`owner ${owner.namespace}/${owner.name} is not in the ConfigMap's namespace ${ref.namespace}`);
    }
    const body: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        labels: content.labels,
        ownerReferences: [
          {
            apiVersion: owner.apiVersion,
            kind: owner.kind,
            name: owner.name,
            uid: owner.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      data: content.data,
    };
    const applied = await this.core.patchNamespacedConfigMap(
      { ...ref, body, fieldManager: this.fieldManager, force: true },
      withSignal(options?.signal, serverSideApply),
    );
    const resourceVersion = applied.metadata?.resourceVersion;
    if (!resourceVersion) throw new Error(`apply of ConfigMap ${ref.namespace}/${ref.name} returned no resourceVersion`);
    return resourceVersion;
  }

  async deleteConfigMap(ref: ObjectRef, options?: KubeCallOptions): Promise<void> {
    try {
      await this.core.deleteNamespacedConfigMap(ref, withSignal(options?.signal));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** A JSON patch that tests the uid at the index it removes, so a concurrent change of the owner references fails
   * the patch (and the reconcile retries) instead of removing someone else's. */
  async releaseConfigMap(ref: ObjectRef, ownerUid: string, options?: KubeCallOptions): Promise<void> {
    let cm: V1ConfigMap;
    try {
      cm = await this.core.readNamespacedConfigMap(ref, withSignal(options?.signal));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const index = (cm.metadata?.ownerReferences ?? []).findIndex((owner) => owner.uid === ownerUid);
    if (index === -1) return;
    const body: JsonPatchOperation[] = [
      { op: 'test', path: `/metadata/ownerReferences/${index}/uid`, value: ownerUid },
      { op: 'remove', path: `/metadata/ownerReferences/${index}` },
    ];
    await this.core.patchNamespacedConfigMap({ ...ref, body }, withSignal(options?.signal, jsonPatch));
  }

  async recordEvent(involved: OwnerIdentity, type: EventType, reason: string, message: string): Promise<void> {
    await this.events.record(involved, type, reason, message);
  }
}

function toStoredObject(raw: unknown): StoredObject {
  if (typeof raw !== 'object' || raw === null) throw new Error('custom object response is not an object');
  const object = raw as Record<string, unknown>;
  const metadata = (object.metadata ?? {}) as {
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    finalizers?: string[];
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
  };
  return {
    raw: object,
    uid: metadata.uid ?? '',
    generation: metadata.generation ?? 0,
    resourceVersion: metadata.resourceVersion ?? '',
    finalizers: metadata.finalizers ?? [],
    ...(metadata.deletionTimestamp ? { deletionTimestamp: metadata.deletionTimestamp } : {}),
    annotations: metadata.annotations ?? {},
  };
}

function toStoredConfigMap(cm: V1ConfigMap): StoredConfigMap {
  return {
    data: cm.data ?? {},
    resourceVersion: cm.metadata?.resourceVersion ?? '',
    labels: cm.metadata?.labels ?? {},
    ownerUids: (cm.metadata?.ownerReferences ?? []).map((ref) => ref.uid),
    controllerUid: cm.metadata?.ownerReferences?.find((ref) => ref.controller === true)?.uid,
  };
}
