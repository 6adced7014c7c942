// The watcher against the real API server, through a proxy that breaks, refuses and freezes connections the way
// networks do: the watch must come back every time without losing a change.
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, uniqueName } from '../../test/env/helpers.js';
import { apiServerClients } from '../testing/api-server.js';
import { createWidget, deleteAllWidgets, installWidgetCrd, widgetResource } from '../testing/widget.js';
import { configMapSources, customResourceSources } from './list-source.js';
import type { WatchEvent } from './reflector.js';
import { ResourceWatcher, watchClientFor, type ResourceWatcherOptions } from './resource-watcher.js';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';

const { kc: admin, custom, core } = apiServerClients();
let namespace = '';
let proxy: TcpProxy;
const watchers: ResourceWatcher[] = [];

/** The admin kubeconfig, but connecting through the proxy. */
function kubeConfigViaProxy(): k8s.KubeConfig {
  const cluster = admin.getCurrentCluster();
  const user = admin.getCurrentUser();
  if (!cluster || !user) throw new Error('admin kubeconfig has no current cluster or user');
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, server: `https://127.0.0.1:${proxy.port}` }],
    users: [user],
    contexts: [{ name: 'proxied', cluster: cluster.name, user: user.name }],
    currentContext: 'proxied',
  });
  return kc;
}

function widgetWatcher(kc: k8s.KubeConfig, events: WatchEvent[], options: Partial<ResourceWatcherOptions> = {}) {
  const watcher = new ResourceWatcher({
    name: 'widgets',
    sources: customResourceSources(kc, widgetResource, { namespaces: [namespace] }),
    watchClient: watchClientFor(kc),
    log: pino({ level: 'silent' }),
    backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 },
    ...options,
  });
  watcher.subscribe((e) => events.push(e));
  watchers.push(watcher);
  watcher.start();
  return watcher;
}

const seen = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.key}`);

/** Waits until the watch itself delivers an event through its connection, so that what the test then does to the
 * open connections hits the watch. The object is created after the initial list, so only the watch can report it. */
async function watchIsLive(watcher: ResourceWatcher, events: WatchEvent[], name: string): Promise<void> {
  await expect.poll(() => watcher.hasSynced()).toBe(true);
  await createWidget(admin, namespace, name);
  await expect.poll(() => seen(events)).toContain(`added ${namespace}/${name}`);
}

beforeAll(async () => {
  await installWidgetCrd(admin);
  namespace = await createNamespace(admin, uniqueName('watcher'));
  const url = new URL(admin.getCurrentCluster()?.server ?? '');
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
});

afterEach(async () => {
  proxy.refuseNew(false);
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
  await deleteAllWidgets(admin, namespace);
});

afterAll(async () => {
  await proxy?.close();
  if (namespace) await core.deleteCollectionNamespacedConfigMap({ namespace });
});

describe('ResourceWatcher against the API server', () => {
  it('lists existing objects, then reports additions, changes and deletions', async () => {
    await createWidget(admin, namespace, 'existing');
    const events: WatchEvent[] = [];
    const watcher = widgetWatcher(admin, events);
    await expect.poll(() => watcher.hasSynced()).toBe(true);
    expect(seen(events)).toEqual([`added ${namespace}/existing`]);

    await createWidget(admin, namespace, 'fresh');
    await custom.patchNamespacedCustomObject(
      { ...widgetResource, namespace, name: 'fresh', body: { metadata: { labels: { touched: 'yes' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await custom.deleteNamespacedCustomObject({ ...widgetResource, namespace, name: 'existing' });
    await expect
      .poll(() => seen(events))
      .toEqual([`added ${namespace}/existing`, `added ${namespace}/fresh`, `modified ${namespace}/fresh`, `deleted ${namespace}/existing`]);
    expect(watcher.list().map((o) => o.metadata?.name)).toEqual(['fresh']);
    expect(watcher.get(`${namespace}/fresh`)?.metadata?.labels).toEqual({ touched: 'yes' });
  });

  it('comes back after its connections are reset, without losing a change made meanwhile', async () => {
    const events: WatchEvent[] = [];
    const watcher = widgetWatcher(kubeConfigViaProxy(), events);
    await watchIsLive(watcher, events, 'warm-up');
    const watchesBefore = watcher.stats().watches;

    proxy.breakAll();
    await createWidget(admin, namespace, 'during-reset');
    await expect.poll(() => seen(events)).toContain(`added ${namespace}/during-reset`);
    expect(watcher.stats().watches).toBeGreaterThan(watchesBefore);
  });

  it('retries with backoff while the server cannot be reached, and catches up on what it missed', async () => {
    await createWidget(admin, namespace, 'doomed');
    const events: WatchEvent[] = [];
    const watcher = widgetWatcher(kubeConfigViaProxy(), events);
    await expect.poll(() => seen(events)).toEqual([`added ${namespace}/doomed`]);

    proxy.refuseNew(true);
    proxy.breakAll();
    await expect.poll(() => watcher.stats().failures).toBeGreaterThanOrEqual(2);
    await custom.deleteNamespacedCustomObject({ ...widgetResource, namespace, name: 'doomed' });
    await createWidget(admin, namespace, 'born-offline');
    expect(seen(events)).toEqual([`added ${namespace}/doomed`]);

    proxy.refuseNew(false);
    await expect.poll(() => seen(events).slice(1).sort()).toEqual([`added ${namespace}/born-offline`, `deleted ${namespace}/doomed`].sort());
    expect(watcher.hasSynced()).toBe(true);
  });

  it('reconnects a watch that went silent (frozen connection) and delivers the change it would have lost', async () => {
    const events: WatchEvent[] = [];
    const watcher = widgetWatcher(kubeConfigViaProxy(), events, { watchdogMs: 1_500 });
    await watchIsLive(watcher, events, 'warm-up');

    proxy.freezeOpen();
    await createWidget(admin, namespace, 'behind-the-freeze');
    await expect.poll(() => seen(events), { timeout: 20_000 }).toContain(`added ${namespace}/behind-the-freeze`);
    expect(watcher.stats().stalls).toBeGreaterThanOrEqual(1);
  });

  it('caches only the ConfigMaps its label selector picks', async () => {
    const managed = { 'app.kubernetes.io/managed-by': 'replicasetdb-operator' };
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'ours', labels: managed }, data: { a: '1' } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'theirs' }, data: { a: '1' } } });
    const events: WatchEvent[] = [];
    const watcher = new ResourceWatcher({
      name: 'configmaps',
      sources: configMapSources(admin, { namespaces: [namespace], labelSelector: 'app.kubernetes.io/managed-by=replicasetdb-operator' }),
      watchClient: watchClientFor(admin),
      log: pino({ level: 'silent' }),
    });
    watcher.subscribe((e) => events.push(e));
    watchers.push(watcher);
    watcher.start();
    await expect.poll(() => watcher.hasSynced()).toBe(true);

    await core.patchNamespacedConfigMap(
      { namespace, name: 'theirs', body: { data: { a: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ namespace, name: 'ours' });
    await expect.poll(() => seen(events)).toEqual([`added ${namespace}/ours`, `deleted ${namespace}/ours`]);
    expect(watcher.list()).toEqual([]);
  });
});
