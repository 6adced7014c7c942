// Proves the control plane is a real kube-apiserver with etcd: CRDs install, custom objects can be created,
// watched and deleted through @kubernetes/client-node, and RBAC really refuses an unbound user.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { createNamespace, kubeConfig, testEnv, uniqueName } from '../env/helpers.js';

const GROUP = 'smoke.rsdb.test';
const CRD_NAME = `widgets.${GROUP}`;

const crd: k8s.V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: CRD_NAME },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } }, required: ['size'] },
            },
          },
        },
      },
    ],
  },
};

describe('kube-apiserver + etcd', () => {
  const kc = kubeConfig();
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);

  afterAll(async () => {
    await ext.deleteCustomResourceDefinition({ name: CRD_NAME }).catch(() => undefined);
  });

  it('reports the pinned Kubernetes version', async () => {
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toBe(testEnv().kube.version);
    expect(version.gitVersion).toMatch(/^v1\.34\.\d+$/);
  });

  it('installs a CRD, then creates, watches and deletes a custom object', async () => {
    await ext.createCustomResourceDefinition({ body: crd });
    await expect
      .poll(
        async () => {
          const got = await ext.readCustomResourceDefinition({ name: CRD_NAME });
          return got.status?.conditions?.find((c) => c.type === 'Established')?.status;
        },
        { timeout: 30_000 },
      )
      .toBe('True');

    const namespace = await createNamespace(kc, uniqueName('smoke'));
    const base = { group: GROUP, version: 'v1', namespace, plural: 'widgets' };
    // The CRD may be Established before its REST endpoint is served; retry the first create briefly.
    await expect
      .poll(
        async () => {
          try {
            await custom.createNamespacedCustomObject({
              ...base,
              body: { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'one' }, spec: { size: 3 } },
            });
            return 'created';
          } catch (err) {
            if (err instanceof k8s.ApiException && err.code === 409) return 'created';
            return String(err);
          }
        },
        { timeout: 30_000 },
      )
      .toBe('created');

    // Started after the first create: a watch without a resourceVersion replays existing objects as ADDED.
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const request = await watch.watch(
      `/apis/${GROUP}/v1/namespaces/${namespace}/widgets`,
      {},
      (phase: string, obj: { metadata?: { name?: string } }) => seen.push(`${phase} ${obj.metadata?.name}`),
      (err: unknown) => {
        if (err) seen.push(`watch ended: ${String(err)}`);
      },
    );
    try {
      const invalid = custom.createNamespacedCustomObject({
        ...base,
        body: { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'two' }, spec: { size: 0 } },
      });
      await expect(invalid).rejects.toMatchObject({ code: 422 });

      await custom.deleteNamespacedCustomObject({ ...base, name: 'one' });
      await expect.poll(() => seen, { timeout: 15_000 }).toEqual(['ADDED one', 'DELETED one']);
    } finally {
      request.abort();
    }
  });

  it('enforces RBAC: a user without bindings is forbidden', async () => {
    const alice = kubeConfig('alice').makeApiClient(k8s.CoreV1Api);
    await expect(alice.listNamespace()).rejects.toMatchObject({ code: 403 });
  });

  it('answers kubectl from the test tools', async () => {
    const { stdout } = await promisify(execFile)(testEnv().tools.kubectl, [
      '--kubeconfig',
      testEnv().kube.kubeconfigPath,
      'get',
      'namespace',
      'default',
      '-o',
      'name',
    ]);
    expect(stdout.trim()).toBe('namespace/default');
  });
});
