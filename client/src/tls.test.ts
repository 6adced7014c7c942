import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../test/temp-dir.js';
import { assertTlsUsable, explainTlsError, resolveTls, sslConfig, TlsConnectionError } from './tls.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('resolveTls', () => {
  const dir = useTempDir('rsdb-tls-');

  it('reads nothing when no CA is given', async () => {
    expect(await resolveTls(undefined)).toEqual({ ca: undefined, source: undefined });
  });

  it('reads the *.pem and *.crt keys of a mounted directory and skips the rest', async () => {
    await writeFile(join(dir(), 'global-bundle.pem'), PEM);
    await writeFile(join(dir(), 'extra.crt'), PEM.replace('MIIB', 'MIIC'));
    await writeFile(join(dir(), 'README'), 'not a certificate');
    const tls = await resolveTls({ caDirectory: dir() });
    expect(tls.source).toBe(dir());
    expect(tls.ca).toContain('MIIB');
    expect(tls.ca).toContain('MIIC');
    expect(tls.ca).not.toContain('not a certificate');
  });

  it('names the file or directory that cannot be used', async () => {
    await expect(resolveTls({ caFile: join(dir(), 'missing.pem') })).rejects.toThrow(join(dir(), 'missing.pem'));
    await writeFile(join(dir(), 'empty.pem'), 'nothing');
    await expect(resolveTls({ caFile: join(dir(), 'empty.pem') })).rejects.toThrow(/holds no PEM certificate/);
    await expect(resolveTls({ caDirectory: dir() })).rejects.toThrow(/holds no PEM certificate/);
    await expect(resolveTls({ caFile: 'a', caDirectory: 'b' })).rejects.toThrow(TypeError);
  });
});

describe('assertTlsUsable and sslConfig', () => {
  const none = { ca: undefined, source: undefined };
  const bundle = { ca: PEM, source: '/etc/ca' };

  it('needs a CA for verify-full unless the application set pool.ssl itself', () => {
    expect(() => assertTlsUsable('verify-full', none, undefined)).toThrow(/tls\.caFile/);
    expect(() => assertTlsUsable('verify-full', bundle, undefined)).not.toThrow();
    expect(() => assertTlsUsable('verify-full', none, { ca: PEM })).not.toThrow();
    expect(() => assertTlsUsable('require', none, undefined)).not.toThrow();
    expect(() => assertTlsUsable('disable', none, undefined)).not.toThrow();
  });

  it('refuses to turn TLS off when the application gave a CA bundle, unless it set pool.ssl itself', () => {
    expect(() => assertTlsUsable('disable', bundle, undefined)).toThrow(/TLS mode disable.*\/etc\/ca/);
    expect(() => assertTlsUsable('disable', bundle, false)).not.toThrow();
    expect(() => assertTlsUsable('require', bundle, undefined)).not.toThrow();
  });

  it('maps each mode to the node-postgres ssl setting', () => {
    expect(sslConfig('verify-full', bundle)).toEqual({ rejectUnauthorized: true, ca: PEM });
    // A bundle given still vouches for the certificate under require; only the host name is not checked.
    const required = sslConfig('require', bundle) as { rejectUnauthorized: boolean; ca: string; checkServerIdentity: () => unknown };
    expect(required).toMatchObject({ rejectUnauthorized: true, ca: PEM });
    expect(required.checkServerIdentity()).toBeUndefined();
    expect(sslConfig('require', none)).toEqual({ rejectUnauthorized: false });
    expect(sslConfig('disable', none)).toBe(false);
  });
});

describe('explainTlsError', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('names the endpoint and the reason for an untrusted certificate and a wrong host name', () => {
    const untrusted = explainTlsError(
      withCode('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      'primary p (h:5432)',
      'verify-full',
      '/ca',
    );
    expect(untrusted).toBeInstanceOf(TlsConnectionError);
    expect((untrusted as Error).message).toMatch(/^cannot connect to primary p \(h:5432\): the server certificate is not signed by a CA in the bundle \/ca/);
    expect((untrusted as TlsConnectionError).code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    const misnamed = explainTlsError(
      withCode("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'),
      'replica r (h:1)',
      'verify-full',
      '/ca',
    );
    expect((misnamed as Error).message).toContain('not issued for this host name');
  });

  it('tells how to turn TLS on when a TLS-only server refuses a plaintext client', () => {
    const refused = withCode('no pg_hba.conf entry for host "10.0.0.1", user "app", database "app", no encryption', '28000');
    expect((explainTlsError(refused, 'primary p (h:1)', 'disable', undefined) as Error).message).toContain('spec.endpoints.tlsMode');
    // Over TLS the same SQLSTATE means the user or address is not allowed: nothing about TLS to explain.
    expect(explainTlsError(refused, 'primary p (h:1)', 'verify-full', '/ca')).toBe(refused);
  });

  it('leaves every other error as it is', () => {
    const refused = withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED');
    expect(explainTlsError(refused, 'primary p (h:1)', 'verify-full', '/ca')).toBe(refused);
  });
});
