// Fencing in observe: every read of a reconcile (RDS, the account's parameter groups, Kubernetes, CloudWatch lag and
// DatabaseConnections) carries its abort signal, and an aborted reconcile is not mistaken for a CloudWatch outage.
import { describe, expect, it } from 'vitest';
import type { DatabaseConnectionsPort, LagCallOptions, ReplicaLagPort } from '../cloudwatch/port.js';
import { observeReplicaSetDB } from './observe.js';
import { aReplicaSetDB, BASE, OWNER, ownershipTags } from './testing/fixtures.js';
import { aHarness } from './testing/harness.js';

async function aDrainingWorld() {
  const h = aHarness(aReplicaSetDB().withReplicas(1).withSpec({ engineVersion: '16.3' }));
  await h.converge();
  await h.rds.createParameterGroup({ name: `${BASE}-postgres15`, family: 'postgres15', description: '', tags: ownershipTags(OWNER) });
  const record = h.kube.record(h.ref)!;
  record.status = { ...record.status!, replicas: record.status!.replicas!.map((r) => ({ ...r, drainingSince: '2026-11-26T15:59:00Z' })) };
  h.rds.received.length = 0;
  h.kube.received.length = 0;
  return h;
}

describe('observe under an abort signal', () => {
  it('hands the signal to every read, the parameter-group list, lag and DatabaseConnections included', async () => {
    const h = await aDrainingWorld();
    const lagCalls: LagCallOptions[] = [];
    const connectionCalls: ({ signal?: AbortSignal } | undefined)[] = [];
    const lag: ReplicaLagPort = {
      replicaLagSeconds: async (ids, options) => {
        lagCalls.push(options ?? {});
        return new Map(ids.map((id) => [id, 0] as const));
      },
    };
    const connections: DatabaseConnectionsPort = {
      databaseConnections: async (ids, options) => {
        connectionCalls.push(options);
        return new Map(ids.map((id) => [id, []] as const));
      },
    };
    const signal = new AbortController().signal;
    const observed = await observeReplicaSetDB(h.ref, { kube: h.kube, rds: h.rds, lag, connections }, { signal });
    expect(observed?.retiredParameterGroups().map((g) => g.name)).toEqual([`${BASE}-postgres15`]);

    const operations = h.rds.received.map((r) => r.operation);
    expect(operations).toContain('DescribeDBInstances');
    expect(operations).toContain('ListTagsForResource');
    expect(h.rds.received.filter((r) => r.operation === 'DescribeDBParameterGroups')).toHaveLength(2);
    for (const r of h.rds.received) expect(r.options?.signal).toBe(signal);
    expect(h.kube.received.map((r) => r.call).sort()).toEqual(['getConfigMap', 'getReplicaSetDB', 'getSecret']);
    for (const r of h.kube.received) expect(r.options?.signal).toBe(signal);
    expect(lagCalls).toEqual([{ subject: { key: 'prod/servio', maxReplicaLagSeconds: expect.any(Number) as number }, signal }]);
    expect(connectionCalls).toEqual([{ signal }]);
  });

  it('lets an aborted lag or connections read end the observation rather than report CloudWatch unavailable', async () => {
    const h = await aDrainingWorld();
    const leadership = new AbortController();
    const reason = new Error('leadership lost');
    const lag: ReplicaLagPort = {
      replicaLagSeconds: async () => {
        leadership.abort(reason);
        throw reason;
      },
    };
    await expect(observeReplicaSetDB(h.ref, { kube: h.kube, rds: h.rds, lag }, { signal: leadership.signal })).rejects.toBe(reason);

    const other = new AbortController();
    const connections: DatabaseConnectionsPort = {
      databaseConnections: async () => {
        other.abort(reason);
        throw reason;
      },
    };
    await expect(observeReplicaSetDB(h.ref, { kube: h.kube, rds: h.rds, connections }, { signal: other.signal })).rejects.toBe(reason);
  });

  it('still reports a CloudWatch failure of a live reconcile as unavailable readings, not as an error', async () => {
    const h = await aDrainingWorld();
    const throttled = async (): Promise<never> => {
      throw Object.assign(new Error('rate exceeded'), { name: 'Throttling' });
    };
    const observed = await observeReplicaSetDB(
      h.ref,
      { kube: h.kube, rds: h.rds, lag: { replicaLagSeconds: throttled }, connections: { databaseConnections: throttled } },
      { signal: new AbortController().signal },
    );
    expect(observed?.world).toMatchObject({ lagUnavailable: 'Throttling: rate exceeded', connectionsUnavailable: 'Throttling: rate exceeded' });
  });
});
