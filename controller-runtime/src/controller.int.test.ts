// The controller against the real API server: a small reconciler publishes an owned ConfigMap and writes status for
// each object of a test resource, as an operator's reconciler does.
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, uniqueName } from '../../test/env/helpers.js';
import { apiServerClients } from '../testing/api-server.js';
import { createWidget, deleteAllWidgets, installWidgetCrd, WIDGET_API_VERSION, WIDGET_KIND, widgetResource } from '../testing/widget.js';
import { isNotFound } from './api-status.js';
import { Controller, type ControllerOptions, type ReconcileResult, type Reconciler } from './controller.js';
import { configMapSources, customResourceSources } from './list-source.js';
import { objectKey, type ObjectRef } from './object-key.js';
import { ResourceWatcher, watchClientFor } from './resource-watcher.js';

const { kc, custom, core } = apiServerClients();
const log = pino({ level: 'silent' });
const MANAGED = { 'app.kubernetes.io/managed-by': 'controller-runtime-test' };
let namespace = '';
const controllers: Controller[] = [];

interface Harness {
  controller: Controller;
  /** Every reconcile run, in order, by key. */
  runs: string[];
  runsOf(name: string): number;
}

/** Behaviour of the test reconciler for one object, by name. */
interface Script {
  failTimes?: number;
  requeueAfterMs?: number;
  /** Write status only, no ConfigMap. */
  statusOnly?: boolean;
}

function startController(scripts: Record<string, Script> = {}, options: Partial<ControllerOptions> = {}): Harness {
  const runs: string[] = [];
  const failuresLeft = new Map(Object.entries(scripts).map(([name, s]) => [name, s.failTimes ?? 0]));
  const reconcile: Reconciler = async (ref): Promise<ReconcileResult> => {
    runs.push(objectKey(ref));
    const left = failuresLeft.get(ref.name) ?? 0;
    if (left > 0) {
      failuresLeft.set(ref.name, left - 1);
      throw new Error('simulated throttling');
    }
    const stored = await readWidget(ref);
    if (!stored) return {};
    if (!scripts[ref.name]?.statusOnly) await publishTopology(ref, stored);
    await writeStatus(ref, { phase: 'Ready', observedGeneration: stored.generation }, stored.resourceVersion);
    const requeueAfterMs = scripts[ref.name]?.requeueAfterMs;
    return requeueAfterMs === undefined ? {} : { requeueAfterMs };
  };
  const watcherOptions = { watchClient: watchClientFor(kc), log, backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 } };
  const controller = new Controller({
    name: 'test',
    log,
    reconcile,
    primary: new ResourceWatcher({
      name: 'widgets',
      sources: customResourceSources(kc, widgetResource, { namespaces: [namespace] }),
      ...watcherOptions,
    }),
    owned: [
      {
        source: new ResourceWatcher({
          name: 'configmaps',
          sources: configMapSources(kc, { namespaces: [namespace], labelSelector: 'app.kubernetes.io/managed-by=controller-runtime-test' }),
          ...watcherOptions,
        }),
        owner: { group: widgetResource.group, kind: WIDGET_KIND },
      },
    ],
    concurrency: 2,
    backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.2 },
    resyncIntervalMs: 0,
    ...options,
  });
  controllers.push(controller);
  controller.start();
  return { controller, runs, runsOf: (name) => runs.filter((k) => k === `${namespace}/${name}`).length };
}

interface StoredWidget {
  uid: string;
  generation: number;
  resourceVersion: string;
}

