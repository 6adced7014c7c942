// An instance to be deleted (a failed replica being replaced, or any instance of an object being deleted) that still
// has RDS deletion protection, in a state it does not leave by itself: the operator sends modifications only to an
// available instance, so it cannot lift the protection. The status must say so and what a person does, instead of
// promising a replacement or waiting "once it is available".
import { describe, expect, it } from 'vitest';
import { BASE, aReplicaSetDB, aWorld } from '../testing/fixtures.js';
import { plan, stepsOf } from '../testing/plan-helpers.js';
import { aHarness } from '../testing/harness.js';

const R1 = `${BASE}-r1`;
const byHand = (id: string) =>
  `${id} is failed and still has deletion protection, which the operator lifts only on an available instance: lift it with \`aws rds modify-db-instance --db-instance-identifier ${id} --no-deletion-protection --apply-immediately\` (or ask AWS Support if RDS refuses); the operator then deletes it`;

describe('plan: deletion protection on an instance that cannot become available', () => {
  it('says what a person does for a failed replica under spec.deletionProtection, and sends nothing', () => {
    const db = aReplicaSetDB().withReplicas(1).withSpec({ deletionProtection: true });
    const p = plan(aWorld(db).inSync().withReplica(1, { status: 'failed' }).build());
    expect(stepsOf(p).filter((s) => s.includes(R1))).toEqual([]);
    expect(p.waits.map((w) => w.message)).toContain(byHand(R1));
    expect(p.unhealthy).toEqual([expect.objectContaining({ identifier: R1, advice: expect.stringContaining('--no-deletion-protection') })]);
  });

  it('says the same for a failed primary of an object being deleted', () => {
    const db = aReplicaSetDB().withReplicas(0).withSpec({ deletionPolicy: 'Delete', deletionProtection: false }).beingDeleted();
    const p = plan(aWorld(db).inSync().withPrimary({ status: 'failed', deletionProtection: true }).build());
    expect(p.waits.map((w) => w.message)).toContain(byHand(BASE));
  });

  it('keeps promising a replacement only where nothing stands in its way', () => {
    const p = plan(aWorld(aReplicaSetDB().withReplicas(1)).inSync().withReplica(1, { status: 'failed' }).build());
    expect(p.unhealthy).toEqual([expect.objectContaining({ identifier: R1, advice: 'the operator replaces it' })]);
  });

  it('reconciler: the Degraded condition names the command, and the replica is replaced once protection is lifted by hand', async () => {
    const h = aHarness(aReplicaSetDB().withReplicas(1).withSpec({ deletionProtection: true }));
    await h.converge();
    h.rds.instances.get(R1)!.status = 'failed';
    const before = h.rds.mutatingCalls().length;
    const pass = async () => {
      const r = await h.reconcile();
      h.clock.now = new Date(h.clock.now.getTime() + Math.max(r.requeueAfterMs ?? 0, 1_000));
    };
    await pass();
    expect(h.status()?.conditions?.find((c) => c.type === 'Degraded')?.message).toContain('--no-deletion-protection');
    // It is drained first, as any replica on its way out; then the pass says what stands in the way.
    const progressing = () => h.status()?.conditions?.find((c) => c.type === 'Progressing')?.message ?? '';
    for (let i = 0; i < 30 && !progressing().includes(byHand(R1)); i++) await pass();
    expect(progressing()).toContain(byHand(R1));
    expect(h.rds.mutatingCalls().slice(before)).toEqual([]);
    h.rds.instances.get(R1)!.deletionProtection = false;
    for (let i = 0; i < 20 && h.rds.mutatingCalls().every((c) => c.operation !== 'DeleteDBInstance'); i++) await pass();
    expect(
      h.rds
        .mutatingCalls()
        .filter((c) => c.operation === 'DeleteDBInstance')
        .map((c) => c.subject),
    ).toEqual([R1]);
  });
});
