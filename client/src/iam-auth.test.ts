import { describe, expect, it } from 'vitest';
import { resolveCredentials } from './credentials.js';
import { IamTokenSource, loadRdsSigner, SIGNING_GIVEN_UP_MS, TOKEN_LIFETIME_MS, TOKEN_REFRESH_AFTER_MS, type TokenSigner } from './iam-auth.js';

const MINUTE = 60_000;

/** A signer that numbers its tokens and records what it signed for; `fail` makes the next signings throw. */
function fakeSigner() {
  const calls: Array<{ host: string; port: number; username: string; region: string }> = [];
  let fail = false;
  const sign: TokenSigner = async ({ host, port, username, region }) => {
    calls.push({ host, port, username, region });
    if (fail) throw new Error('credentials endpoint unreachable');
    return `token-${calls.length}-${host}:${port}`;
  };
  return { sign, calls, failFromNowOn: () => (fail = true) };
}

function fakeClock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const options = { region: 'us-east-1', username: 'app' };

/** Lets a signing started in the background finish. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('IamTokenSource', () => {
  it('signs once per endpoint and reuses the token until it is 10 minutes old, then signs a new one', async () => {
    const signer = fakeSigner();
    const clock = fakeClock();
    const tokens = new IamTokenSource(options, signer.sign, clock.now);
    const primary = tokens.passwordFor('db.abc.us-east-1.rds.amazonaws.com', 5432);

    expect(await primary()).toBe('token-1-db.abc.us-east-1.rds.amazonaws.com:5432');
    clock.advance(TOKEN_REFRESH_AFTER_MS - 1);
    expect(await primary()).toBe('token-1-db.abc.us-east-1.rds.amazonaws.com:5432');
    clock.advance(1);
    // Due for renewal but still valid: this connection uses it while the new one is signed.
    expect(await primary()).toBe('token-1-db.abc.us-east-1.rds.amazonaws.com:5432');
    await settled();
    expect(await primary()).toBe('token-2-db.abc.us-east-1.rds.amazonaws.com:5432');
    expect(signer.calls).toEqual([
      { host: 'db.abc.us-east-1.rds.amazonaws.com', port: 5432, username: 'app', region: 'us-east-1' },
      { host: 'db.abc.us-east-1.rds.amazonaws.com', port: 5432, username: 'app', region: 'us-east-1' },
    ]);
  });

  it('refreshes well before the 15-minute lifetime ends', () => {
    expect(TOKEN_LIFETIME_MS).toBe(15 * MINUTE);
    expect(TOKEN_REFRESH_AFTER_MS).toBeLessThanOrEqual(TOKEN_LIFETIME_MS - 5 * MINUTE);
  });

  it('signs a separate token for each endpoint', async () => {
    const signer = fakeSigner();
    const tokens = new IamTokenSource(options, signer.sign, fakeClock().now);
    expect(await tokens.passwordFor('primary', 5432)()).toBe('token-1-primary:5432');
    expect(await tokens.passwordFor('replica-1', 5432)()).toBe('token-2-replica-1:5432');
    expect(await tokens.passwordFor('primary', 5432)()).toBe('token-1-primary:5432');
  });

  it('shares one signing between connections opened at the same time', async () => {
    const signer = fakeSigner();
    const tokens = new IamTokenSource(options, signer.sign, fakeClock().now);
    const password = tokens.passwordFor('primary', 5432);
    expect(await Promise.all([password(), password(), password()])).toEqual(['token-1-primary:5432', 'token-1-primary:5432', 'token-1-primary:5432']);
    expect(signer.calls).toHaveLength(1);
  });

  it('keeps using a still-valid token while signing fails, until a minute before it expires, then fails with the user and endpoint', async () => {
    const signer = fakeSigner();
    const clock = fakeClock();
    const tokens = new IamTokenSource(options, signer.sign, clock.now);
    const password = tokens.passwordFor('primary', 5432);
    await password();
    signer.failFromNowOn();
    clock.advance(TOKEN_REFRESH_AFTER_MS);
    expect(await password()).toBe('token-1-primary:5432');
    await settled();
    expect(await password()).toBe('token-1-primary:5432');
    clock.advance(TOKEN_LIFETIME_MS - MINUTE - 1 - TOKEN_REFRESH_AFTER_MS);
    expect(await password()).toBe('token-1-primary:5432');
    clock.advance(1);
    await expect(password()).rejects.toThrow('cannot sign an IAM authentication token for app@primary:5432: credentials endpoint unreachable');
  });

  it('does not hold a connection on a signing that hangs while the token held is still valid', async () => {
    const clock = fakeClock();
    let calls = 0;
    // The first signing answers; every later one never does (a black-holed credentials endpoint).
    const sign: TokenSigner = () => (++calls === 1 ? Promise.resolve('token-1') : new Promise<string>(() => undefined));
    const tokens = new IamTokenSource(options, sign, clock.now);
    const password = tokens.passwordFor('primary', 5432);
    expect(await password()).toBe('token-1');
    clock.advance(TOKEN_REFRESH_AFTER_MS + MINUTE);
    const answer = await Promise.race([password(), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 50))]);
    expect(answer).toBe('token-1');
    expect(calls).toBe(2);
    // Once the signing has gone unanswered for 30 s, the next connection tries again instead of waiting on it.
    expect(SIGNING_GIVEN_UP_MS).toBe(30_000);
    clock.advance(SIGNING_GIVEN_UP_MS - 1);
    await Promise.race([password(), new Promise((resolve) => setTimeout(resolve, 20))]);
    expect(calls).toBe(2);
    clock.advance(1);
    await Promise.race([password(), new Promise((resolve) => setTimeout(resolve, 20))]);
    expect(calls).toBe(3);
  });
});

describe('credentials.iam', () => {
  it('gives each endpoint its own token function and the IAM user', async () => {
    const signer = fakeSigner();
    const creds = await resolveCredentials({ iam: options }, async () => signer.sign);
    expect(creds.user).toBe('app');
    if (!('passwordFor' in creds)) throw new Error('expected per-endpoint passwords');
    expect(await creds.passwordFor('replica-2', 6432)()).toBe('token-1-replica-2:6432');
  });

  it('needs a region and a username', async () => {
    await expect(resolveCredentials({ iam: { region: '', username: 'app' } }, async () => fakeSigner().sign)).rejects.toThrow(/region and a username/);
  });

  it('signs real tokens with @aws-sdk/rds-signer, for the host, port, user and region', async () => {
    const sign = await loadRdsSigner();
    const token = await sign({
      host: 'db.abc.us-east-1.rds.amazonaws.com',
      port: 5432,
      username: 'app',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    });
    const url = new URL(`https://${token}`);
    expect(url.host).toBe('db.abc.us-east-1.rds.amazonaws.com:5432');
    expect(url.searchParams.get('Action')).toBe('connect');
    expect(url.searchParams.get('DBUser')).toBe('app');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/us-east-1\/rds-db\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  });
});
