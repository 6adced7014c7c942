// An in-memory KubernetesPort for unit tests of the whole reconcile. It keeps the semantics the reconciler
// relies on: generation moves with the spec only, a finalizer patch fails when the list changed since it was
// read (the `test` op), a status write fails when the object moved past the resourceVersion it was computed from,
// a deleted object with finalizers stays until they are gone, Secrets are create-only. Like the API client, it
// sends nothing for a call whose abort signal is already aborted, and keeps each call's options for a test to check.
import { isDeepStrictEqual } from 'node:util';
import type { ReplicaSetDBStatus } from '../../api/index.js';
import type { EventType, KubeCallOptions, KubernetesPort, ObjectRef, OwnerIdentity, StoredConfigMap, StoredObject } from '../../ports/kubernetes.js';

interface StoredRecord {
  raw: Record<string, unknown>;
  uid: string;
  generation: number;
  resourceVersion: number;
  finalizers: string[];
  deletionTimestamp?: string;
  annotations: Record<string, string>;
  status?: ReplicaSetDBStatus;
}

export interface RecordedEvent {
  type: EventType;
  reason: string;
  message: string;
  involved: OwnerIdentity;
}

const key = (ref: ObjectRef) => `${ref.namespace}/${ref.name}`;

export class FakeKubernetes implements KubernetesPort {
  readonly objects = new Map<string, StoredRecord>();
  readonly secrets = new Map<string, { data: Record<string, string>; labels: Record<string, string> }>();
  readonly configMaps = new Map<string, StoredConfigMap>();
  readonly events: RecordedEvent[] = [];
  /** The per-call options each call came with, in call order (calls refused for an aborted signal included). */
  readonly received: Array<{ call: string; options: KubeCallOptions | undefined }> = [];
  statusWrites = 0;
  private version = 1;
  private uids = 0;

  /** Creates or updates an object the way the API server does: a spec change moves the generation. */
  put(obj: Record<string, unknown>): void {
    const metadata = obj.metadata as { namespace: string; name: string; annotations?: Record<string, string>; uid?: string };
    const k = key(metadata);
    const existing = this.objects.get(k);
    if (existing === undefined) {
      this.objects.set(k, {
        raw: structuredClone(obj),
        uid: metadata.uid ?? `00000000-0000-4000-8000-${String(++this.uids).padStart(12, '0')}`,
        generation: 1,
        resourceVersion: this.version++,
        finalizers: [],
        annotations: { ...(metadata.annotations ?? {}) },
      });
      return;
    }
    const specChanged = !isDeepStrictEqual(existing.raw.spec, obj.spec);
    existing.raw = structuredClone(obj);
    existing.annotations = { ...(metadata.annotations ?? {}) };
    if (specChanged) existing.generation++;
    existing.resourceVersion = this.version++;
  }

  /** kubectl delete: marks the object while finalizers remain, removes it otherwise. */
  delete(ref: ObjectRef, at = new Date()): void {
    const record = this.objects.get(key(ref));
    if (record === undefined) return;
    if (record.finalizers.length === 0) this.objects.delete(key(ref));
    else record.deletionTimestamp ??= at.toISOString();
  }

  record(ref: ObjectRef): StoredRecord | undefined {
    return this.objects.get(key(ref));
  }

  async getReplicaSetDB(ref: ObjectRef, options?: KubeCallOptions): Promise<StoredObject | undefined> {
    this.receive('getReplicaSetDB', options);
    const r = this.objects.get(key(ref));
    if (r === undefined) return undefined;
    const raw = structuredClone(r.raw);
    raw.metadata = {
      ...(raw.metadata as object),
      uid: r.uid,
      generation: r.generation,
      resourceVersion: String(r.resourceVersion),
      finalizers: [...r.finalizers],
      ...(r.deletionTimestamp !== undefined ? { deletionTimestamp: r.deletionTimestamp } : {}),
    };
    if (r.status !== undefined) raw.status = structuredClone(r.status);
    return {
      raw,
      uid: r.uid,
      generation: r.generation,
      resourceVersion: String(r.resourceVersion),
      finalizers: [...r.finalizers],
      deletionTimestamp: r.deletionTimestamp,
      annotations: { ...r.annotations },
    };
  }

  private patchFinalizers(ref: ObjectRef, current: readonly string[], next: string[]): string | undefined {
    const r = this.objects.get(key(ref));
    if (r === undefined) throw Object.assign(new Error('not found'), { code: 404 });
    if (!isDeepStrictEqual(r.finalizers, [...current])) throw Object.assign(new Error('the finalizers changed since they were read'), { code: 422 });
    if (isDeepStrictEqual(r.finalizers, next)) return undefined;
    r.finalizers = next;
    r.resourceVersion = this.version++;
    if (r.deletionTimestamp !== undefined && next.length === 0) this.objects.delete(key(ref));
    return String(r.resourceVersion);
  }

