// TLS against a real PostgreSQL that, like RDS with rds.force_ssl = 1, accepts only encrypted connections.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsPostgres, type TlsPostgres } from '../../test/env/postgres-tls.js';
import { testEnv } from '../../test/env/helpers.js';
import { createReplicaRouter, type ReplicaRouter, type ReplicaRouterOptions, type TopologyInput } from '../src/index.js';
import { aTopology } from './fixtures.js';

describe('TLS to the endpoints', () => {
  let server: TlsPostgres;
  let scratch: string;
  const routers: ReplicaRouter[] = [];

  beforeAll(async () => {
    server = await startTlsPostgres(testEnv().logDir);
    scratch = await mkdtemp(join(tmpdir(), 'rsdb-tls-test-'));
  });

  afterAll(async () => {
    await Promise.all(routers.map((r) => r.close()));
    await server?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const topology = (overrides: { host?: string; tls?: TopologyInput['tls'] } = {}): TopologyInput => {
    const { tls, ...rest } = aTopology({
      name: 'tls',
      database: server.database,
      primary: { id: 'tls-primary', host: overrides.host ?? server.node.host, port: server.node.port },
      replicas: [],
    });
    void tls;
    return overrides.tls === undefined ? rest : { ...rest, tls: overrides.tls };
  };

  const router = async (options: Omit<ReplicaRouterOptions, 'credentials'>): Promise<ReplicaRouter> => {
    const r = await createReplicaRouter({ credentials: { username: server.user, password: server.password }, ...options });
    r.on('error', () => undefined);
    routers.push(r);
    return r;
  };

  const encrypted = (r: ReplicaRouter) => r.write<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()').then((res) => res.rows[0]?.ssl);

  it('connects with verified TLS when the topology says nothing (verify-full by default) and the CA comes from a file', async () => {
    const db = await router({ topology: topology(), tls: { caFile: server.caFile } });
    expect(await encrypted(db)).toBe(true);
  });

  it('takes the CA bundle from a mounted ConfigMap directory, as the kubelet lays it out', async () => {
    const mount = join(scratch, 'ca-mount');
    const data = join(mount, '..2026_12_01_00_00_00.000000001');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'global-bundle.pem'), readFileSync(server.caFile));
    await symlink('..2026_12_01_00_00_00.000000001', join(mount, '..data'));
    await symlink(join('..data', 'global-bundle.pem'), join(mount, 'global-bundle.pem'));
    const db = await router({ topology: topology({ tls: { mode: 'verify-full' } }), tls: { caDirectory: mount } });
    expect(await encrypted(db)).toBe(true);
  });

  it('refuses a server whose certificate another CA signed, naming the endpoint and the reason', async () => {
    const db = await router({ topology: topology(), tls: { caFile: server.otherCaFile } });
    const err = await db.write('SELECT 1').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe('TlsConnectionError');
    expect(err?.message).toContain(`primary tls-primary (${server.node.host}:${server.node.port})`);
    expect(err?.message).toContain(`not signed by a CA in the bundle ${server.otherCaFile}`);
  });

  it('refuses a host name the certificate does not carry, naming the endpoint and the reason', async () => {
    const db = await router({ topology: topology({ host: server.misnamedHost }), tls: { caFile: server.caFile } });
    const err = await db.write('SELECT 1').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe('TlsConnectionError');
    expect(err?.message).toContain(`primary tls-primary (${server.misnamedHost}:${server.node.port})`);
    expect(err?.message).toContain('not issued for this host name');
  });

  it('a server that requires TLS refuses a plaintext client, and the error says how to turn TLS on', async () => {
    const db = await router({ topology: topology({ tls: { mode: 'disable' } }) });
    const err = await db.write('SELECT 1').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('accepts only TLS connections');
    expect(err?.message).toContain('spec.endpoints.tlsMode');
    expect(err?.message).toContain('tls.caFile');
  });

  it('fails at start, naming the option, when verify-full has no CA bundle', async () => {
    await expect(createReplicaRouter({ topology: topology(), credentials: { username: server.user, password: server.password } })).rejects.toThrow(
      /verify-full.*tls\.caFile.*tls\.caDirectory/,
    );
  });

  it('keeps the endpoints in use when a new revision asks for verify-full and the router has no CA bundle, and says so once', async () => {
    const file = join(scratch, 'topology.json');
    const write = (revision: number, mode: 'require' | 'verify-full') => writeFile(file, JSON.stringify({ ...topology({ tls: { mode } }), revision }));
    await write(1, 'require');
    const db = await router({ topologyFile: file, topologyPollIntervalMs: 50 });
    const errors: Error[] = [];
    db.on('error', (err) => errors.push(err));
    await write(2, 'verify-full');
    const deadline = Date.now() + 10_000;
    while (errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    // Several more polls of the same document.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^topology revision 2 not applied: .*tls\.caFile/)]);
    expect(db.topology.revision).toBe(1);
    expect(await encrypted(db)).toBe(true);
    // A document that was not applied is not a revision taken: it is counted once as unusable, however often read.
    expect(db.stats().topology).toMatchObject({ revision: 1, reloads: 0, epochChanges: 0, rejected: 1 });
  });

  it('stays able to take its own epoch back after refusing a document of a new one', async () => {
    const file = join(scratch, 'topology-epochs.json');
    const write = (epoch: string, revision: number, mode: 'require' | 'verify-full') =>
      writeFile(file, JSON.stringify({ ...topology({ tls: { mode } }), epoch, revision }));
    await write('epoch-a', 1, 'require');
    const db = await router({ topologyFile: file, topologyPollIntervalMs: 50 });
    await write('epoch-b', 1, 'verify-full');
    const refusedBy = Date.now() + 10_000;
    while (db.stats().topology.rejected === 0 && Date.now() < refusedBy) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(db.stats().topology.rejected).toBe(1);
    // The refused epoch was never in effect, so the router has not left its own: a newer revision of it is taken.
    await write('epoch-a', 2, 'require');
    const takenBy = Date.now() + 10_000;
    while (db.topology.revision !== 2 && Date.now() < takenBy) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(db.stats().topology).toMatchObject({ epoch: 'epoch-a', revision: 2, reloads: 1, epochChanges: 0 });
  });

  it('with a CA bundle given, require still checks that the bundle signed the certificate (not the host name)', async () => {
    const trusted = await router({ topology: topology({ host: server.misnamedHost, tls: { mode: 'require' } }), tls: { caFile: server.caFile } });
    expect(await encrypted(trusted)).toBe(true);
    const untrusted = await router({ topology: topology({ tls: { mode: 'require' } }), tls: { caFile: server.otherCaFile } });
    const err = await untrusted.write('SELECT 1').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe('TlsConnectionError');
    expect(err?.message).toContain(`not signed by a CA in the bundle ${server.otherCaFile}`);
  });

  it('with a CA bundle given, refuses a topology that turns TLS off, at start and on reload', async () => {
    await expect(
      createReplicaRouter({
        topology: topology({ tls: { mode: 'disable' } }),
        tls: { caFile: server.caFile },
        credentials: { username: server.user, password: server.password },
      }),
    ).rejects.toThrow(/TLS mode disable.*tls\.caFile/);
    const file = join(scratch, 'topology-downgrade.json');
    const write = (revision: number, mode: 'verify-full' | 'disable') => writeFile(file, JSON.stringify({ ...topology({ tls: { mode } }), revision }));
    await write(1, 'verify-full');
    const db = await router({ topologyFile: file, topologyPollIntervalMs: 50, tls: { caFile: server.caFile } });
    await write(2, 'disable');
    const deadline = Date.now() + 10_000;
    while (db.stats().topology.rejected === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(db.stats().topology).toMatchObject({ revision: 1, rejected: 1 });
    expect(await encrypted(db)).toBe(true);
  });

  it('require encrypts without checking the certificate', async () => {
    const db = await router({ topology: topology({ host: server.misnamedHost, tls: { mode: 'require' } }) });
    expect(await encrypted(db)).toBe(true);
  });
});
