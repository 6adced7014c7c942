// TLS to the endpoints: the CA bundle, the node-postgres `ssl` setting for each mode the topology publishes, and
// connect errors that say which endpoint refused and what to change.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { TlsMode } from '@servio/replicasetdb-contract';

export interface TlsOptions {
  /** A PEM file with the CA certificates that sign the server certificates; for RDS, AWS's `global-bundle.pem`. */
  caFile?: string;
  /** A mounted ConfigMap or Secret: every `*.pem` and `*.crt` file in it is read as CA certificates. */
  caDirectory?: string;
}

/** The CA bundle read once at start, or undefined when none was given. */
export interface ResolvedTls {
  ca: string | undefined;
  /** Where the bundle came from, for error messages. */
  source: string | undefined;
}

const CA_FILE = /\.(pem|crt)$/;

async function readCa(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the CA bundle ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`the CA bundle ${path} holds no PEM certificate`);
  return text;
}

export async function resolveTls(options: TlsOptions | undefined): Promise<ResolvedTls> {
  if (options?.caFile !== undefined && options.caDirectory !== undefined) throw new TypeError('give at most one of tls.caFile and tls.caDirectory');
  if (options?.caFile !== undefined) return { ca: await readCa(options.caFile), source: options.caFile };
  if (options?.caDirectory !== undefined) {
    const directory = options.caDirectory;
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (err) {
      throw new Error(`cannot read the CA directory ${directory}: ${(err as Error).message}`, { cause: err });
    }
    // The kubelet keeps its own ..data folders beside the keys; only the keys are certificates.
    const files = names.filter((n) => !n.startsWith('.') && CA_FILE.test(n)).sort();
    if (files.length === 0) throw new Error(`the CA directory ${directory} has no *.pem or *.crt file`);
    const bundles = await Promise.all(files.map((f) => readCa(join(directory, f))));
    return { ca: bundles.join('\n'), source: directory };
  }
  return { ca: undefined, source: undefined };
}

/**
 * Checks at start (and for each new topology) that the mode can be met. An explicit `pool.ssl` is the
 * application's own choice and wins over the topology.
 */
export function assertTlsUsable(mode: TlsMode, tls: ResolvedTls, explicitSsl: unknown): void {
  if (explicitSsl !== undefined) return;
  // An application that gave a CA bundle expects TLS: a topology, which anyone who can edit its ConfigMap can
  // change, does not turn it off (the password, or an IAM token, would then cross in clear text).
  if (mode === 'disable' && tls.ca !== undefined) {
    throw new TypeError(
      `the topology asks for TLS mode disable, but this router was given a CA bundle (tls.caFile or tls.caDirectory: ${tls.source ?? ''}) and ` +
        'connects only with TLS; remove that option for a database without TLS',
    );
  }
  if (mode !== 'verify-full' || tls.ca !== undefined) return;
  throw new TypeError(
    'the topology asks for TLS mode verify-full, which needs the CA bundle that signs the server certificates: set ' +
      "tls.caFile (a PEM file) or tls.caDirectory (a mounted ConfigMap or Secret), e.g. AWS's RDS global-bundle.pem",
  );
}

/** The node-postgres `ssl` setting for a mode. */
export function sslConfig(mode: TlsMode, tls: ResolvedTls): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      // With a bundle given, the certificate must still be signed by it (libpq's require behaves so when a root
      // certificate is present): only the host name goes unchecked.
      return tls.ca === undefined ? { rejectUnauthorized: false } : { rejectUnauthorized: true, ca: tls.ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      // Node checks the host name against the certificate whenever rejectUnauthorized is on.
      return { rejectUnauthorized: true, ...(tls.ca !== undefined ? { ca: tls.ca } : {}) };
  }
}

/** A connection to an endpoint failed because of TLS: the certificate, the host name, or a server that insists
 * on TLS the client did not offer. `code` is the underlying one (OpenSSL's, Node's or the SQLSTATE). */
export class TlsConnectionError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly endpoint: string,
    readonly reason: string,
    cause: Error,
  ) {
    super(`cannot connect to ${endpoint}: ${reason} (${cause.message})`, { cause });
    this.name = 'TlsConnectionError';
    this.code = (cause as { code?: string }).code;
  }
}

const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** Explains a connect error that TLS caused, or returns the error unchanged. */
export function explainTlsError(err: unknown, endpoint: string, mode: TlsMode, caSource: string | undefined): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.has(code)) {
    return new TlsConnectionError(
      endpoint,
      `the server certificate is not signed by a CA in the bundle ${caSource ?? '(none given)'}; for RDS use AWS's global-bundle.pem`,
      err,
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return new TlsConnectionError(endpoint, 'the server certificate is not valid now', err);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new TlsConnectionError(
      endpoint,
      'the server certificate is not issued for this host name; connect with the endpoint name RDS gives, not an alias or IP',
      err,
    );
  }
  // PostgreSQL's pg_hba refuses a connection that matches only hostssl lines with "... no encryption" (SQLSTATE 28000).
  if (mode === 'disable' && code === '28000' && err.message.includes('no encryption')) {
    return new TlsConnectionError(
      endpoint,
      'the server accepts only TLS connections and the topology says tls.mode disable; publish tls mode verify-full (spec.endpoints.tlsMode on the ReplicaSetDB) and give the client tls.caFile or tls.caDirectory',
      err,
    );
  }
  if (mode !== 'disable' && err.message.includes('does not support SSL')) {
    return new TlsConnectionError(endpoint, `the server does not offer TLS but the topology says tls.mode ${mode}`, err);
  }
  return err;
}