  async addFinalizer(ref: ObjectRef, current: readonly string[], finalizer: string, options?: KubeCallOptions): Promise<string | undefined> {
    this.receive('addFinalizer', options);
    return this.patchFinalizers(ref, current, current.includes(finalizer) ? [...current] : [...current, finalizer]);
  }

  async removeFinalizer(ref: ObjectRef, current: readonly string[], finalizer: string, options?: KubeCallOptions): Promise<string | undefined> {
    this.receive('removeFinalizer', options);
    return this.patchFinalizers(
      ref,
      current,
      current.filter((f) => f !== finalizer),
    );
  }

  async writeStatus(ref: ObjectRef, status: ReplicaSetDBStatus, resourceVersion: string, options?: KubeCallOptions): Promise<void> {
    this.receive('writeStatus', options);
    const r = this.atResourceVersion(ref, resourceVersion);
    r.status = JSON.parse(JSON.stringify(status)) as ReplicaSetDBStatus;
    r.resourceVersion = this.version++;
    this.statusWrites++;
  }

  async reserveTopologyRevision(ref: ObjectRef, revision: number, resourceVersion: string, options?: KubeCallOptions): Promise<string> {
    this.receive('reserveTopologyRevision', options);
    const r = this.atResourceVersion(ref, resourceVersion);
    r.status = { ...r.status, endpoints: { ...r.status?.endpoints, topologyRevision: revision } } as ReplicaSetDBStatus;
    r.resourceVersion = this.version++;
    return String(r.resourceVersion);
  }

  async getSecret(ref: ObjectRef, options?: KubeCallOptions): Promise<Record<string, string> | undefined> {
    this.receive('getSecret', options);
    const s = this.secrets.get(key(ref));
    return s === undefined ? undefined : { ...s.data };
  }

  async createSecret(ref: ObjectRef, data: Record<string, string>, labels: Record<string, string>, options?: KubeCallOptions): Promise<'created' | 'exists'> {
    this.receive('createSecret', options);
    if (this.secrets.has(key(ref))) return 'exists';
    this.secrets.set(key(ref), { data: { ...data }, labels: { ...labels } });
    return 'created';
  }

  async patchSecretKeys(ref: ObjectRef, set: Record<string, string>, unchanged: Record<string, string>, options?: KubeCallOptions): Promise<void> {
    this.receive('patchSecretKeys', options);
    const s = this.secrets.get(key(ref));
    if (s === undefined) throw Object.assign(new Error('not found'), { code: 404 });
    if (Object.entries(unchanged).some(([k, v]) => s.data[k] !== v)) throw Object.assign(new Error('the test operation failed'), { code: 422 });
    Object.assign(s.data, set);
  }

  async getConfigMap(ref: ObjectRef, options?: KubeCallOptions): Promise<StoredConfigMap | undefined> {
    this.receive('getConfigMap', options);
    return this.configMaps.get(key(ref));
  }

  async applyConfigMap(ref: ObjectRef, content: Pick<StoredConfigMap, 'data' | 'labels'>, owner: OwnerIdentity, options?: KubeCallOptions): Promise<string> {
    this.receive('applyConfigMap', options);
    const resourceVersion = String(this.version++);
    this.configMaps.set(key(ref), {
      data: { ...content.data },
      labels: { ...content.labels },
      ownerUids: [owner.uid],
      controllerUid: owner.uid,
      resourceVersion,
    });
    return resourceVersion;
  }

  async deleteConfigMap(ref: ObjectRef, options?: KubeCallOptions): Promise<void> {
    this.receive('deleteConfigMap', options);
    this.configMaps.delete(key(ref));
  }

  async releaseConfigMap(ref: ObjectRef, ownerUid: string, options?: KubeCallOptions): Promise<void> {
    this.receive('releaseConfigMap', options);
    const cm = this.configMaps.get(key(ref));
    if (cm === undefined || !cm.ownerUids.includes(ownerUid)) return;
    this.configMaps.set(key(ref), { ...cm, ownerUids: cm.ownerUids.filter((uid) => uid !== ownerUid), resourceVersion: String(this.version++) });
  }

  /** The object for a write conditional on `resourceVersion`: 404 when it is gone, 409 when it moved on. */
  private atResourceVersion(ref: ObjectRef, resourceVersion: string): StoredRecord {
    const r = this.objects.get(key(ref));
    if (r === undefined) throw Object.assign(new Error('not found'), { code: 404 });
    if (String(r.resourceVersion) !== resourceVersion) {
      throw Object.assign(new Error(`the object has been modified (at ${r.resourceVersion}, not ${resourceVersion})`), { code: 409 });
    }
    return r;
  }

  private receive(call: string, options: KubeCallOptions | undefined): void {
    this.received.push({ call, options });
    // The API client rejects a request whose signal is already aborted without sending it.
    options?.signal?.throwIfAborted();
  }

  async recordEvent(involved: OwnerIdentity, type: EventType, reason: string, message: string): Promise<void> {
    this.events.push({ involved, type, reason, message });
  }
}
