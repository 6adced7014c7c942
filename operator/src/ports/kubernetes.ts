// The Kubernetes side of a reconcile, as narrow as the reconciler needs it. The real adapter
// (operator/src/kube/) is thin and tested against a real kube-apiserver; unit tests use an in-memory fake.
import type { ObjectRef } from '@servio/controller-runtime';
import type { ReplicaSetDBStatus } from '../api/index.js';

/** The one reference to a namespaced object, the same the controller hands the reconciler. */
export type { ObjectRef };

/** Identifies the object an Event or an ownerReference points at. */
export interface OwnerIdentity extends ObjectRef {
  apiVersion: string;
  kind: string;
  uid: string;
}

/** The custom object as stored, not yet validated: the reconciler parses it so that an invalid object can be
 * reported in its status instead of being dropped. */
export interface StoredObject {
  raw: Record<string, unknown>;
  uid: string;
  generation: number;
  resourceVersion: string;
  finalizers: string[];
  deletionTimestamp?: string;
  annotations: Record<string, string>;
}

export interface StoredConfigMap {
  data: Record<string, string>;
  resourceVersion: string;
  labels: Record<string, string>;
  ownerUids: string[];
  /** The owner reference marked `controller`, which only the object that created it carries. */
  controllerUid?: string;
}

export type EventType = 'Normal' | 'Warning';

/** Per call: `signal` aborts the request (the reconcile lost leadership or is shutting down). */
export interface KubeCallOptions {
  signal?: AbortSignal;
}

export interface KubernetesPort {
  getReplicaSetDB(ref: ObjectRef, options?: KubeCallOptions): Promise<StoredObject | undefined>;

  /** JSON patch with a `test` of the current finalizer list, so a concurrent change fails the patch (409/422
   * surfaces as an error and the reconcile retries) instead of silently dropping someone else's finalizer.
   * Returns the object's new resourceVersion, or undefined when nothing needed to change. */
  addFinalizer(ref: ObjectRef, current: readonly string[], finalizer: string, options?: KubeCallOptions): Promise<string | undefined>;
  removeFinalizer(ref: ObjectRef, current: readonly string[], finalizer: string, options?: KubeCallOptions): Promise<string | undefined>;

  /** Replaces the status through the status subresource, only if the object is still at `resourceVersion` (the
   * version the status was computed from); otherwise it fails with 409 Conflict and writes nothing. */
  writeStatus(ref: ObjectRef, status: ReplicaSetDBStatus, resourceVersion: string, options?: KubeCallOptions): Promise<void>;
  /** Sets status.endpoints.topologyRevision alone (a merge patch of the status subresource), only if the object is
   * still at `resourceVersion` (409 Conflict otherwise). Returns the object's new resourceVersion. */
  reserveTopologyRevision(ref: ObjectRef, revision: number, resourceVersion: string, options?: KubeCallOptions): Promise<string>;

  /** Decoded string data of a Secret, or undefined when it does not exist. */
  getSecret(ref: ObjectRef, options?: KubeCallOptions): Promise<Record<string, string> | undefined>;
  /** Creates a Secret; never overwrites one that exists (returns 'exists' then), so a password is never lost. */
  createSecret(ref: ObjectRef, data: Record<string, string>, labels: Record<string, string>, options?: KubeCallOptions): Promise<'created' | 'exists'>;

  /** Sets `set` in the Secret's data only while the keys of `unchanged` still hold those values (a JSON patch with
   * `test` ops): a Secret edited meanwhile fails the patch instead of getting copies of what it no longer says. */
  patchSecretKeys(ref: ObjectRef, set: Record<string, string>, unchanged: Record<string, string>, options?: KubeCallOptions): Promise<void>;

  getConfigMap(ref: ObjectRef, options?: KubeCallOptions): Promise<StoredConfigMap | undefined>;
  /** Server-side apply with the operator's field manager (force), owned by `owner`. Returns the new
   * resourceVersion. */
  applyConfigMap(ref: ObjectRef, content: Pick<StoredConfigMap, 'data' | 'labels'>, owner: OwnerIdentity, options?: KubeCallOptions): Promise<string>;
  /** Idempotent: deleting a ConfigMap that is gone is not an error. */
  deleteConfigMap(ref: ObjectRef, options?: KubeCallOptions): Promise<void>;
  /** Removes the owner reference to `ownerUid`, keeping the ConfigMap. Idempotent: a ConfigMap that is gone or
   * not owned by it is left as it is. */
  releaseConfigMap(ref: ObjectRef, ownerUid: string, options?: KubeCallOptions): Promise<void>;

  /** Best effort: a failure to record an Event is logged, never fails a reconcile. */
  recordEvent(involved: OwnerIdentity, type: EventType, reason: string, message: string): Promise<void>;
}
