// Read throughput through the router against the baselines an application would otherwise use, in the same
// process, on the same replica, with the same pool size and concurrency. Variants alternate in rounds so that
// drift (caches warming, other load) hits all of them alike. Ratios are from this one run.
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { integer, pgTable, text, withReplicas } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { PostgresCluster, PostgresNode } from '../../test/env/contract.js';
import { createReplicaRouter, type ReplicaRouter, type Session } from '../src/index.js';
import { serverCpuReader } from './server-cpu.js';

const POOL_MAX = 10;
const CONCURRENCY = 20;
const ROUNDS = 10;
const ROUND_MS = 600;
/** Write-then-read pairs vary most from round to round (each write wakes the WAL senders and receivers): more,
 * shorter rounds keep the median ratio within about a percent between runs. */
const CYCLE_ROUNDS = 30;
const ROWS = 1_000;
const TABLE = 'client_bench_items';
const LOOKUP = `SELECT id, note FROM ${TABLE} WHERE id = $1`;

const items = pgTable(TABLE, { id: integer('id').primaryKey(), note: text('note').notNull() });

type Op = (i: number) => Promise<unknown>;

function connection(pgc: PostgresCluster, node: PostgresNode): pg.PoolConfig {
  return { host: node.host, port: node.port, user: pgc.user, password: pgc.password, database: pgc.database, max: POOL_MAX };
}

interface Sample {
  opsPerSecond: number;
  /** This process's CPU time per operation: the client-side cost, which other load on the machine hardly moves. */
  cpuMicros: number;
  /** The PostgreSQL servers' CPU time per operation, where it can be read. */
  serverCpuMicros: number | undefined;
  /** How long each operation took, in milliseconds. */
  latenciesMs: number[];
}

/** Set once the servers are known: their CPU time so far. */
let serverCpu: () => number | undefined = () => undefined;

/** Operations per second of `op` run by CONCURRENCY callers for `ms`, and the CPU they cost this process. */
async function throughput(op: Op, ms: number): Promise<Sample> {
  let done = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  const serverBefore = serverCpu();
  const cpu = process.cpuUsage();
  const latenciesMs: number[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      let i = worker;
      while (performance.now() < deadline) {
        const opStarted = performance.now();
        await op(i);
        latenciesMs.push(performance.now() - opStarted);
        i += CONCURRENCY;
        done++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const serverAfter = serverCpu();
  const serverCpuMicros = serverBefore === undefined || serverAfter === undefined ? undefined : (serverAfter - serverBefore) / done;
  return { opsPerSecond: done / ((performance.now() - started) / 1000), cpuMicros: (used.user + used.system) / done, serverCpuMicros, latenciesMs };
}

/** The value below which `share` of `values` lie (nearest rank). */
function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((p, q) => p - q);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] ?? 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((p, q) => p - q);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 0 ? ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2 : (sorted[Math.floor(mid)] ?? 0);
}

interface Comparison {
  /** Mean ops/s of the baseline and of the candidate. */
  baseline: number;
  candidate: number;
  /** Median over rounds of candidate / baseline measured back to back: robust to load that drifts during the run. */
  ratio: number;
  /** Median CPU microseconds per operation in this process. */
  baselineCpu: number;
  candidateCpu: number;
  /** Median CPU microseconds per operation of the PostgreSQL servers, where it can be read. */
  baselineServerCpu: number | undefined;
  candidateServerCpu: number | undefined;
  /** Every operation's latency over all rounds, in milliseconds. */
  baselineLatenciesMs: number[];
  candidateLatenciesMs: number[];
}

/** Baseline and candidate in adjacent pairs, the order swapped every round so that neither always goes first.
 * `measuring` is called once the warm-up is over, before the first measured round. */
async function compare(baseline: Op, candidate: Op, roundMs = ROUND_MS, rounds = ROUNDS, measuring?: () => void): Promise<Comparison> {
  await throughput(baseline, 300);
  await throughput(candidate, 300);
  measuring?.();
  const ratios: number[] = [];
  const cpuB: number[] = [];
  const cpuC: number[] = [];
  const serverB: number[] = [];
  const serverC: number[] = [];
  const latencyB: number[] = [];
  const latencyC: number[] = [];
  let b = 0;
  let c = 0;
  for (let round = 0; round < rounds; round++) {
    const [first, second] = round % 2 === 0 ? [baseline, candidate] : [candidate, baseline];
    const x = await throughput(first, roundMs);
    const y = await throughput(second, roundMs);
    const [rb, rc] = round % 2 === 0 ? [x, y] : [y, x];
    b += rb.opsPerSecond / rounds;
    c += rc.opsPerSecond / rounds;
    ratios.push(rc.opsPerSecond / rb.opsPerSecond);
    cpuB.push(rb.cpuMicros);
    cpuC.push(rc.cpuMicros);
    if (rb.serverCpuMicros !== undefined) serverB.push(rb.serverCpuMicros);
    if (rc.serverCpuMicros !== undefined) serverC.push(rc.serverCpuMicros);
    for (const ms of rb.latenciesMs) latencyB.push(ms);
    for (const ms of rc.latenciesMs) latencyC.push(ms);
  }
  return {
    baseline: b,
    candidate: c,
    ratio: median(ratios),
    baselineCpu: median(cpuB),
    candidateCpu: median(cpuC),
    baselineServerCpu: serverB.length > 0 ? median(serverB) : undefined,
    candidateServerCpu: serverC.length > 0 ? median(serverC) : undefined,
    baselineLatenciesMs: latencyB,
    candidateLatenciesMs: latencyC,
  };
}

