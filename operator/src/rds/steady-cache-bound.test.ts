// What docs/operations.md promises for a change made outside the operator, at the default settings: seen within one
// steady resync for an available instance, within three for a parameter group. The periodic resync reconciles every
// object together, 0.9 to 1.0 intervals apart (controllerDefaults.resyncJitter), and each wave reads through the
// caches the operator builds with steadyCacheOptions. The change comes just after a wave took its readings: the
// worst moment.
import { controllerDefaults } from '@servio/controller-runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { steadyCacheOptions, withSteadyStateCache } from './steady-cache.js';
import { FakeRds } from './testing/fake-rds.js';
import { anRdsInstance } from './testing/instances.js';

const RESYNC = loadConfig({ argv: [], env: { AWS_REGION: 'us-east-1' } }).resyncSteady;
const EARLIEST = (1 - controllerDefaults.resyncJitter) * RESYNC;
const OBJECTS = 100;

/** Wave spacings the controller can produce: always the earliest, always the full interval, and mixed. */
const SPACINGS: Array<[string, (wave: number) => number]> = [
  ['0.9 intervals apart', () => EARLIEST],
  ['1.0 interval apart', () => RESYNC],
  ['alternating', (wave) => (wave % 2 === 0 ? EARLIEST : RESYNC)],
];

function world() {
  const fake = new FakeRds();
  for (let o = 0; o < OBJECTS; o++) {
    fake.instances.set(`db-${o}`, anRdsInstance({ identifier: `db-${o}`, status: 'available' }));
    fake.parameterGroups.set(`pg-${o}`, {
      name: `pg-${o}`,
      arn: `arn:aws:rds:us-east-1:123456789012:pg:pg-${o}`,
      family: 'postgres16',
      tags: {},
      parameters: {},
    });
  }
  const clock = { now: 0 };
  const port = withSteadyStateCache(fake, { ...steadyCacheOptions(RESYNC), now: () => clock.now });
  return { fake, clock, port };
}

/** Runs waves until the caches are in their rhythm and the last wave read the watched resource from AWS itself:
 * a change made right after that reading is the one that waits longest. */
async function settleIntoWaves(
  fake: FakeRds,
  clock: { now: number },
  wave: () => Promise<unknown>,
  spacing: (wave: number) => number,
  reads: (subject: string) => boolean,
): Promise<void> {
  for (let w = 0; w < 20; w++) {
    const before = fake.calls.length;
    await wave();
    if (w >= 6 && fake.calls.slice(before).some((c) => reads(c.subject))) return;
    clock.now += spacing(w);
  }
  throw new Error('the watched resource was never read from AWS');
}

describe('a change made outside the operator, at the default steady resync', () => {
  it.each(SPACINGS)('is seen within one resync for an instance, waves %s', async (_, spacing) => {
    const { fake, clock, port } = world();
    const wave = () => Promise.all(Array.from({ length: OBJECTS }, (_, o) => port.describeInstances([`db-${o}`])));
    await settleIntoWaves(fake, clock, wave, spacing, (subject) => subject.split(',').includes('db-7'));
    const changedAt = clock.now + 1;
    fake.instances.get('db-7')!.instanceClass = 'db.m5.large';
    let seenAt: number | undefined;
    for (let w = 0; seenAt === undefined && w < 10; w++) {
      clock.now += spacing(w);
      const answers = await wave();
      if (answers[7]!.get('db-7')?.instanceClass === 'db.m5.large') seenAt = clock.now;
    }
    expect(seenAt! - changedAt).toBeLessThanOrEqual(RESYNC);
  });

  it.each(SPACINGS)('is seen within three resyncs for a parameter group, waves %s', async (_, spacing) => {
    const { fake, clock, port } = world();
    const wave = () => Promise.all(Array.from({ length: OBJECTS }, (_, o) => port.describeParameterGroup(`pg-${o}`)));
    await settleIntoWaves(fake, clock, wave, spacing, (subject) => subject === 'pg-7');
    const changedAt = clock.now + 1;
    fake.parameterGroups.get('pg-7')!.parameters = { work_mem: '64MB' };
    let seenAt: number | undefined;
    for (let w = 0; seenAt === undefined && w < 10; w++) {
      clock.now += spacing(w);
      const answers = await wave();
      if (answers[7]?.parameters.work_mem === '64MB') seenAt = clock.now;
    }
    expect(seenAt! - changedAt).toBeLessThanOrEqual(3 * RESYNC);
  });

  it('costs one inventory describe per wave', async () => {
    const { fake, clock, port } = world();
    for (let w = 0; w < 6; w++) {
      await Promise.all(Array.from({ length: OBJECTS }, (_, o) => port.describeInstances([`db-${o}`])));
      clock.now += EARLIEST;
    }
    const describes = fake.calls.filter((c) => c.operation === 'DescribeDBInstances');
    // The first wave reads its objects as they come; every later wave, one inventory of all of them.
    expect(describes.slice(-5).map((c) => c.subject.split(',').length)).toEqual([OBJECTS, OBJECTS, OBJECTS, OBJECTS, OBJECTS]);
  });
});
