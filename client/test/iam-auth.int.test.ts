// credentials.iam against the real PostgreSQL cluster. Only the AWS signing is stood in for (no IAM here): the
// stand-in Signer hands out the cluster's password as the "token" and records what it was asked to sign, which
// shows the router signs per endpoint and sends the token as the password of its connections.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createReplicaRouter, type ReplicaRouter } from '../src/index.js';
import { cluster, clusterTopology, WHERE_AM_I, type WhereAmI } from './support.js';

const signed = vi.hoisted(() => ({ requests: [] as Array<{ hostname: string; port: number; username: string; region: string }>, token: '' }));

vi.mock('@aws-sdk/rds-signer', () => ({
  Signer: class {
    constructor(private readonly config: { hostname: string; port: number; username: string; region: string }) {}
    getAuthToken(): Promise<string> {
      signed.requests.push({ hostname: this.config.hostname, port: this.config.port, username: this.config.username, region: this.config.region });
      return Promise.resolve(signed.token);
    }
  },
}));

describe('IAM database authentication', () => {
  const pgc = cluster();
  let db: ReplicaRouter;

  beforeAll(async () => {
    signed.token = pgc.password;
    db = await createReplicaRouter({
      topology: clusterTopology(pgc),
      credentials: { iam: { region: 'eu-west-1', username: pgc.user } },
      lagCheckIntervalMs: 200,
    });
  });

  afterAll(async () => {
    await db?.close();
  });

  it('connects to every endpoint with a token signed for its host and port', async () => {
    expect((await db.write<WhereAmI>(WHERE_AM_I)).rows[0]?.port).toBe(pgc.primary.port);
    for (let i = 0; i < 4; i++) await db.read(WHERE_AM_I);
    const endpoints = new Set(signed.requests.map((r) => `${r.hostname}:${r.port}`));
    expect([...endpoints].sort()).toEqual([pgc.primary, ...pgc.replicas].map((n) => `${n.host}:${n.port}`).sort());
    expect(new Set(signed.requests.map((r) => `${r.username}@${r.region}`))).toEqual(new Set([`${pgc.user}@eu-west-1`]));
    // One token per endpoint serves every connection opened within its ten minutes.
    expect(signed.requests).toHaveLength(endpoints.size);
  });
});
