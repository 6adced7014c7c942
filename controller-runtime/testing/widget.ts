// A custom resource that exists only for the runtime's own integration tests, so that they exercise watches,
// status writes and owner references on a real API server without borrowing any operator's resource. Like a real
// one it has a status subresource: a status write does not move metadata.generation.
import * as k8s from '@kubernetes/client-node';
import { ensureCrdInstalled } from '../src/crd-install.js';
import { deleteAllCustomObjects } from './custom-objects.js';

export const widgetResource = { group: 'test.controller-runtime.servio.io', version: 'v1', plural: 'widgets' } as const;
export const WIDGET_API_VERSION = `${widgetResource.group}/${widgetResource.version}`;
export const WIDGET_KIND = 'Widget';

const openObject = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

function widgetCrd() {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${widgetResource.plural}.${widgetResource.group}` },
    spec: {
      group: widgetResource.group,
      scope: 'Namespaced',
      names: { plural: widgetResource.plural, singular: 'widget', kind: WIDGET_KIND, listKind: 'WidgetList' },
      versions: [
        {
          name: widgetResource.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: openObject, status: openObject } } },
        },
      ],
    },
  };
}

export async function installWidgetCrd(kc: k8s.KubeConfig): Promise<void> {
  await ensureCrdInstalled(kc, widgetCrd());
}

export async function createWidget(kc: k8s.KubeConfig, namespace: string, name: string): Promise<{ uid: string; resourceVersion: string }> {
  const created = (await kc.makeApiClient(k8s.CustomObjectsApi).createNamespacedCustomObject({
    ...widgetResource,
    namespace,
    body: { apiVersion: WIDGET_API_VERSION, kind: WIDGET_KIND, metadata: { name }, spec: { size: 1 } },
  })) as { metadata: { uid: string; resourceVersion: string } };
  return created.metadata;
}

export async function deleteAllWidgets(kc: k8s.KubeConfig, namespace: string): Promise<void> {
  await deleteAllCustomObjects(kc, widgetResource, namespace);
}
