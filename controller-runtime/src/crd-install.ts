// Installs a CustomResourceDefinition if it is missing and waits until its objects can be served. Used by the
// demo and the integration tests; a cluster installs the CRD with Helm instead.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { isConflict } from './api-status.js';

export interface CrdToInstall {
  metadata: { name: string };
  spec: { group: string; versions: ReadonlyArray<{ name: string; served: boolean }>; names: { plural: string } };
}

export interface EnsureCrdOptions {
  timeoutMs?: number;
  pollMs?: number;
}

/** Creates the CRD unless it exists (an existing one is left as it is), then waits for the Established condition
 * and for a list of its objects to succeed: the REST endpoint appears a moment after Established. */
export async function ensureCrdInstalled(kc: KubeConfig, crd: CrdToInstall, options: EnsureCrdOptions = {}): Promise<void> {
  const { timeoutMs = 60_000, pollMs = 200 } = options;
  // Through the generic custom-objects API on purpose: the typed ApiextensionsV1Api serialises through the
  // client's model, which names fields differently (xKubernetesValidations) and would silently drop the wire
  // form's `x-kubernetes-*` keys.
  const api = kc.makeApiClient(CustomObjectsApi);
  const crdApi = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
  try {
    await api.createClusterCustomObject({ ...crdApi, body: crd });
  } catch (err) {
    if (!isConflict(err)) throw err;
  }

  const version = crd.spec.versions.find((v) => v.served)?.name;
  if (!version) throw new Error(`CRD ${crd.metadata.name} serves no version`);
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'not yet checked';
  while (Date.now() < deadline) {
    try {
      const stored = (await api.getClusterCustomObject({ ...crdApi, name: crd.metadata.name })) as {
        status?: { conditions?: Array<{ type: string; status: string }> };
      };
      const established = stored.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      if (!established) {
        lastProblem = 'not Established';
      } else {
        await api.listCustomObjectForAllNamespaces({ group: crd.spec.group, version, plural: crd.spec.names.plural, limit: 1 });
        return;
      }
    } catch (err) {
      lastProblem = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`CRD ${crd.metadata.name} not usable after ${timeoutMs} ms: ${lastProblem}`);
}
