import { describe, expect, it } from 'vitest';
import { BASE } from './testing/fixtures.js';
import { TAG_OWNER_UID } from '../naming/index.js';
import type { RdsPort } from '../rds/port.js';
import { FakeRds } from '../rds/testing/fake-rds.js';
import { anRdsInstance } from '../rds/testing/instances.js';
import { applyPlan, type ApplyContext } from './apply.js';
import type { Step } from './plan/types.js';
import { FakeKubernetes } from './testing/fake-kubernetes.js';
import { CapturingLogger } from './testing/harness.js';

const UID = 'uid-of-servio';
const CANDIDATES = Array.from({ length: 15 }, (_, i) => `${BASE}-r${i + 1}`);
const deletePrimary: Step = {
  kind: 'deleteInstance',
  identifier: BASE,
  role: 'primary',
  finalSnapshot: 'skip',
  why: 'object deleted',
  replicaCandidates: CANDIDATES,
};

function context(rds: RdsPort): ApplyContext {
  return {
    rds,
    kube: new FakeKubernetes(),
    ref: { namespace: 'prod', name: 'servio' },
    involved: { apiVersion: 'db.servio.io/v1alpha1', kind: 'ReplicaSetDB', namespace: 'prod', name: 'servio', uid: UID },
    finalizers: [],
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

describe('deleting a primary: a fresh describe first confirms no replica of ours remains', () => {
  it('waits for a replica carrying our ownership tags, even one outside the observed range', async () => {
    const fake = new FakeRds();
    fake.instances.set(BASE, anRdsInstance({ identifier: BASE }));
    fake.instances.set(`${BASE}-r7`, anRdsInstance({ identifier: `${BASE}-r7`, tags: { [TAG_OWNER_UID]: UID } }));
    const { port, freshDescribes } = recording(fake);
    const outcome = await applyPlan([deletePrimary], context(port));
    expect(fake.calls.filter((c) => c.operation === 'DeleteDBInstance')).toEqual([]);
    expect(outcome.failure).toMatchObject({ kind: 'invalid-state', code: 'ReplicasRemain', operation: 'DeleteDBInstance' });
    expect(outcome.failure?.message).toContain(`${BASE}-r7`);
    expect(freshDescribes[0]).toEqual([BASE, ...CANDIDATES]);
  });

  it('waits for a replica of the primary that is not ours and has another name', async () => {
    const fake = new FakeRds();
    fake.instances.set(BASE, anRdsInstance({ identifier: BASE, replicaIdentifiers: ['reporting'] }));
    fake.instances.set('reporting', anRdsInstance({ identifier: 'reporting', replicationSource: BASE }));
    const outcome = await applyPlan([deletePrimary], context(recording(fake).port));
    expect(fake.calls.filter((c) => c.operation === 'DeleteDBInstance')).toEqual([]);
    expect(outcome.failure?.message).toContain('reporting');
  });

  it("deletes the primary when the fresh describe finds no replica of ours (another owner's instance with a replica's name does not count)", async () => {
    const fake = new FakeRds();
    fake.instances.set(BASE, anRdsInstance({ identifier: BASE }));
    fake.instances.set(`${BASE}-r1`, anRdsInstance({ identifier: `${BASE}-r1`, tags: { [TAG_OWNER_UID]: 'someone-else' } }));
    const { port, freshDescribes } = recording(fake);
    const outcome = await applyPlan([deletePrimary], context(port));
    expect(outcome.failure).toBeUndefined();
    expect(fake.calls.filter((c) => c.operation === 'DeleteDBInstance').map((c) => c.subject)).toEqual([BASE]);
    expect(freshDescribes).toHaveLength(1);
  });

  it('deleting a replica makes no such check', async () => {
    const fake = new FakeRds();
    fake.instances.set(`${BASE}-r1`, anRdsInstance({ identifier: `${BASE}-r1` }));
    const { port, freshDescribes } = recording(fake);
    await applyPlan([{ kind: 'deleteInstance', identifier: `${BASE}-r1`, role: 'replica', finalSnapshot: 'skip', why: 'scale-down' }], context(port));
    expect(freshDescribes).toEqual([]);
  });
});