/** Median and 99th percentile latency of the candidate against the baseline. */
function latency(c: Comparison): string {
  const ms = (values: number[], share: number) => percentile(values, share).toFixed(2);
  return (
    `latency p50 ${ms(c.candidateLatenciesMs, 0.5)} vs ${ms(c.baselineLatenciesMs, 0.5)} ms, ` +
    `p99 ${ms(c.candidateLatenciesMs, 0.99)} vs ${ms(c.baselineLatenciesMs, 0.99)} ms`
  );
}

/** Where the cores go per operation: the client and the servers share this machine's, so when they are all busy,
 * throughput follows the inverse of this sum. */
function machineCpu(c: Comparison): string {
  if (c.baselineServerCpu === undefined || c.candidateServerCpu === undefined) return `${cpu(c)}`;
  const base = c.baselineCpu + c.baselineServerCpu;
  const cand = c.candidateCpu + c.candidateServerCpu;
  return (
    `CPU per operation ${cand.toFixed(0)} vs ${base.toFixed(0)} us (client ${c.candidateCpu.toFixed(0)} vs ${c.baselineCpu.toFixed(0)}, ` +
    `servers ${c.candidateServerCpu.toFixed(0)} vs ${c.baselineServerCpu.toFixed(0)}): ${times(base / cand)} as many operations per CPU second`
  );
}

const fmt = (opsPerSecond: number) => `${Math.round(opsPerSecond).toString().padStart(7)} /s`;
const times = (r: number) => `${r.toFixed(3)}x`;
const cpu = (c: Comparison) => `client CPU ${c.candidateCpu.toFixed(0)} vs ${c.baselineCpu.toFixed(0)} us/op`;
const id = (i: number) => (i % ROWS) + 1;

