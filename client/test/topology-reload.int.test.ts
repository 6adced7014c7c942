import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTopology, TopologyError, type ReplicaRouter, type TopologyInput } from '../src/index.js';
import { KubeletProjection } from './kubelet-projection.js';
import { cluster, clusterTopology, createClusterRouter, onNode, replicasCaughtUp, waitFor, twoReplicas } from './support.js';

const APP = 'client-reload-test';

describe('hot reload of a kubelet-projected topology file', () => {
  const pgc = cluster();
  const [r1, r2] = twoReplicas(pgc);
  const replica = (id: string, node: typeof r1, state: 'active' | 'draining' = 'active') => ({ id, host: node.host, port: node.port, state });
  const topology = (revision: number, replicas: TopologyInput['replicas']) => formatTopology(clusterTopology(pgc, { revision, replicas }));

  let projection: KubeletProjection;
  let db: ReplicaRouter;
  const errors: Error[] = [];

  const readPorts = async (n: number) => {
    const ports = new Set<number>();
    for (let i = 0; i < n; i++) ports.add((await db.read<{ port: number }>('SELECT inet_server_port() AS port')).rows[0]?.port ?? 0);
    return ports;
  };
  const ourConnections = (node: typeof r1) =>
    onNode(
      node,
      async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [APP])).rows[0]?.n ?? -1,
    );
  const swap = async (content: string) => {
    const applied = once(db, 'topology');
    await projection.update('topology.json', content);
    await applied;
  };

  beforeAll(async () => {
    await replicasCaughtUp(pgc);
    projection = await KubeletProjection.create('topology.json', topology(1, [replica('r1', r1)]));
    db = await createClusterRouter(pgc, { topologyFile: projection.file('topology.json'), pool: { application_name: APP } });
    db.on('error', (err) => errors.push(err));
  });

  afterAll(async () => {
    await db?.close();
    await projection?.remove();
  });

  it('starts from the projected file', async () => {
    expect(db.stats().topology).toMatchObject({ revision: 1, source: 'file' });
    expect(await readPorts(6)).toEqual(new Set([r1.port]));
  });

  it('gives a new replica a pool and sends it reads once checked', async () => {
    await swap(topology(2, [replica('r1', r1), replica('r2', r2)]));
    expect(db.topology.revision).toBe(2);
    await waitFor('the new replica to pass its first lag check', () => db.stats().endpoints.find((e) => e.id === 'r2')?.healthy === true);
    expect(await readPorts(6)).toEqual(new Set([r1.port, r2.port]));
  });

  it('sends no new reads to a draining replica and lets a removed one finish its in-flight query', async () => {
    // One slow read per replica (round-robin), both still running across the next two swaps.
    const slow = [1, 2].map(() => db.read<{ port: number }>('SELECT inet_server_port() AS port, pg_sleep(1.5)'));
    await waitFor('both slow reads to be running', () => db.stats().endpoints.every((e) => e.role === 'primary' || e.inFlight === 1));

    await swap(topology(3, [replica('r1', r1, 'draining'), replica('r2', r2)]));
    expect(await readPorts(6)).toEqual(new Set([r2.port]));
    await swap(topology(4, [replica('r2', r2)]));
    expect(db.stats().endpoints.map((e) => e.id)).toEqual(['primary', 'r2']);
    expect(await readPorts(6)).toEqual(new Set([r2.port]));
    expect(await ourConnections(r1)).toBeGreaterThan(0);

    const results = await Promise.all(slow);
    expect(new Set(results.map((r) => r.rows[0]?.port))).toEqual(new Set([r1.port, r2.port]));
    // Its pools end once the in-flight query is done: nothing of ours stays connected to it.
    await waitFor('the removed replica to have no connection of ours', async () => (await ourConnections(r1)) === 0);
  });

  it('keeps the last good topology on a malformed or invalid file, reporting each once', async () => {
    const errorsBefore = errors.length;
    const good = topology(5, [replica('r1', r1)]);
    await projection.update('topology.json', good.slice(0, good.length / 2));
    await waitFor('an error for the truncated file', () => errors.length > errorsBefore);
    const invalid = JSON.parse(good) as Record<string, unknown>;
    invalid.primary = { id: 'primary', host: pgc.primary.host, port: 'five' };
    await projection.update('topology.json', JSON.stringify(invalid));
    await waitFor('an error for the invalid file', () => errors.length > errorsBefore + 1);

    expect(errors.slice(errorsBefore).every((e) => e instanceof TopologyError)).toBe(true);
    expect(errors[errorsBefore]?.message).toMatch(/not valid JSON/);
    expect(errors[errorsBefore + 1]?.message).toMatch(/primary\.port/);
    expect(db.topology.revision).toBe(4);
    expect(await readPorts(6)).toEqual(new Set([r2.port]));
    // Another look at the same bad content (any event in the folder triggers one) is not reported again.
    const reads = db.stats().topology.reads;
    await writeFile(join(projection.dir, 'unrelated'), 'x');
    await waitFor('the file to be read again', () => db.stats().topology.reads > reads);
    expect(errors.length).toBe(errorsBefore + 2);
  });

  it('ignores an older revision, then takes a newer one', async () => {
    const ignoredBefore = db.stats().topology.ignored;
    await projection.update('topology.json', topology(3, [replica('r1', r1)]));
    await waitFor('the older revision to be ignored', () => db.stats().topology.ignored > ignoredBefore);
    expect(db.topology.revision).toBe(4);

    await swap(topology(6, [replica('r1', r1), replica('r2', r2)]));
    await waitFor('r1 to be back', () => db.stats().endpoints.find((e) => e.id === 'r1')?.healthy === true);
    expect(await readPorts(6)).toEqual(new Set([r1.port, r2.port]));
  });
});

describe('a replica added to the topology', () => {
  const pgc = cluster();
  const [r1, r2] = twoReplicas(pgc);
  const replica = (id: string, node: typeof r1) => ({ id, host: node.host, port: node.port, state: 'active' as const });
  const topology = (revision: number, replicas: TopologyInput['replicas']) => formatTopology(clusterTopology(pgc, { revision, replicas }));

  it('takes reads after a lag check of its own that runs at once, not at the next round of checks', async () => {
    await replicasCaughtUp(pgc);
    const projection = await KubeletProjection.create('topology.json', topology(1, [replica('r1', r1)]));
    // A round of lag checks a minute apart: the new replica could only be routable within seconds through its own.
    const db = await createClusterRouter(pgc, { topologyFile: projection.file('topology.json'), lagCheckIntervalMs: 60_000 });
    try {
      await waitFor('r1 to pass its first lag check', () => db.stats().endpoints.find((e) => e.id === 'r1')?.healthy === true, 10_000);
      const applied = once(db, 'topology');
      await projection.update('topology.json', topology(2, [replica('r1', r1), replica('r2', r2)]));
      await applied;
      const addedAt = Date.now();
      // Within 10 s of the new revision, where the next round of checks is up to a minute away.
      await waitFor('r2 to pass its first lag check', () => db.stats().endpoints.find((e) => e.id === 'r2')?.healthy === true, 10_000);
      console.info(`a replica added to the topology took reads ${Date.now() - addedAt} ms after the new revision, with lag checks a minute apart`);
      const ports = new Set<number>();
      for (let i = 0; i < 6; i++) ports.add((await db.read<{ port: number }>('SELECT inet_server_port() AS port')).rows[0]?.port ?? 0);
      expect(ports).toEqual(new Set([r1.port, r2.port]));
    } finally {
      await db.close();
      await projection.remove();
    }
  });
});
