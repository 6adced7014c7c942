// Where the operator's Kubernetes credentials come from. In a pod the service account wins over a stray
// ~/.kube/config baked into an image; on a laptop KUBECONFIG or ~/.kube/config is used, as kubectl does.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type KubeConfigSource =
  | { kind: 'file'; path: string }
  /** KUBECONFIG, possibly several files separated by the platform's path delimiter, merged as kubectl merges them. */
  | { kind: 'kubeconfig-env'; value: string }
  | { kind: 'in-cluster' };

export interface KubeConfigSourceInput {
  /** An explicit path (a flag) beats everything else. */
  explicitPath?: string;
  env: Record<string, string | undefined>;
  homeDir: string;
  fileExists: (path: string) => boolean;
}

export function chooseKubeConfigSource(input: KubeConfigSourceInput): KubeConfigSource {
  const { explicitPath, env, homeDir, fileExists } = input;
  if (explicitPath) return { kind: 'file', path: explicitPath };
  if (env.KUBECONFIG) return { kind: 'kubeconfig-env', value: env.KUBECONFIG };
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && fileExists(SERVICE_ACCOUNT_TOKEN_PATH)) {
    return { kind: 'in-cluster' };
  }
  const userConfig = join(homeDir, '.kube', 'config');
  if (fileExists(userConfig)) return { kind: 'file', path: userConfig };
  throw new Error(
    'no Kubernetes credentials: pass a kubeconfig path, set KUBECONFIG, or run in a pod with a service account ' +
      `(KUBERNETES_SERVICE_HOST and ${SERVICE_ACCOUNT_TOKEN_PATH}); ${userConfig} does not exist either`,
  );
}

export interface MakeKubeConfigOptions {
  kubeconfigPath?: string;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
}

export function makeKubeConfig(options: MakeKubeConfigOptions = {}): KubeConfig {
  const source = chooseKubeConfigSource({
    ...(options.kubeconfigPath ? { explicitPath: options.kubeconfigPath } : {}),
    env: process.env,
    homeDir: homedir(),
    fileExists: existsSync,
  });
  const kc = new KubeConfig();
  switch (source.kind) {
    case 'file':
      kc.loadFromFile(source.path);
      break;
    case 'kubeconfig-env':
      kc.loadFromDefault();
      break;
    case 'in-cluster':
      // Reads the token file on every request, so rotated (bound) service account tokens keep working.
      kc.loadFromCluster();
      break;
  }
  if (options.context) kc.setCurrentContext(options.context);
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig (${source.kind}) has no current cluster`);
  return kc;
}
