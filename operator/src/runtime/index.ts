// The generic controller runtime: nothing here knows about RDS or ReplicaSetDB.
export { Controller, controllerDefaults, type ControllerOptions, type EventSource, type OwnedSource, type ReconcileContext, type ReconcileResult, type Reconciler } from './controller.js';
export { ResourceWatcher, watchClientFor, watcherDefaults, type ResourceWatcherOptions, type WatchListener } from './resource-watcher.js';
export { Reflector, WatchError, type ReflectorStats, type WatchClient, type WatchEvent, type WatchEventType } from './reflector.js';
export { customResourceSources, configMapSources, toListResult, type CustomResourceType, type ListResult, type ListSource } from './list-source.js';
export { WorkQueue, type QueueStats, type SettledWork, type ShutdownOptions, type WorkContext, type WorkHandler, type WorkQueueOptions, type WorkResult } from './work-queue.js';
export { backoffDelayMs, defaultBackoff, type BackoffPolicy } from './backoff.js';
export { objectKey, parseObjectKey, keyOfObject, type NamespacedName, type ObjectKey } from './object-key.js';
export { ownerKeys, type OwnerKind } from './owner-keys.js';
export { specOrMetadataChanged, type UpdatePredicate } from './predicates.js';
export { LeaderElector, leaderElectionDefaults, uniqueIdentity, type LeaderElectorOptions } from './leader-elector.js';
export { kubeLeaseStore, type LeaseStore, type StoredLease } from './lease-store.js';
export { decideLease, releasedRecord, sameLeaseRecord, type LeaseDecision, type LeaseRecord } from './lease-decision.js';
export { httpStatusOf, isConflict, isNotFound } from './api-status.js';
export { abortableSleep } from './abortable-sleep.js';
export { stopWithin, type StopOutcome } from './stop-within.js';
