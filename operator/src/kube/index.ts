// The Kubernetes adapter: the real KubernetesPort and what it takes to connect.
export { KubernetesAdapter, FIELD_MANAGER, type KubernetesAdapterOptions } from './kubernetes-adapter.js';
export { makeKubeConfig, chooseKubeConfigSource, type KubeConfigSource, type MakeKubeConfigOptions } from './kube-config.js';
export { ensureCrdInstalled, type CrdToInstall, type EnsureCrdOptions } from '@servio/controller-runtime';
export { EventRecorder, coreV1EventSink, type EventSink, type NewEvent } from './event-recorder.js';
export { addFinalizerPatch, removeFinalizerPatch, type JsonPatchOperation } from './finalizer-patch.js';
