// A scale-down at the operator's DEFAULT settings, against the real kube-apiserver and the emulator (RDS and
// CloudWatch): both resyncs at their defaults and the routing block left out, so the drain is the production 150 s
// with the quiet check (0 connections for 120 s) and the 900 s maximum. The retired replica is published `draining`
// at once, stays in RDS for the whole drain, and is deleted soon after it, released by its quiet connections.
import type * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { specSchema } from '../../operator/src/api/index.js';
import { configSchema } from '../../operator/src/config/index.js';
import { rdsBaseIdentifier } from '../../operator/src/naming/index.js';
import { putConnections } from './support/database-connections.js';
import { apiClients, operatorPerFile } from './support/operator-per-file.js';
import { publishedTopology, topologyOf } from './support/published-topology.js';
import { interceptCommands, minimalReplicaSetDB, reconcileObjects } from './support/reconcile-objects.js';
import { eventually, rdsClient, uniqueName } from '../env/helpers.js';

/** The production defaults, from the configuration schema itself. */
const defaults = configSchema.parse({ awsRegion: 'us-east-1' });
/** routing.drainSeconds when the spec leaves it out, from the API schema itself. */
const DEFAULT_DRAIN_MS = specSchema.parse((minimalReplicaSetDB('x') as { spec: unknown }).spec).routing.drainSeconds * 1000;

const deletions: Array<{ identifier: string; at: number }> = [];
const namespace = uniqueName('rsdb-drain-defaults');
operatorPerFile({
  namespace,
  operator: () => ({
    identity: 'drain-defaults-int-test',
    rdsClient: interceptCommands(rdsClient(), async (operation, input, send) => {
      if (operation === 'DeleteDBInstance') deletions.push({ identifier: String(input.DBInstanceIdentifier), at: Date.now() });
      return send();
    }),
    settings: { resyncSteady: defaults.resyncSteady, resyncTransitioning: defaults.resyncTransitioning },
  }),
});
const { core } = apiClients();
const rds = rdsClient();
const { createObject, patchSpec, getObject } = reconcileObjects(
  () => namespace,
  () => rds,
);
const topology = publishedTopology(() => namespace);

/** When the endpoints ConfigMap first showed `identifier` as draining, polled every 200 ms (so at most that late). */
function watchDraining(name: string, identifier: string): { firstSeen: () => number | undefined; stop: () => Promise<void> } {
  let seen: number | undefined;
  let polling = true;
  const loop = (async () => {
    while (polling && seen === undefined) {
      const t = topologyOf(await topology.readConfigMap(name));
      if (t?.replicas.some((r) => r.id === identifier && r.state === 'draining')) seen = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    firstSeen: () => seen,
    stop: async () => {
      polling = false;
      await loop;
    },
  };
}

describe('a scale-down at the default settings', () => {
  it('runs with the production resyncs and drain', () => {
    expect(defaults.resyncTransitioning).toBe(15_000);
    expect(defaults.resyncSteady).toBe(600_000);
    expect(DEFAULT_DRAIN_MS).toBe(150_000);
  });

  it('keeps the retired replica for the whole 150 s drain after publishing it draining, then deletes it once its connections are quiet', async () => {
    const name = 'defaults';
    await createObject(minimalReplicaSetDB(name, { replicas: { count: 2 }, deletionPolicy: 'Delete' }));
    await topology.published(name, (t) => t.replicas.filter((r) => r.state === 'active').length === 2, 180_000, 500);
    const r2 = `${rdsBaseIdentifier(namespace, name)}-r2`;
    // The API server filled in the routing defaults.
    expect((await getObject(name))?.spec).toMatchObject({
      routing: { drainSeconds: DEFAULT_DRAIN_MS / 1000, drainQuietSeconds: 120, drainConnectionFloor: 0 },
    });
    expect((await getObject(name))?.spec).not.toHaveProperty('routing.maxDrainSeconds');

    const scaledAt = Date.now();
    // Clients used it until now.
    await putConnections(r2, scaledAt, { minutesAgo: 2, value: 6 }, { minutesAgo: 1, value: 4 });
    const draining = watchDraining(name, r2);
    try {
      await patchSpec(name, { replicas: { count: 1 } });
      await eventually(`${r2} to be published draining`, async () => (draining.firstSeen() !== undefined ? true : undefined), 30_000, 200);
      const publishedAt = draining.firstSeen()!;
      // The clients leave: the next two one-minute datapoints are at the floor, each put as its minute ends.
      await putConnections(r2, Date.now(), { minutesAgo: 0, value: 0 });
      await new Promise((resolve) => setTimeout(resolve, 61_000));
      await putConnections(r2, Date.now(), { minutesAgo: 0, value: 0 });

      await eventually(`${r2} to be deleted`, async () => (deletions.some((d) => d.identifier === r2) ? true : undefined), DEFAULT_DRAIN_MS + 120_000, 1_000);
      const deletedAfterMs = deletions.find((d) => d.identifier === r2)!.at - publishedAt;
      console.info(`drain at defaults: published draining ${publishedAt - scaledAt} ms after the change, deleted ${deletedAfterMs} ms after that`);
      expect(publishedAt - scaledAt).toBeLessThan(10_000);
      expect(deletedAfterMs).toBeGreaterThanOrEqual(DEFAULT_DRAIN_MS);
      // The reconcile is requeued for the drain's end; the next transitioning resync is the latest it could come.
      expect(deletedAfterMs).toBeLessThan(DEFAULT_DRAIN_MS + defaults.resyncTransitioning + 10_000);
    } finally {
      await draining.stop();
    }
    const events = await core.listNamespacedEvent({ namespace });
    const deleting = events.items.find(
      (e: k8s.CoreV1Event) => e.involvedObject.name === name && e.reason === 'DeletingInstance' && (e.message ?? '').includes(r2),
    );
    expect(deleting?.message).toContain('drain released by ConnectionsQuiet');
  }, 420_000);
});
