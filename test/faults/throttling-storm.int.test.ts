// The throttling storm: 20 ReplicaSetDBs of a primary and 2 replicas each, created at once by one operator
// process while RDS throttles 30 % of the calls and fails 5 % with a 5xx. All must become Ready with no duplicate
// instance, every instance tagged, every Secret holding the password its primary was created with, and a bounded
// number of AWS calls per instance.
import { afterAll, describe, expect, it } from 'vitest';
import { countByOperation } from '../env/rds-world/journal.js';
import { recordFigures } from './figures.js';
import { executed, faultsInjected } from './invariants.js';
import { Run, core, instancesInEmulator, isReady, specOf, until, useFaultSuite, TAG_OWNER_UID, TAG_ROLE } from './suite.js';

const OBJECTS = 20;
const INSTANCES = OBJECTS * 3;
const DURATIONS = { creatingMs: 2_000, backingUpMs: 500 };
/** The SDK retries throttling with adaptive backoff (5 attempts); the operator requeues what still fails. Each
 * instance needs a handful of calls (create, describes while it transitions, tags, the ConfigMap's reads are not
 * AWS): 40 per instance leaves room for the retries of a 30 % throttling rate without hiding a retry loop. */
const MAX_CALLS_PER_INSTANCE = 40;
/** How long the fleet may take to be Ready. The SDK's adaptive retry mode shrinks its send rate at every throttle,
 * so the time depends on the machine's load: from 243 s to more than 360 s on 2-core machines. */
const READY_WITHIN_MS = 600_000;

describe('throttling storm', () => {
  const suite = useFaultSuite();
  let run: Run | undefined;

  afterAll(async () => {
    await run?.cleanUp();
  });

  it(`${OBJECTS} ReplicaSetDBs x 3 instances under 30 % throttling and 5 % 5xx all become Ready, once each`, async () => {
    const world = suite.world();
    await world.reset({ durations: DURATIONS, faults: { throttleRate: 0.3, serverErrorRate: 0.05, seed: 20_251_201 } });
    run = await Run.start(suite, 'storm');
    const started = Date.now();
    await run.startOperator('storm-op');
    const names = Array.from({ length: OBJECTS }, (_, i) => `db-${i}`);
    await Promise.all(names.map((name) => run!.apply(specOf({ replicas: 2 }), name)));
    const readyAfter = await until(
      'every ReplicaSetDB Ready',
      async () => (await run!.list()).filter(isReady).length === OBJECTS,
      READY_WITHIN_MS,
      async () => `${(await run!.list()).filter(isReady).length}/${OBJECTS} Ready`,
    );
    const journal = [...world.journal];
    const violations: string[] = [];

    const instances = await instancesInEmulator();
    if (instances.length !== INSTANCES) violations.push(`duplicates: ${instances.length} instances, expected ${INSTANCES}`);
    const creates = [...executed(journal, 'CreateDBInstance'), ...executed(journal, 'CreateDBInstanceReadReplica')].map((e) => e.identifiers[0]!);
    const twice = creates.filter((id, i) => creates.indexOf(id) !== i);
    if (twice.length > 0) violations.push(`duplicates: created more than once: ${twice.join(', ')}`);
    for (const db of instances) if (!db.tags[TAG_OWNER_UID] || !db.tags[TAG_ROLE]) violations.push(`untagged: ${db.DBInstanceIdentifier}`);
    for (const name of names) {
      const primary = instances.find((db) => db.tags['db.servio.io/owner-name'] === name && db.tags[TAG_ROLE] === 'primary');
      const secret = await core()
        .readNamespacedSecret({ name: `${name}-credentials`, namespace: run.namespace })
        .catch(() => undefined);
      const stored = secret?.data?.password !== undefined ? Buffer.from(secret.data.password, 'base64').toString('utf8') : undefined;
      if (primary === undefined || stored === undefined || stored !== world.masterPasswordOf(primary.DBInstanceIdentifier!))
        violations.push(`password: ${name}`);
    }

    const rds = journal.filter((e) => !e.operation.startsWith('other '));
    const perInstance = rds.length / INSTANCES;
    const byOperation = countByOperation(rds);
    const throttled = journal.filter((e) => e.injected === 'throttle').length;
    const serverErrors = journal.filter((e) => e.injected === 'server-error').length;
    recordFigures({
      scenario: `throttling storm (${OBJECTS} x 3 instances, 30 % throttling, 5 % 5xx)`,
      runs: 1,
      crashPoints: 0,
      faultsInjected: faultsInjected(journal),
      invariantsChecked: 3 + OBJECTS,
      violations: violations.length,
      seconds: (Date.now() - started) / 1000,
      notes: `all Ready after ${(readyAfter / 1000).toFixed(0)} s; ${rds.length} RDS calls = ${perInstance.toFixed(1)} per instance (${throttled} throttled, ${serverErrors} 5xx); ${Object.entries(
        byOperation,
      )
        .map(([op, n]) => `${op} ${n}`)
        .join(', ')}`,
    });
    expect(violations).toEqual([]);
    expect(perInstance).toBeLessThan(MAX_CALLS_PER_INSTANCE);
    // The faults really were there.
    expect(throttled).toBeGreaterThan(0);
    expect(serverErrors).toBeGreaterThan(0);
  }, 660_000); // READY_WITHIN_MS, and a minute for the checks
});
