// A PostgreSQL server that accepts only TLS connections (ssl = on, hostssl-only pg_hba), with a CA and a server
// certificate made by openssl for this run, the way RDS with rds.force_ssl = 1 behaves. Started by the TLS tests
// themselves, beside the shared plaintext cluster, and stopped by them.
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { PostgresNode } from './contract.js';
import { findBinDir, initdb, ownByPostgres } from './postgres.js';
import { freePort, run } from './process.js';

const PART = 'postgresql-tls';
const OS_USER = 'postgres';

export interface TlsPostgres {
  /** Listens on 127.0.0.1, the only name its certificate carries, and on 127.0.0.2, which it does not. */
  node: PostgresNode;
  /** Same server, reached by an address missing from its certificate. */
  misnamedHost: string;
  user: string;
  password: string;
  database: string;
  /** The CA that signed the server certificate. */
  caFile: string;
  /** A CA that signed nothing this server presents. */
  otherCaFile: string;
  stop(): Promise<void>;
}

export async function startTlsPostgres(logDir: string): Promise<TlsPostgres> {
  const logFile = join(logDir, 'postgresql-tls.log');
  const bin = await findBinDir(logFile);
  const root = await mkdtemp(join(tmpdir(), 'rsdb-pgtls-'));
  await chmod(root, 0o755);
  await ownByPostgres(root);
  const dataDir = join(root, 'data');
  const certs = join(root, 'certs');
  const openssl = (step: string, args: string[]) => run('openssl', args, { part: PART, step, logFile, cwd: root });
  let started = false;
  const stop = async () => {
    if (started) {
      await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], {
        part: PART,
        step: 'pg_ctl stop',
        logFile,
        asUser: OS_USER,
      }).catch(() => undefined);
    }
    await rm(root, { recursive: true, force: true });
  };

  try {
    await mkdir(certs);
    const ca = join(certs, 'ca.pem');
    const otherCa = join(certs, 'other-ca.pem');
    for (const [name, file] of [
      ['rsdb test CA', ca],
      ['rsdb unrelated CA', otherCa],
    ] as const) {
      await openssl(`make ${name}`, [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        file.replace('.pem', '.key'),
        '-out',
        file,
      ]);
    }
    const serverKey = join(certs, 'server.key');
    const serverCert = join(certs, 'server.pem');
    const csr = join(certs, 'server.csr');
    const ext = join(certs, 'server.ext');
    await writeFile(ext, 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n');
    await openssl('make server key', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', serverKey, '-out', csr]);
    await openssl('sign server certificate', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca,
      '-CAkey',
      ca.replace('.pem', '.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      serverCert,
    ]);
    // PostgreSQL refuses a key file that others can read.
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', OS_USER]).toString().trim());
      await chown(serverKey, uid, 0);
      await chown(serverCert, uid, 0);
    }
    await chmod(serverKey, 0o600);
    await chmod(certs, 0o755);

    const password = randomBytes(12).toString('hex');
    const pwFile = join(root, 'pwfile');
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    await ownByPostgres(pwFile);
    await initdb({ bin, dataDir, pwFile, part: PART, logFile });
    const port = await freePort();
    const conf = [
      `listen_addresses = '127.0.0.1,127.0.0.2'`,
      `port = ${port}`,
      `unix_socket_directories = '${dataDir}'`,
      `ssl = on`,
      `ssl_cert_file = '${serverCert}'`,
      `ssl_key_file = '${serverKey}'`,
      `fsync = off`,
      '',
    ].join('\n');
    await writeFile(join(dataDir, 'postgresql.auto.conf'), conf);
    // Only hostssl: a plaintext TCP connection matches no line and is refused, as on RDS with rds.force_ssl = 1.
    await writeFile(join(dataDir, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.0/8 scram-sha-256\n');
    await ownByPostgres(join(dataDir, 'postgresql.auto.conf'));
    await ownByPostgres(join(dataDir, 'pg_hba.conf'));
    await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-w', '-t', '60', 'start'], {
      part: PART,
      step: 'pg_ctl start',
      logFile,
      asUser: OS_USER,
    });
    started = true;
    return {
      node: { host: '127.0.0.1', port, dataDir },
      misnamedHost: '127.0.0.2',
      user: 'postgres',
      password,
      database: 'postgres',
      caFile: ca,
      otherCaFile: otherCa,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