export async function benchClientRouter(pgc: PostgresCluster): Promise<void> {
  const replica = pgc.replicas[0];
  if (!replica) throw new Error('the bench needs a replica');
  const topology = {
    version: 1 as const,
    revision: 1,
    name: 'bench',
    namespace: 'bench',
    database: pgc.database,
    primary: { id: 'primary', host: pgc.primary.host, port: pgc.primary.port },
    // One replica, the same one the raw pool uses: the comparison is the router's cost, not more servers.
    replicas: [{ id: 'replica-1', host: replica.host, port: replica.port, state: 'active' as const }],
    // The local benchmark cluster listens without TLS.
    tls: { mode: 'disable' as const },
    credentialsSecret: 'bench',
    updatedAt: new Date().toISOString(),
  };
  serverCpu = serverCpuReader(pgc);
  const router: ReplicaRouter = await createReplicaRouter({ topology, credentials: { username: pgc.user, password: pgc.password }, pool: { max: POOL_MAX } });
  const rawPrimary = new pg.Pool(connection(pgc, pgc.primary));
  const rawReplica = new pg.Pool(connection(pgc, replica));
  try {
    await router.write(`DROP TABLE IF EXISTS ${TABLE}`);
    await router.write(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, note text NOT NULL)`);
    await router.write(`INSERT INTO ${TABLE} SELECT g, 'item ' || g FROM generate_series(1, ${ROWS}) g`);
    const session: Session = router.session();
    await session.write(`UPDATE ${TABLE} SET note = note WHERE id = 1`);
    // The session's own commit must be on the replica before its reads can go there. The replay check goes first:
    // before the replica has replayed the CREATE TABLE, a plain read of the table fails.
    while (!(await replayed(rawReplica, session.lsn ?? '0/0')) || (await router.read(LOOKUP, [1])).rowCount !== 1) await sleep(20);

    console.log(
      `client router (one replica :${replica.port}, pool max ${POOL_MAX}, ${CONCURRENCY} concurrent callers, ${ROUNDS} x ${ROUND_MS / 1000} s per variant)`,
    );

    const reads = await compare(
      (i) => rawReplica.query(LOOKUP, [id(i)]),
      (i) => router.read(LOOKUP, [id(i)]),
    );
    console.log(`  raw pg.Pool on the replica                ${fmt(reads.baseline)}`);
    console.log(`  router.read()                             ${fmt(reads.candidate)}   ${times(reads.ratio)} of raw (goal >= 0.97x); ${cpu(reads)}`);

    const rawOrm = withReplicas(drizzle({ client: rawPrimary }), [drizzle({ client: rawReplica })]);
    const routedOrm = withReplicas(drizzle({ client: router.writerPool() }), [drizzle({ client: router.readerPool() })]);
    const ormLookup = (db: typeof rawOrm) => (i: number) =>
      db
        .select()
        .from(items)
        .where(eq(items.id, id(i)));
    const orm = await compare(ormLookup(rawOrm), ormLookup(routedOrm));
    console.log(`  drizzle withReplicas, raw pools           ${fmt(orm.baseline)}`);
    console.log(`  drizzle withReplicas, router pools        ${fmt(orm.candidate)}   ${times(orm.ratio)} of drizzle on raw pools; ${cpu(orm)}`);
    const direct = await compare(ormLookup(rawOrm), (i) => router.read(LOOKUP, [id(i)]));
    console.log(`  router.read() vs drizzle withReplicas     ${times(direct.ratio)}`);

    const ryw = await compare(
      (i) => router.read(LOOKUP, [id(i)]),
      (i) => session.read(LOOKUP, [id(i)]),
    );
    console.log(`  session.read() after its write            ${fmt(ryw.candidate)}   ${times(ryw.ratio)} of a plain read (goal >= 0.90x); ${cpu(ryw)}`);

    // A write followed at once by a read of what it wrote. The session learns its commit position with the write
    // and reads from the replica once it is shown to have replayed it (by a check sent with the read, or waiting a
    // few ms at most), else from the primary; the plain pair may read stale data. Each write stores a value of its
    // own so that a read that misses it is counted.
    let written = 0;
    /** A pair's side: its stale reads and how long each step took, to show which one the session lengthens. */
    const side = () => ({ stale: 0, write: [] as number[], read: [] as number[] });
    const plain = side();
    const sessions = side();
    const pair =
      (counts: ReturnType<typeof side>, open: () => Pick<Session, 'write' | 'read'>): Op =>
      async (i) => {
        const note = `w${++written}`;
        const s = open();
        const started = performance.now();
        await s.write(`UPDATE ${TABLE} SET note = $2 WHERE id = $1`, [id(i), note]);
        const wrote = performance.now();
        const { rows } = await s.read<{ note: string }>(LOOKUP, [id(i)]);
        counts.write.push(wrote - started);
        counts.read.push(performance.now() - wrote);
        if (rows[0]?.note !== note) counts.stale++;
      };
    let before = router.stats();
    const cycles = await compare(
      pair(plain, () => router),
      pair(sessions, () => router.session()),
      300,
      CYCLE_ROUNDS,
      () => {
        for (const counts of [plain, sessions]) {
          counts.stale = 0;
          counts.write.length = 0;
          counts.read.length = 0;
        }
        before = router.stats();
      },
    );
    const after = router.stats();
    const onReplica = after.readYourWrites.onReplica - before.readYourWrites.onReplica;
    const afterWait = after.readYourWrites.afterWait - before.readYourWrites.afterWait;
    const checkedWithRead = after.readYourWrites.checkedWithRead - before.readYourWrites.checkedWithRead;
    const discarded = after.readYourWrites.discarded - before.readYourWrites.discarded;
    const onPrimary = (after.endpoints[0]?.readYourWrites ?? 0) - (before.endpoints[0]?.readYourWrites ?? 0);
    const share = onReplica / Math.max(1, onReplica + onPrimary);
    console.log(`  write-then-read, plain (may be stale)     ${fmt(cycles.baseline)}   ${plain.stale} stale reads`);
    console.log(
      `  write-then-read, session (never stale)    ${fmt(cycles.candidate)}   ${times(cycles.ratio)} of plain (goal >= 0.85x); ${sessions.stale} stale reads; ` +
        `${(share * 100).toFixed(1)}% of session reads on the replica (${onReplica}: ${checkedWithRead} proven by the check sent with the read, ${afterWait} after waiting for replay), ${onPrimary} on the primary; ` +
        `${discarded} reads dropped behind a check that did not cover the commit`,
    );
    console.log(`    ${machineCpu(cycles)}`);
    console.log(`    ${latency(cycles)} (${CONCURRENCY} callers sharing pools of ${POOL_MAX})`);
    const ms = (values: number[]) => `${median(values).toFixed(2)} ms`;
    console.log(
      `    by step (median): the write ${ms(sessions.write)} vs ${ms(plain.write)} (the session's with its position query), ` +
        `the read ${ms(sessions.read)} vs ${ms(plain.read)} (the session's with its wait for the replica to replay the write)`,
    );
  } finally {
    await router.write(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
    await Promise.all([router.close(), rawPrimary.end(), rawReplica.end()]);
  }
}

async function replayed(replica: pg.Pool, lsn: string): Promise<boolean> {
  const { rows } = await replica.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]);
  return rows[0]?.ok === true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
