// How soon a change of a draining replica's DatabaseConnections reaches the drain decision at the default settings:
// the operator answers every draining object from one shared reading renewed once it is DEFAULT_CONNECTIONS_READING_MS
// old, and only a reconcile asks for it. A draining object is on hold, so it reconciles every transitioning resync.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/env/rds-world/faults.js';
import { configSchema } from '../config/index.js';
import { DEFAULT_CONNECTIONS_READING_MS } from '../operator.js';
import { sharedReading } from './shared-reading.js';

const defaults = configSchema.parse({ awsRegion: 'us-east-1' });
const readingMs = DEFAULT_CONNECTIONS_READING_MS;
const reconcileGapMs = defaults.resyncTransitioning;
/** What docs/operations.md promises. */
const documentedBoundMs = 45_000;

/** Reconciles at `times` (ms) ask the shared reading; the connections drop to 0 at `changeAt`. Returns how long
 * after the change the first reconcile saw it, or undefined if none did. */
async function seenAfter(times: number[], changeAt: number): Promise<number | undefined> {
  let clock = 0;
  let connections = 3;
  const shared = sharedReading(async (ids) => new Map(ids.map((id) => [id, connections] as const)), { maxAgeMs: readingMs, now: () => clock });
  for (const t of times) {
    clock = t;
    if (t >= changeAt) connections = 0;
    if ((await shared(['r2'])).get('r2') === 0) return t - changeAt;
  }
  return undefined;
}

describe('a draining replica’s connections at the default settings', () => {
  it('are read at most every 30 s, by reconciles at most 15 s apart', () => {
    expect(readingMs).toBe(30_000);
    expect(reconcileGapMs).toBe(15_000);
  });

  it('are seen within the reading’s age plus one transitioning resync, however the reconciles fall', async () => {
    // Seeded, so a failure can be repeated.
    const next = seededRandom(7);
    let worst = 0;
    for (let run = 0; run < 300; run++) {
      // Reconciles come at most one transitioning resync apart, sooner when something else queues the object
      // (a periodic resync, a lag reading, a spec change).
      const times = [0];
      while (times.at(-1)! < 200_000) times.push(times.at(-1)! + Math.max(1, Math.round(next() * reconcileGapMs)));
      const changeAt = Math.round(next() * 100_000);
      const delay = await seenAfter(times, changeAt);
      expect(delay).toBeDefined();
      worst = Math.max(worst, delay!);
    }
    expect(worst).toBeLessThanOrEqual(readingMs + reconcileGapMs);
    expect(readingMs + reconcileGapMs).toBeLessThanOrEqual(documentedBoundMs);
  });

  it('can take longer than one reading’s age: a reconcile just before the reading expires keeps the old one', async () => {
    // The reading is taken at 0 and the connections drop just after; the reconcile at 29.9 s still finds the reading
    // young enough, so the drop is seen only at the next one, a transitioning resync later.
    const delay = await seenAfter([0, 29_900, 29_900 + reconcileGapMs], 1);
    expect(delay).toBe(29_900 + reconcileGapMs - 1);
    expect(delay).toBeGreaterThan(readingMs);
    expect(delay).toBeLessThanOrEqual(documentedBoundMs);
  });
});