async function readWidget(ref: ObjectRef): Promise<StoredWidget | undefined> {
  try {
    return ((await custom.getNamespacedCustomObject({ ...widgetResource, ...ref })) as { metadata: StoredWidget }).metadata;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Server-side apply of the owned ConfigMap, with the owner as its controller. */
async function publishTopology(ref: ObjectRef, owner: StoredWidget): Promise<void> {
  const ownerReference = { apiVersion: WIDGET_API_VERSION, kind: WIDGET_KIND, name: ref.name, uid: owner.uid, controller: true };
  const name = `${ref.name}-topology`;
  await core.patchNamespacedConfigMap(
    {
      namespace: ref.namespace,
      name,
      fieldManager: 'controller-runtime-test',
      force: true,
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, labels: MANAGED, ownerReferences: [ownerReference] },
        data: { generation: String(owner.generation) },
      },
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
  );
}

/** The status, only if the object is still at the version it was computed from (409 Conflict otherwise). */
async function writeStatus(ref: ObjectRef, status: Record<string, unknown>, resourceVersion: string): Promise<void> {
  const body = [
    { op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion },
    { op: 'add', path: '/status', value: status },
  ];
  await custom.patchNamespacedCustomObjectStatus({ ...widgetResource, ...ref, body }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
}

async function observedGeneration(name: string): Promise<number | undefined> {
  const obj = (await custom.getNamespacedCustomObject({ ...widgetResource, namespace, name })) as {
    status?: { observedGeneration?: number };
  };
  return obj.status?.observedGeneration;
}

async function topology(name: string): Promise<Record<string, string> | undefined> {
  try {
    return (await core.readNamespacedConfigMap({ namespace, name: `${name}-topology` })).data;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

beforeAll(async () => {
  await installWidgetCrd(kc);
  namespace = await createNamespace(kc, uniqueName('controller'));
});

afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
  await deleteAllWidgets(kc, namespace);
  await core.deleteCollectionNamespacedConfigMap({ namespace });
});

afterAll(async () => {
  if (namespace) await core.deleteCollectionNamespacedConfigMap({ namespace });
});

describe('Controller against the API server', () => {
  it('reconciles every object, existing before the start or created after', async () => {
    await createWidget(kc, namespace, 'before');
    const h = startController();
    await expect.poll(() => h.controller.hasSynced()).toBe(true);
    await createWidget(kc, namespace, 'after-1');
    await createWidget(kc, namespace, 'after-2');

    for (const name of ['before', 'after-1', 'after-2']) {
      await expect.poll(() => observedGeneration(name)).toBe(1);
      await expect.poll(() => topology(name)).toEqual({ generation: '1' });
    }
  });

  it('retries a failing reconcile with backoff until it succeeds', async () => {
    const h = startController({ flaky: { failTimes: 3 } });
    await createWidget(kc, namespace, 'flaky');
    await expect.poll(() => observedGeneration('flaky')).toBe(1);
    expect(h.runsOf('flaky')).toBeGreaterThanOrEqual(4);
  });

  it('reconciles a spec change', async () => {
    startController();
    await createWidget(kc, namespace, 'resized');
    await expect.poll(() => observedGeneration('resized')).toBe(1);
    await custom.patchNamespacedCustomObject(
      { ...widgetResource, namespace, name: 'resized', body: { spec: { size: 2 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await expect.poll(() => observedGeneration('resized')).toBe(2);
    await expect.poll(() => topology('resized')).toEqual({ generation: '2' });
  });

  it('reconciles the owner when its ConfigMap is deleted or edited by hand', async () => {
    startController();
    await createWidget(kc, namespace, 'owner');
    await expect.poll(() => topology('owner')).toEqual({ generation: '1' });

    await core.deleteNamespacedConfigMap({ namespace, name: 'owner-topology' });
    await expect.poll(() => topology('owner')).toEqual({ generation: '1' });

    await core.patchNamespacedConfigMap(
      { namespace, name: 'owner-topology', fieldManager: 'kubectl-edit', body: { data: { generation: 'tampered' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await expect.poll(() => topology('owner')).toEqual({ generation: '1' });
  });

  it('does not reconcile again because of its own status write', async () => {
    const h = startController({ quiet: { statusOnly: true } });
    await createWidget(kc, namespace, 'quiet');
    await expect.poll(() => observedGeneration('quiet')).toBe(1);
    // Another object going through the same watch and queue afterwards is the barrier: once it is reconciled, the
    // watch event of the first object's status write has been delivered too.
    await createWidget(kc, namespace, 'barrier');
    await expect.poll(() => observedGeneration('barrier')).toBe(1);
    expect(h.runsOf('quiet')).toBe(1);
  });

  it('requeues after the delay a reconcile asks for, and resyncs every object periodically', async () => {
    const h = startController({ ticking: { requeueAfterMs: 200 } }, { resyncIntervalMs: 500 });
    await createWidget(kc, namespace, 'ticking');
    await createWidget(kc, namespace, 'steady');
    await expect.poll(() => h.runsOf('ticking'), { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    await expect.poll(() => h.runsOf('steady'), { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
  });

  it('stops cleanly: no reconcile after stop', async () => {
    const h = startController();
    await createWidget(kc, namespace, 'last');
    await expect.poll(() => observedGeneration('last')).toBe(1);
    await expect(h.controller.stop()).resolves.toEqual({ abandoned: [] });
    const runs = h.runs.length;
    await createWidget(kc, namespace, 'unseen');
    // A fresh controller sees and reconciles the new object; the stopped one must not have.
    startController();
    await expect.poll(() => observedGeneration('unseen')).toBe(1);
    expect(h.runs).toHaveLength(runs);
  });
});
