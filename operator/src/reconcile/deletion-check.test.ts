import { describe, expect, it } from 'vitest';
import { BASE, OWNER } from './testing/fixtures.js';
import { ownershipTags, TAG_OWNER_UID } from '../naming/index.js';
import type { RdsPort } from '../rds/port.js';
import { FakeRds } from '../rds/testing/fake-rds.js';
import { anRdsInstance } from '../rds/testing/instances.js';
import { applyPlan, type ApplyContext } from './apply.js';
import type { Step } from './plan/types.js';
import { FakeKubernetes } from './testing/fake-kubernetes.js';
import { CapturingLogger } from './testing/harness.js';

const OURS = ownershipTags(OWNER);
const R1 = `${BASE}-r1`;
const CANDIDATES = Array.from({ length: 15 }, (_, i) => `${BASE}-r${i + 1}`);
const deletePrimary: Step = {
  kind: 'deleteInstance',
  identifier: BASE,
  role: 'primary',
  finalSnapshot: 'skip',
  why: 'object deleted',
  replicaCandidates: CANDIDATES,
};
const deleteReplica: Step = { kind: 'deleteInstance', identifier: R1, role: 'replica', finalSnapshot: 'skip', why: 'scale-down', replicaOf: BASE };

function context(rds: RdsPort): ApplyContext {
  return {
    rds,
    kube: new FakeKubernetes(),
    ref: { namespace: OWNER.namespace, name: OWNER.name },
    involved: { apiVersion: 'db.servio.io/v1alpha1', kind: 'ReplicaSetDB', ...OWNER },
    finalizers: [],
    resourceVersion: '1',
    generatePassword: () => 'unused',
    log: new CapturingLogger(),
  };
}

/** The fake, recording whether each describe asked to be fresh. */
function recording(fake: FakeRds): { port: RdsPort; freshDescribes: string[][] } {
  const freshDescribes: string[][] = [];
  const port = Object.create(fake) as RdsPort;
  port.describeInstances = async (ids, options) => {
    if (options?.fresh === true) freshDescribes.push([...ids]);
    return fake.describeInstances(ids);
  };
  return { port, freshDescribes };
}

const deletions = (fake: FakeRds) => fake.calls.filter((c) => c.operation === 'DeleteDBInstance').map((c) => c.subject);

describe('deleting a primary: a fresh describe first confirms no replica of ours remains', () => {
  it('waits for a replica carrying our ownership tags, even one outside the observed range', async () => {
    const fake = new FakeRds();
    fake.instances.set(BASE, anRdsInstance({ identifier: BASE, tags: OURS }));
    fake.instances.set(`${BASE}-r7`, anRdsInstance({ identifier: `${BASE}-r7`, tags: { [TAG_OWNER_UID]: OWNER.uid } }));
    const { port, freshDescribes } = recording(fake);
    const outcome = await applyPlan([deletePrimary], context(port));
    expect(deletions(fake)).toEqual([]);
    expect(outcome.failure).toMatchObject({ kind: 'invalid-state', code: 'ReplicasRemain', operation: 'DeleteDBInstance' });
    expect(outcome.failure?.message).toContain(`${BASE}-r7`);
    expect(freshDescribes).toEqual([[BASE, ...CANDIDATES]]);
  });

  it('waits for a replica of the primary that is not ours and has another name', async () => {
    const fake = new FakeRds();
    fake.instances.set(BASE, anRdsInstance({ identifier: BASE, tags: OURS, replicaIdentifiers: ['reporting'] }));
    fake.instances.set('reporting', anRdsInstance({ identifier: 'reporting', replicationSource: BASE }));
    const outcome = await applyPlan([deletePrimary], context(recording(fake).port));
    expect(deletions(fake)).toEqual([]);
    expect(outcome.failure?.message).toContain('reporting');
  });

  it("deletes the primary when the fresh describe finds no replica of ours (another owner's instance with a replica's name does not count)", async () => {
    const fake = new FakeRds();
    fake.instances.set(BASE, anRdsInstance({ identifier: BASE, tags: OURS }));
    fake.instances.set(R1, anRdsInstance({ identifier: R1, tags: { [TAG_OWNER_UID]: 'someone-else' } }));
    const { port, freshDescribes } = recording(fake);
    const outcome = await applyPlan([deletePrimary], context(port));
    expect(outcome.failure).toBeUndefined();
    expect(deletions(fake)).toEqual([BASE]);
    expect(freshDescribes).toHaveLength(1);
  });

  it('leaves a primary whose ownership tags were changed since the plan was made', async () => {
    const fake = new FakeRds();
    fake.instances.set(BASE, anRdsInstance({ identifier: BASE, tags: { ...OURS, [TAG_OWNER_UID]: 'another-object' } }));
    const outcome = await applyPlan([deletePrimary], context(recording(fake).port));
    expect(deletions(fake)).toEqual([]);
    expect(outcome.failure).toMatchObject({ kind: 'invalid-state', code: 'OwnershipChanged' });
  });
});

describe('deleting a replica without a final snapshot: a fresh describe first confirms it still replicates from the primary', () => {
  it('deletes it when it does, after one fresh describe of it alone', async () => {
    const fake = new FakeRds();
    fake.instances.set(R1, anRdsInstance({ identifier: R1, tags: OURS, replicationSource: BASE }));
    const { port, freshDescribes } = recording(fake);
    const outcome = await applyPlan([deleteReplica], context(port));
    expect(outcome.failure).toBeUndefined();
    expect(freshDescribes).toEqual([[R1]]);
    expect(deletions(fake)).toEqual([R1]);
  });

  it('leaves it when it has been promoted since the plan was made: it may hold writes of its own', async () => {
    const fake = new FakeRds();
    fake.instances.set(R1, anRdsInstance({ identifier: R1, tags: OURS }));
    const outcome = await applyPlan([deleteReplica], context(recording(fake).port));
    expect(deletions(fake)).toEqual([]);
    expect(outcome.failure).toMatchObject({ kind: 'invalid-state', code: 'ReplicaPromoted', operation: 'DeleteDBInstance' });
    expect(outcome.failure?.message).toContain(`no longer replicates from ${BASE}`);
  });

  it('leaves it when it now replicates from another primary', async () => {
    const fake = new FakeRds();
    fake.instances.set(R1, anRdsInstance({ identifier: R1, tags: OURS, replicationSource: 'another-primary' }));
    const outcome = await applyPlan([deleteReplica], context(recording(fake).port));
    expect(deletions(fake)).toEqual([]);
    expect(outcome.failure).toMatchObject({ code: 'ReplicaPromoted' });
  });

  it('deletes a promoted replica the plan already sends to a final snapshot', async () => {
    const fake = new FakeRds();
    fake.instances.set(R1, anRdsInstance({ identifier: R1, tags: OURS }));
    const withSnapshot: Step = {
      kind: 'deleteInstance',
      identifier: R1,
      role: 'replica',
      finalSnapshot: { finalSnapshotIdentifier: `${R1}-final` },
      why: 'object deleted',
    };
    const outcome = await applyPlan([withSnapshot], context(recording(fake).port));
    expect(outcome.failure).toBeUndefined();
    expect(deletions(fake)).toEqual([R1]);
    expect([...fake.snapshots.keys()]).toEqual([`${R1}-final`]);
  });

  it('sends nothing for an instance that is already gone', async () => {
    const fake = new FakeRds();
    const outcome = await applyPlan([deleteReplica], context(recording(fake).port));
    expect(outcome.failure).toBeUndefined();
    expect(deletions(fake)).toEqual([]);
  });
});
