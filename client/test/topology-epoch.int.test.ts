import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTopology, type ReplicaRouter } from '../src/index.js';
import { KubeletProjection } from './kubelet-projection.js';
import { cluster, clusterTopology, createClusterRouter, replicasCaughtUp, waitFor, twoReplicas } from './support.js';

// The uids of a ReplicaSetDB before and after it was deleted under deletionPolicy Retain and created again.
const FIRST_OBJECT = '3f0d8f5e-5a55-4f3b-9a64-6d1f2f0c0a01';
const RECREATED_OBJECT = '9b7e2c41-0c1d-4e8a-b1f3-2a6c5d4e0b02';

describe('a topology file whose ReplicaSetDB was re-created', () => {
  const pgc = cluster();
  const [r1, r2] = twoReplicas(pgc);
  const document = (epoch: string, revision: number, node: typeof r1) =>
    formatTopology(clusterTopology(pgc, { epoch, revision, replicas: [{ id: `r-${node.port}`, host: node.host, port: node.port, state: 'active' }] }));

  let projection: KubeletProjection;
  let db: ReplicaRouter;

  const readPorts = async (n: number) => {
    const ports = new Set<number>();
    for (let i = 0; i < n; i++) ports.add((await db.read<{ port: number }>('SELECT inet_server_port() AS port')).rows[0]?.port ?? 0);
    return ports;
  };

  beforeAll(async () => {
    await replicasCaughtUp(pgc);
    projection = await KubeletProjection.create('topology.json', document(FIRST_OBJECT, 5, r1));
    db = await createClusterRouter(pgc, { topologyFile: projection.file('topology.json') });
    db.on('error', () => undefined);
  });

  afterAll(async () => {
    await db?.close();
    await projection?.remove();
  });

  it('takes revision 1 of a new epoch after revision 5 of the old one, and counts the switch', async () => {
    expect(db.topology.revision).toBe(5);
    expect(await readPorts(4)).toEqual(new Set([r1.port]));

    await projection.update('topology.json', document(RECREATED_OBJECT, 1, r2));
    await waitFor('revision 1 of the new epoch to be in effect', () => db.topology.revision === 1, 10_000);

    expect(db.stats().topology).toMatchObject({ revision: 1, epoch: RECREATED_OBJECT, reloads: 1, epochChanges: 1, ignored: 0 });
    await waitFor('the new replica to pass its first lag check', () => db.stats().endpoints.find((e) => e.port === r2.port)?.healthy === true);
    expect(await readPorts(4)).toEqual(new Set([r2.port]));
  });

  it('ignores a stale projection of the old epoch, even with a higher revision', async () => {
    const ignoredBefore = db.stats().topology.ignored;
    await projection.update('topology.json', document(FIRST_OBJECT, 6, r1));
    await waitFor('the old epoch to be ignored', () => db.stats().topology.ignored > ignoredBefore);
    expect(db.stats().topology).toMatchObject({ revision: 1, epoch: RECREATED_OBJECT, epochChanges: 1 });
    expect(await readPorts(4)).toEqual(new Set([r2.port]));
  });

  it("keeps its state whole when a 'topology' listener throws, and reports the listener's error", async () => {
    const errors: Error[] = [];
    const onError = (err: Error) => errors.push(err);
    const throwing = () => {
      throw new Error('listener bug');
    };
    db.on('error', onError);
    db.on('topology', throwing);
    try {
      const before = db.stats().topology;
      // The epoch in effect since the tests above.
      await projection.update('topology.json', document(RECREATED_OBJECT, before.revision + 1, r2));
      await waitFor('the next revision to be in effect', () => db.topology.revision === before.revision + 1, 10_000);
      await waitFor('the listener error to be reported', () => errors.length > 0, 10_000);
      expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('listener bug')]);
      // Counted as taken, as any revision in effect.
      expect(db.stats().topology).toMatchObject({ revision: before.revision + 1, reloads: before.reloads + 1 });
    } finally {
      db.off('topology', throwing);
      db.off('error', onError);
    }
  });
});
