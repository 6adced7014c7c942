// A real PostgreSQL primary with streaming replicas (initdb + pg_basebackup -R), from Debian's packages, run as
// the unprivileged `postgres` user on random loopback ports. Data lives in a fresh temporary folder per run.
import { chmod, chown, mkdtemp, readdir, rm, writeFile, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PostgresCluster, PostgresNode } from './contract.js';
import { aptInstall } from './apt.js';
import { EnvError, freePort, run, waitUntil } from './process.js';

const PART = 'postgresql';
const OS_USER = 'postgres';

export interface StartedPostgres {
  cluster: PostgresCluster;
  stop(): Promise<void>;
}

export async function findBinDir(logFile: string): Promise<string> {
  const locate = async () => {
    if (!existsSync('/usr/lib/postgresql')) return undefined;
    const versions = (await readdir('/usr/lib/postgresql')).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => existsSync(join(dir, 'initdb')));
    return found;
  };
  const existing = await locate();
  if (existing) return existing;
  await aptInstall(PART, ['postgresql'], logFile);
  const installed = await locate();
  if (!installed) throw new EnvError(PART, 'locate initdb', logFile, 'postgresql installed but no initdb found');
  return installed;
}

function osUserExists(user: string): boolean {
  try {
    execFileSync('id', ['-u', user], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function ownByPostgres(path: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', OS_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', OS_USER]).toString().trim());
  await chown(path, uid, gid);
}

interface NodeHandle {
  node: PostgresNode;
  bin: string;
  logFile: string;
}

const handles = new Map<string, NodeHandle>();

function key(node: PostgresNode): string {
  return `${node.host}:${node.port}`;
}

async function pgCtl(h: NodeHandle, action: 'start' | 'stop'): Promise<void> {
  const args =
    action === 'start'
      ? ['-D', h.node.dataDir, '-l', join(h.node.dataDir, 'server.log'), '-w', '-t', '60', 'start']
      : ['-D', h.node.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'];
  await run(join(h.bin, 'pg_ctl'), args, { part: PART, step: `pg_ctl ${action} (port ${h.node.port})`, logFile: h.logFile, asUser: OS_USER });
}

/** Stops one node (fast shutdown); tests that stop a replica start it again with startPostgresNode. */
/** A new data folder owned by the postgres user: superuser postgres with the password in `pwFile` over TCP, trust
 * on the local socket. `part` names the environment part in errors and logs. */
export async function initdb(options: { bin: string; dataDir: string; pwFile: string; part: string; logFile: string }): Promise<void> {
  const args = [
    '-D',
    options.dataDir,
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--no-sync',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    `--pwfile=${options.pwFile}`,
  ];
  await run(join(options.bin, 'initdb'), args, { part: options.part, step: 'initdb', logFile: options.logFile, asUser: OS_USER });
}

export async function stopPostgresNode(node: PostgresNode): Promise<void> {
  const h = handles.get(key(node));
  if (!h) throw new Error(`unknown PostgreSQL node ${key(node)} (only nodes started in this process can be controlled)`);
  await pgCtl(h, 'stop');
}

export async function startPostgresNode(node: PostgresNode): Promise<void> {
  const h = handles.get(key(node));
  if (!h) throw new Error(`unknown PostgreSQL node ${key(node)} (only nodes started in this process can be controlled)`);
  await pgCtl(h, 'start');
}

/** Registers a node started by another process (the global setup) so that a test worker can stop and start it. */
export async function adoptPostgresNodes(cluster: PostgresCluster, logFile: string): Promise<void> {
  const bin = await findBinDir(logFile);
  for (const node of [cluster.primary, ...cluster.replicas]) handles.set(key(node), { node, bin, logFile });
}

export async function startPostgresCluster(opts: { replicas?: number; logDir: string; database?: string }): Promise<StartedPostgres> {
  const replicaCount = opts.replicas ?? 2;
  const logFile = join(opts.logDir, 'postgresql.log');
  const bin = await findBinDir(logFile);
  if (process.getuid?.() === 0 && !osUserExists(OS_USER)) {
    await run('useradd', ['--system', '--home-dir', '/var/lib/postgresql', '--shell', '/bin/bash', OS_USER], { part: PART, step: 'create os user', logFile });
  }
  const root = await mkdtemp(join(tmpdir(), 'rsdb-pg-'));
  await chmod(root, 0o755);
  await ownByPostgres(root);
  const password = randomBytes(12).toString('hex');
  const pwFile = join(root, 'pwfile');
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  await ownByPostgres(pwFile);

  const started: NodeHandle[] = [];
  const stop = async () => {
    for (const h of [...started].reverse()) {
      await pgCtl(h, 'stop').catch(() => undefined);
      handles.delete(key(h.node));
    }
    await rm(root, { recursive: true, force: true });
  };

  try {
    const primaryDir = join(root, 'primary');
    await initdb({ bin, dataDir: primaryDir, pwFile, part: PART, logFile });
    const primaryPort = await freePort();
    // Socket directory inside the data folder: /var/run/postgresql may not exist or be writable.
    await appendFile(
      join(primaryDir, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${primaryPort}`,
        `unix_socket_directories = '${primaryDir}'`,
        `wal_level = replica`,
        `max_wal_senders = 10`,
        `wal_keep_size = '512MB'`,
        `hot_standby = on`,
        `hot_standby_feedback = on`,
        `wal_receiver_status_interval = '1s'`,
        `max_connections = 200`,
        `fsync = off`,
        `full_page_writes = off`,
        '',
      ].join('\n'),
    );
    await appendFile(join(primaryDir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n');
    const primary: PostgresNode = { host: '127.0.0.1', port: primaryPort, dataDir: primaryDir };
    const primaryHandle = { node: primary, bin, logFile };
    handles.set(key(primary), primaryHandle);
    await pgCtl(primaryHandle, 'start');
    started.push(primaryHandle);

    const database = opts.database ?? 'app';
    await run(
      join(bin, 'psql'),
      ['-h', primaryDir, '-p', String(primaryPort), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${database}`],
      {
        part: PART,
        step: 'create database',
        logFile,
        asUser: OS_USER,
      },
    );

    const replicas: PostgresNode[] = [];
    for (let i = 1; i <= replicaCount; i++) {
      const dir = join(root, `replica${i}`);
      await run(
        join(bin, 'pg_basebackup'),
        ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', dir, '-R', '-X', 'stream', '--no-sync', '-c', 'fast'],
        {
          part: PART,
          step: `pg_basebackup replica ${i}`,
          logFile,
          asUser: OS_USER,
          env: { PGPASSWORD: password },
        },
      );
      const port = await freePort();
      await appendFile(join(dir, 'postgresql.conf'), `port = ${port}\nunix_socket_directories = '${dir}'\n`);
      const node: PostgresNode = { host: '127.0.0.1', port, dataDir: dir };
      const h = { node, bin, logFile };
      handles.set(key(node), h);
      await pgCtl(h, 'start');
      started.push(h);
      replicas.push(node);
    }

    const cluster: PostgresCluster = { primary, replicas, user: 'postgres', password, database };
    const client = new pg.Client({ host: primary.host, port: primary.port, user: 'postgres', password, database });
    await client.connect();
    try {
      await waitUntil(
        async () => {
          const res = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_replication WHERE state = 'streaming'`);
          return Number(res.rows[0]?.n) === replicaCount;
        },
        { part: PART, step: 'wait for streaming replicas', logFile, timeoutMs: 60_000 },
      );
    } finally {
      await client.end();
    }
    return { cluster, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
