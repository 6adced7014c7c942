import { describe, expect, it } from 'vitest';
import { chooseKubeConfigSource, SERVICE_ACCOUNT_TOKEN_PATH, type KubeConfigSourceInput } from './kube-config.js';

const inPod = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

function input(extra: Partial<KubeConfigSourceInput> & { files?: string[] } = {}): KubeConfigSourceInput {
  const files = new Set(extra.files ?? []);
  return { env: {}, homeDir: '/home/op', fileExists: (p) => files.has(p), ...extra };
}

describe('chooseKubeConfigSource', () => {
  it('prefers an explicit path over everything', () => {
    const chosen = chooseKubeConfigSource(input({ explicitPath: '/etc/kc', env: { ...inPod, KUBECONFIG: '/x' }, files: [SERVICE_ACCOUNT_TOKEN_PATH] }));
    expect(chosen).toEqual({ kind: 'file', path: '/etc/kc' });
  });

  it('uses KUBECONFIG next, as kubectl does', () => {
    expect(chooseKubeConfigSource(input({ env: { ...inPod, KUBECONFIG: '/a:/b' }, files: [SERVICE_ACCOUNT_TOKEN_PATH] }))).toEqual({
      kind: 'kubeconfig-env',
      value: '/a:/b',
    });
  });

  it('uses the service account in a pod, even when the image has a ~/.kube/config', () => {
    expect(chooseKubeConfigSource(input({ env: inPod, files: [SERVICE_ACCOUNT_TOKEN_PATH, '/home/op/.kube/config'] }))).toEqual({
      kind: 'in-cluster',
    });
  });

  it('does not mistake a pod without a mounted token for in-cluster', () => {
    expect(chooseKubeConfigSource(input({ env: inPod, files: ['/home/op/.kube/config'] }))).toEqual({
      kind: 'file',
      path: '/home/op/.kube/config',
    });
  });

  it('falls back to ~/.kube/config, and explains what it tried when there is nothing', () => {
    expect(chooseKubeConfigSource(input({ files: ['/home/op/.kube/config'] }))).toEqual({ kind: 'file', path: '/home/op/.kube/config' });
    expect(() => chooseKubeConfigSource(input())).toThrow(/KUBECONFIG.*service account.*\/home\/op\/\.kube\/config does not exist/);
  });
});
