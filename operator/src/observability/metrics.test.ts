import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

const servio = { namespace: 'prod', name: 'servio' };

async function lines(metrics: ReturnType<typeof createMetrics>, prefix: string): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text.split('\n').filter((l) => l.startsWith(prefix));
}

describe('createMetrics', () => {
  it('counts reconciles by result and times them', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.observeReconcile('success', 0.2);
    m.observeReconcile('success', 0.3);
    m.observeReconcile('error', 2);
    expect(await lines(m, 'rsdb_reconcile_total')).toEqual(['rsdb_reconcile_total{result="success"} 2', 'rsdb_reconcile_total{result="error"} 1']);
    expect(await lines(m, 'rsdb_reconcile_duration_seconds_count')).toEqual([
      'rsdb_reconcile_duration_seconds_count{result="success"} 2',
      'rsdb_reconcile_duration_seconds_count{result="error"} 1',
    ]);
    expect(await lines(m, 'rsdb_reconcile_duration_seconds_bucket{le="0.25",result="success"}')).toEqual([
      'rsdb_reconcile_duration_seconds_bucket{le="0.25",result="success"} 1',
    ]);
  });

  it('reads the queue depth at scrape time', async () => {
    const m = createMetrics({ defaultMetrics: false });
    let depth = 3;
    m.trackQueueDepth(() => depth);
    expect(await lines(m, 'rsdb_workqueue_depth')).toEqual(['rsdb_workqueue_depth 3']);
    depth = 0;
    expect(await lines(m, 'rsdb_workqueue_depth')).toEqual(['rsdb_workqueue_depth 0']);
  });

  it('counts AWS calls by service, operation and outcome', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.observeAwsCall('rds', 'DescribeDBInstances', 'success', 0.05);
    m.observeAwsCall('rds', 'DescribeDBInstances', 'success', 0.05);
    m.observeAwsCall('rds', 'CreateDBInstance', 'ThrottlingException', 1);
    expect(await lines(m, 'rsdb_aws_api_calls_total')).toEqual([
      'rsdb_aws_api_calls_total{service="rds",operation="DescribeDBInstances",outcome="success"} 2',
      'rsdb_aws_api_calls_total{service="rds",operation="CreateDBInstance",outcome="ThrottlingException"} 1',
    ]);
  });

  it('reports instances by RDS status, replacing the previous report of the same object', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setInstanceStatuses(servio, ['available', 'creating', 'creating']);
    m.setInstanceStatuses({ namespace: 'prod', name: 'other' }, ['available']);
    expect(await lines(m, 'rsdb_rds_instances{')).toEqual([
      'rsdb_rds_instances{namespace="prod",name="servio",status="available"} 1',
      'rsdb_rds_instances{namespace="prod",name="servio",status="creating"} 2',
      'rsdb_rds_instances{namespace="prod",name="other",status="available"} 1',
    ]);
    m.setInstanceStatuses(servio, ['available', 'available', 'available']);
    expect(await lines(m, 'rsdb_rds_instances{namespace="prod",name="servio"')).toEqual([
      'rsdb_rds_instances{namespace="prod",name="servio",status="available"} 3',
    ]);
  });

  it('reports replica lag per instance, and an unknown lag as no series rather than 0', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setReplicaLag(servio, 'prod-servio-r1', 0.4);
    m.setReplicaLag(servio, 'prod-servio-r2', 12);
    m.setReplicaLag(servio, 'prod-servio-r2', undefined);
    expect(await lines(m, 'rsdb_replica_lag_seconds{')).toEqual(['rsdb_replica_lag_seconds{namespace="prod",name="servio",instance="prod-servio-r1"} 0.4']);
  });

  it('reports the topology revision and leadership', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setTopologyRevision(servio, 12);
    m.setLeader(true);
    expect(await lines(m, 'rsdb_topology_revision{')).toEqual(['rsdb_topology_revision{namespace="prod",name="servio"} 12']);
    expect(await lines(m, 'rsdb_leader ')).toEqual(['rsdb_leader 1']);
    m.setLeader(false);
    expect(await lines(m, 'rsdb_leader ')).toEqual(['rsdb_leader 0']);
  });

  it('forgets every series of a deleted object and only those', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const other = { namespace: 'prod', name: 'other' };
    for (const key of [servio, other]) {
      m.setInstanceStatuses(key, ['available', 'modifying']);
      m.setReplicaLag(key, `${key.name}-r1`, 1);
      m.setTopologyRevision(key, 3);
    }
    m.forgetObject(servio);
    const text = await m.registry.metrics();
    expect(text).not.toContain('name="servio"');
    expect(text.match(/name="other"/g)).toHaveLength(4);
  });

  it('includes the Node.js process metrics by default, in separate registries per instance', async () => {
    const a = createMetrics();
    const b = createMetrics();
    expect(await a.registry.metrics()).toContain('process_resident_memory_bytes');
    a.observeReconcile('success', 1);
    expect(await lines(b, 'rsdb_reconcile_total')).toEqual([]);
  });
});
