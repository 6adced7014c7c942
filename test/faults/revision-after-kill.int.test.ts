// One topology revision never carries two contents, even when the operator process is SIGKILLed between its
// ConfigMap write and its status write and the ConfigMap is then deleted. The kill lands there by holding the AWS
// call that follows the write in the same reconcile: a spec change that moves the routing bound (a new revision)
// and adds a replica (CreateDBInstanceReadReplica, after the publication in the plan's order). A new process then
// publishes while the spec moves the bound again; every version of the ConfigMap is recorded by a watch.
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeConfig } from '../env/helpers.js';
import { CONVERGE_MS } from './crash.js';
import { core, Run, specOf, until, useFaultSuite } from './suite.js';

const DURATIONS = { creatingMs: 1_000, backingUpMs: 300, modifyingMs: 1_000, deletingMs: 1_000, snapshotCreatingMs: 1_000 };

interface Published {
  revision: number;
  maxReplicaLagSeconds: number;
  text: string;
}

function parse(cm: k8s.V1ConfigMap): Published | undefined {
  const text = cm.data?.['topology.json'];
  if (text === undefined) return undefined;
  const doc = JSON.parse(text) as { revision: number; updatedAt: string; routing: { maxReplicaLagSeconds: number } };
  const { revision, updatedAt: _updatedAt, ...content } = doc;
  return { revision, maxReplicaLagSeconds: doc.routing.maxReplicaLagSeconds, text: JSON.stringify(content) };
}

describe('the topology revision across a kill between the ConfigMap write and the status write', () => {
  const suite = useFaultSuite();

  it('is never stamped on two contents when the ConfigMap is then deleted and the content changes again', async () => {
    const world = suite.world();
    await world.reset({ durations: DURATIONS });
    const run = await Run.start(suite, 'revision-kill');
    const seen: Published[] = [];
    const watch = await new k8s.Watch(kubeConfig()).watch(
      `/api/v1/namespaces/${run.namespace}/configmaps`,
      { fieldSelector: `metadata.name=${run.name}-endpoints` },
      (type: string, cm: k8s.V1ConfigMap) => {
        const published = type === 'DELETED' ? undefined : parse(cm);
        if (published !== undefined) seen.push(published);
      },
      () => undefined,
    );
    try {
      const first = await run.startOperator('revision-kill-op1');
      await run.apply(specOf({ replicas: 1 }));
      await until('Ready with 1 replica', () => run.isReady(), CONVERGE_MS);
      const before = seen.at(-1)!;

      const held = world.hold('CreateDBInstanceReadReplica', 'after', { process: first.name });
      await run.patchSpec({ replicas: { count: 2 }, routing: { maxReplicaLagSeconds: 20 } });
      const call = await held;
      await first.kill();
      call.drop();
      const lost = parse(await core().readNamespacedConfigMap({ name: `${run.name}-endpoints`, namespace: run.namespace }))!;
      expect(lost.maxReplicaLagSeconds).toBe(20);
      expect(lost.revision).toBe(before.revision + 1);

      await core().deleteNamespacedConfigMap({ name: `${run.name}-endpoints`, namespace: run.namespace });
      await run.patchSpec({ routing: { maxReplicaLagSeconds: 40 } });
      await run.startOperator('revision-kill-op2');
      await until(
        'Ready with 2 replicas and the bound of 40 s published',
        async () => (await run.isReady()) && seen.at(-1)?.maxReplicaLagSeconds === 40 && world.transitioning().length === 0,
        CONVERGE_MS,
      );

      const contents = new Map<number, Set<string>>();
      for (const p of seen) contents.set(p.revision, (contents.get(p.revision) ?? new Set()).add(p.text));
      console.info(`revisions published: ${seen.map((p) => `${p.revision} (bound ${p.maxReplicaLagSeconds} s)`).join(', ')}`);
      const reused = [...contents].filter(([, texts]) => texts.size > 1).map(([revision]) => revision);
      expect(reused).toEqual([]);
      expect(seen.at(-1)!.revision).toBeGreaterThan(lost.revision);
    } finally {
      watch.abort();
      world.clearHolds();
      await run.cleanUp();
    }
  }, 300_000);
});
