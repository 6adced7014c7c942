// A replica's drain is timed from the moment the published topology shows it draining, however the status that
// records that moment fares. Here a scale-up publishes the replica active again, the status write that would clear
// its drain clock loses to a new spec (scaled down again at once), and the next pass publishes it draining again:
// pods that took the "active" document may send it reads for a kubelet delay more, so the drain starts over.
import { describe, expect, it } from 'vitest';
import type { ReplicaSetDBStatus } from '../api/index.js';
import type { ObjectRef } from '../ports/kubernetes.js';
import { readPublishedTopology } from '../topology/index.js';
import { FakeKubernetes } from './testing/fake-kubernetes.js';
import { BASE } from './testing/fixtures.js';
import { DEFAULT_TRANSITIONING_MS, atDefaultDrain, productionWorld } from './testing/production-world.js';

const R2 = `${BASE}-r2`;
const DRAIN_MS = 150_000;

/** Runs `before` once, right before the next status write: a change a person makes while a reconcile runs. */
class RacingKubernetes extends FakeKubernetes {
  before: (() => void) | undefined;
  override async writeStatus(ref: ObjectRef, status: ReplicaSetDBStatus, resourceVersion: string): Promise<void> {
    const racing = this.before;
    this.before = undefined;
    racing?.();
    return super.writeStatus(ref, status, resourceVersion);
  }
}

describe('the drain clock of a replica published active, then draining again', () => {
  it('starts over when the replica is published draining again, though the status that cleared it was never written', async () => {
    const kube = new RacingKubernetes();
    const w = productionWorld(2, kube);
    await w.steady();
    const stateOfR2 = () => readPublishedTopology(kube.configMaps.get(`prod/servio-endpoints`))?.replicas.find((r) => r.id === R2)?.state;

    kube.put(atDefaultDrain(1).build());
    await w.pass();
    expect(stateOfR2()).toBe('draining');

    w.advance(100_000);
    kube.put(atDefaultDrain(2).build());
    kube.before = () => kube.put(atDefaultDrain(1).build());
    await w.pass();
    expect(stateOfR2()).toBe('active');
    await w.pass();
    expect(stateOfR2()).toBe('draining');
    const drainingAgainAt = w.now();

    // Past the first drain's end, well before the second's.
    while (w.now() < drainingAgainAt + DRAIN_MS - DEFAULT_TRANSITIONING_MS) {
      w.advance(DEFAULT_TRANSITIONING_MS);
      await w.pass();
    }
    expect(w.deleted()).not.toContain(R2);
    w.advance(2 * DEFAULT_TRANSITIONING_MS);
    await w.pass();
    expect(w.deleted()).toContain(R2);
  });
});
