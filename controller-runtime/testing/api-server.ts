// The real kube-apiserver the integration setup starts, as the tests of code that talks to it reach it: the admin
// kubeconfig and the two typed clients nearly every such test needs.
import * as k8s from '@kubernetes/client-node';
import { kubeConfig } from '../../test/env/helpers.js';

export interface ApiServerClients {
  kc: k8s.KubeConfig;
  custom: k8s.CustomObjectsApi;
  core: k8s.CoreV1Api;
}

/** Clients of the test API server, as the admin unless another kubeconfig is given. */
export function apiServerClients(kc: k8s.KubeConfig = kubeConfig()): ApiServerClients {
  return { kc, custom: kc.makeApiClient(k8s.CustomObjectsApi), core: kc.makeApiClient(k8s.CoreV1Api) };
}
