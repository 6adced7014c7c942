// The public API of the controller runtime: build the sources, hand a Controller a Reconciler, run it under a
// LeaderElector. Nothing here knows about any particular resource; the reflector, the work queue and the lease
// decision are internals behind these names.
export {
  Controller,
  controllerDefaults,
  type ControllerOptions,
  type EventSource,
  type OwnedSource,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
} from './controller.js';
export { ResourceWatcher, watchClientFor, watcherDefaults, type ResourceWatcherOptions } from './resource-watcher.js';
export type { WatchClient, WatchEvent, WatchEventType } from './reflector.js';
export { customResourceSources, configMapSources, type CustomResourceType, type ListResult, type ListSource } from './list-source.js';
export type { QueueStats, SettledWork } from './work-queue.js';
export type { BackoffPolicy } from './backoff.js';
export { objectKey, parseObjectKey, type ObjectRef } from './object-key.js';
export type { OwnerKind } from './owner-keys.js';
export { specOrMetadataChanged, type UpdatePredicate } from './predicates.js';
export { LeaderElector, leaderElectionDefaults, uniqueIdentity, type LeaderElectorOptions } from './leader-elector.js';
export { kubeLeaseStore, type LeaseStore, type StoredLease } from './lease-store.js';
export type { LeaseRecord } from './lease-decision.js';
export { httpStatusOf, isConflict, isNotFound } from './api-status.js';
export { stopWithin, type StopOutcome } from './stop-within.js';
export { untilAborted } from './until-aborted.js';
export { ensureCrdInstalled, type CrdToInstall, type EnsureCrdOptions } from './crd-install.js';
