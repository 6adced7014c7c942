// The realistic RDS layer against moto, driven by the real AWS SDK: timed transitions, faults, holds, the journal.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RDS, type CreateDBInstanceCommandInput, type DBInstance } from '@aws-sdk/client-rds';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { awsClientConfig, eventually, testEnv } from '../helpers.js';
import { RealisticRds } from './proxy.js';

const PASSWORD = 'layer-test-password-1';

describe('realistic RDS layer (proxy in front of moto)', () => {
  let world: RealisticRds;
  let rds: RDS;

  beforeAll(async () => {
    world = await RealisticRds.start(testEnv().aws.endpoint);
    // One attempt: the test sees exactly what the layer answered.
    rds = new RDS({ ...awsClientConfig(), endpoint: world.endpoint, maxAttempts: 1, userAgentAppId: 'layer-test' });
  });
  afterAll(async () => {
    await world.close();
  });
  beforeEach(async () => {
    await world.reset();
  });

  const createPrimary = (id: string, extra: Partial<CreateDBInstanceCommandInput> = {}) =>
    rds.createDBInstance({
      DBInstanceIdentifier: id,
      Engine: 'postgres',
      EngineVersion: '15.4',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'app',
      MasterUserPassword: PASSWORD,
      ...extra,
    });
  const describeOne = async (id: string): Promise<DBInstance | undefined> =>
    (await rds.describeDBInstances({ Filters: [{ Name: 'db-instance-id', Values: [id] }] })).DBInstances?.[0];
  /** The instance once it is available again with a change applied (polled every 100 ms, for up to 10 s). */
  const appliedOn = (id: string) =>
    eventually(
      'applied',
      async () => {
        const db = await describeOne(id);
        return db?.DBInstanceStatus === 'available' ? db : undefined;
      },
      10_000,
      100,
    );
  const statusOf = async (id: string) => (await describeOne(id))?.DBInstanceStatus;
  const errorOf = async (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (err: { name?: string; $metadata?: { httpStatusCode?: number } }) => `${err.name} ${err.$metadata?.httpStatusCode}`,
    );

  it('takes a create through creating (no endpoint) and backing-up to available, and refuses what RDS refuses meanwhile', async () => {
    world.configure({ durations: { creatingMs: 4_000, backingUpMs: 2_000 } });
    const created = await createPrimary('layer-a');
    expect(created.DBInstance?.DBInstanceStatus).toBe('creating');
    const early = await describeOne('layer-a');
    expect(early?.DBInstanceStatus).toBe('creating');
    expect(early?.Endpoint).toBeUndefined();
    expect(await errorOf(rds.modifyDBInstance({ DBInstanceIdentifier: 'layer-a', DBInstanceClass: 'db.t3.small', ApplyImmediately: true }))).toBe(
      'InvalidDBInstanceStateFault 400',
    );
    expect(await errorOf(rds.createDBInstanceReadReplica({ DBInstanceIdentifier: 'layer-a-1', SourceDBInstanceIdentifier: 'layer-a' }))).toBe(
      'InvalidDBInstanceStateFault 400',
    );
    await eventually('backing-up', async () => ((await statusOf('layer-a')) === 'backing-up' ? true : undefined), 10_000, 100);
    expect((await describeOne('layer-a'))?.Endpoint?.Port).toBe(5432);
    await eventually('available', async () => ((await statusOf('layer-a')) === 'available' ? true : undefined), 10_000, 100);
  });

  it('shows an immediate change as modifying with its pending values, then applies it', async () => {
    world.configure({ durations: { modifyingMs: 1_500 } });
    await createPrimary('layer-b');
    const answer = await rds.modifyDBInstance({ DBInstanceIdentifier: 'layer-b', DBInstanceClass: 'db.t3.small', ApplyImmediately: true });
    expect(answer.DBInstance?.PendingModifiedValues?.DBInstanceClass).toBe('db.t3.small');
    const during = await describeOne('layer-b');
    expect(during).toMatchObject({ DBInstanceStatus: 'modifying', DBInstanceClass: 'db.t3.micro', PendingModifiedValues: { DBInstanceClass: 'db.t3.small' } });
    const after = await appliedOn('layer-b');
    expect(after.DBInstanceClass).toBe('db.t3.small');
    expect(after.PendingModifiedValues?.DBInstanceClass).toBeUndefined();
  });

  it('never answers with the old values and available while a due change is being applied', async () => {
    world.configure({ durations: { modifyingMs: 1_000 } });
    await createPrimary('layer-e');
    await rds.modifyDBInstance({ DBInstanceIdentifier: 'layer-e', DBInstanceClass: 'db.t3.small', ApplyImmediately: true });
    await new Promise((r) => setTimeout(r, 1_100));
    // The first of these applies the change on the emulator; others may arrive while it is being applied.
    const answers = await Promise.all(Array.from({ length: 8 }, () => describeOne('layer-e')));
    for (const db of answers) {
      // Modifying (with either class: the emulator may have had the change when it was read), else done.
      if (db?.DBInstanceStatus !== 'modifying') expect(db).toMatchObject({ DBInstanceStatus: 'available', DBInstanceClass: 'db.t3.small' });
    }
  });

  it('keeps a change without ApplyImmediately pending until the maintenance window comes', async () => {
    world.configure({ durations: { modifyingMs: 1_000 } });
    await createPrimary('layer-c');
    await rds.modifyDBInstance({ DBInstanceIdentifier: 'layer-c', AllocatedStorage: 40, ApplyImmediately: false });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await describeOne('layer-c')).toMatchObject({
      DBInstanceStatus: 'available',
      AllocatedStorage: 20,
      PendingModifiedValues: { AllocatedStorage: 40 },
    });
    expect(world.maintenanceWindow('layer-c')).toBe(1);
    expect(await statusOf('layer-c')).toBe('modifying');
    const after = await appliedOn('layer-c');
    expect(after.AllocatedStorage).toBe(40);
  });

  it('lists a deleted instance as deleting for a while, with its final snapshot creating', async () => {
    world.configure({ durations: { deletingMs: 2_000, snapshotCreatingMs: 2_000, rebootingMs: 500 } });
    await createPrimary('layer-d');
    await rds.rebootDBInstance({ DBInstanceIdentifier: 'layer-d' });
    expect(await statusOf('layer-d')).toBe('rebooting');
    await eventually('rebooted', async () => ((await statusOf('layer-d')) === 'available' ? true : undefined), 10_000, 100);
    const deleted = await rds.deleteDBInstance({ DBInstanceIdentifier: 'layer-d', SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: 'layer-d-final' });
    expect(deleted.DBInstance?.DBInstanceStatus).toBe('deleting');
    expect(await statusOf('layer-d')).toBe('deleting');
    expect((await rds.describeDBInstances({ DBInstanceIdentifier: 'layer-d' })).DBInstances?.[0]?.DBInstanceStatus).toBe('deleting');
    expect((await rds.describeDBInstances({})).DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['layer-d']);
    expect((await rds.describeDBSnapshots({ DBSnapshotIdentifier: 'layer-d-final' })).DBSnapshots?.[0]?.Status).toBe('creating');
    expect(await errorOf(createPrimary('layer-d'))).toBe('DBInstanceAlreadyExistsFault 400');
    expect(await errorOf(rds.deleteDBInstance({ DBInstanceIdentifier: 'layer-d', SkipFinalSnapshot: true }))).toBe('InvalidDBInstanceStateFault 400');
    await eventually('gone', async () => ((await describeOne('layer-d')) === undefined ? true : undefined), 10_000, 100);
    expect((await rds.describeDBSnapshots({ DBSnapshotIdentifier: 'layer-d-final' })).DBSnapshots?.[0]?.Status).toBe('available');
  });

  it('throttles, fails with 5xx, adds latency and answers scripted errors as configured', async () => {
    world.configure({ faults: { throttleRate: 1 } });
    expect(await errorOf(rds.describeDBInstances({}))).toBe('Throttling 400');
    world.configure({ faults: { serverErrorRate: 1 } });
    expect(await errorOf(rds.describeDBInstances({}))).toMatch(/^(InternalFailure 500|ServiceUnavailable 503)$/);
    world.configure({ faults: { latencyMs: { DescribeDBInstances: 700 } } });
    const started = Date.now();
    await rds.describeDBInstances({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    world.configure({
      faults: {
        scripted: [
          { operation: 'CreateDBInstance', code: 'InsufficientDBInstanceCapacity', match: { DBInstanceClass: 'db.r6g.large' } },
          { operation: 'CreateDBInstance', code: 'InstanceQuotaExceeded', match: { DBInstanceIdentifier: 'layer-quota' } },
          { operation: 'CreateDBInstance', code: 'KMSKeyNotAccessibleFault', match: { DBInstanceIdentifier: 'layer-kms' } },
          { operation: 'CreateDBInstance', code: 'DBSubnetGroupNotFoundFault', match: { DBInstanceIdentifier: 'layer-subnet' } },
          { operation: 'DeleteDBInstance', code: 'AccessDenied' },
        ],
      },
    });
    expect(await errorOf(createPrimary('layer-e', { DBInstanceClass: 'db.r6g.large' }))).toBe('InsufficientDBInstanceCapacityFault 400');
    expect(await errorOf(createPrimary('layer-quota'))).toBe('InstanceQuotaExceededFault 400');
    expect(await errorOf(createPrimary('layer-kms'))).toBe('KMSKeyNotAccessibleFault 400');
    expect(await errorOf(createPrimary('layer-subnet'))).toBe('DBSubnetGroupNotFoundFault 404');
    await createPrimary('layer-e');
    expect(await errorOf(rds.deleteDBInstance({ DBInstanceIdentifier: 'layer-e', SkipFinalSnapshot: true }))).toBe('AccessDenied 403');
    // None of the refused creates reached the emulator.
    expect((await rds.describeDBInstances({})).DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['layer-e']);
  });

  it('journals every call with its process and outcome, keeping the master password out of it', async () => {
    world.configure({ faults: { scripted: [{ operation: 'DescribeDBInstances', code: 'Throttling', times: 1 }] } });
    await createPrimary('layer-f');
    expect(await errorOf(rds.describeDBInstances({}))).toBe('Throttling 400');
    await describeOne('layer-f');
    expect(world.journal.map((e) => [e.operation, e.outcome, e.injected, e.process, e.executed])).toEqual([
      ['CreateDBInstance', 'ok', undefined, 'layer-test', true],
      ['DescribeDBInstances', 'Throttling', 'scripted', 'layer-test', false],
      ['DescribeDBInstances', 'ok', undefined, 'layer-test', true],
    ]);
    expect(world.journal[0]!.identifiers).toEqual(['layer-f']);
    expect(world.journal[2]!.identifiers).toEqual(['layer-f']);
    expect(world.masterPasswordOf('layer-f')).toBe(PASSWORD);
    expect(JSON.stringify(world.journal)).not.toContain(PASSWORD);
  });

  it("holds a call before it is sent or after it ran, and drops it on the test's word", async () => {
    const before = world.hold('CreateDBInstance', 'before');
    const unsent = createPrimary('layer-g');
    const heldBefore = await before;
    expect(heldBefore.identifiers).toEqual(['layer-g']);
    heldBefore.drop();
    expect(await errorOf(unsent)).not.toBe('ok');
    expect(await describeOne('layer-g')).toBeUndefined();

    const after = world.hold('CreateDBInstance', 'after');
    const ran = createPrimary('layer-h');
    (await after).drop();
    expect(await errorOf(ran)).not.toBe('ok');
    // RDS executed it although the caller never heard back.
    expect(await statusOf('layer-h')).toBe('available');
    // The nth call of an operation, from one process only.
    const second = world.hold('DescribeDBInstances', 'after', { nth: 2, process: 'layer-test' });
    await describeOne('layer-g');
    const secondCall = describeOne('layer-h');
    const heldSecond = await second;
    expect(heldSecond.identifiers).toEqual(['layer-h']);
    heldSecond.release();
    expect((await secondCall)?.DBInstanceIdentifier).toBe('layer-h');

    expect(world.journal.filter((e) => e.operation === 'CreateDBInstance').map((e) => [e.identifiers[0], e.outcome, e.executed, e.dropped])).toEqual([
      ['layer-g', 'dropped', false, true],
      ['layer-h', 'ok', true, true],
    ]);
  });

  it('passes CloudWatch calls through untouched', async () => {
    const cw = new CloudWatchClient({ ...awsClientConfig(), endpoint: world.endpoint, maxAttempts: 1 });
    const now = new Date();
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - 600_000),
        EndTime: now,
        MetricDataQueries: [
          {
            Id: 'lag',
            MetricStat: {
              Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'x' }] },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    expect(out.MetricDataResults?.[0]?.Id).toBe('lag');
    expect(world.journal.at(-1)).toMatchObject({ operation: expect.stringMatching(/^other /), executed: true });
  });
});
